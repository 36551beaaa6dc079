#!/bin/bash
# bench/image-formats.sh: the boot time of python3's image by format, the
# figures of docs/images.md (not part of make bench). Each round, one after
# the other, from launch to python3's "1" and to QEMU's exit (bench/timeit):
#   cpio       skiff run of the uncompressed image (--format cpio)
#   lz4-cold   skiff run of the LZ4 image (the default), its decoded copy
#              removed first (the host decodes it: tools/skiff/unlz4.c)
#   lz4-warm   skiff run of the LZ4 image again (the cached copy, just
#              written: its pages may still be going to the disk)
#   gz-cold    skiff run of the gzip image (--format gzip), decoded anew
#              (tools/skiff/inflate.c)
#   disk-gz    the --format raw disk booted by plain QEMU (pc, SeaBIOS,
#              GRUB decompressing the image in the guest), as skiff writes
#   disk-cpio  the same disk with the uncompressed image as GRUB's module
#              (made here, with GRUB's module2 --nounzip)
# Then the median and range of each. ROUNDS (default 5). Needs build/skiff,
# build/kernel.elf, grub-pc-bin, e2fsprogs. TCG, --net none, microvm for
# skiff run.
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
S=$ROOT/build/skiff
B=$ROOT/build/image-formats
ROUNDS=${ROUNDS:-5}
PY=(/usr/bin/python3 -c 'print(1)')
rm -rf "$B"
mkdir -p "$B/disk/root/boot"
cd "$B" || exit 1
export XDG_CACHE_HOME=$B/cache
gcc -O2 -o timeit "$ROOT/bench/timeit.c" || exit 1
"$S" build --format cpio -o py.cpio "${PY[@]}" || exit 1
"$S" build -o py.lz4 "${PY[@]}" || exit 1
"$S" build --format gzip -o py.gz "${PY[@]}" || exit 1
"$S" build --format raw -o py-gz.raw "${PY[@]}" || exit 1
echo "python3 image: $(stat -c %s py.cpio) bytes as cpio, $(stat -c %s py.lz4) lz4, $(stat -c %s py.gz) gzip"

# The same disk, the module uncompressed: skiff's MBR, a core.img whose
# configuration takes the module as it is, the filesystem made again.
cp "$ROOT/build/kernel.elf" disk/root/boot/kernel.elf
cp py.cpio disk/root/boot/initrd.img
printf 'set root=(hd0,msdos1)\nmultiboot2 /boot/kernel.elf console=ttyS0\nmodule2 --nounzip /boot/initrd.img\nboot\n' >disk/grub.cfg
grub-mkimage -O i386-pc -d /usr/lib/grub/i386-pc -o disk/core.img \
	-p '(hd0,msdos1)/boot/grub' -c disk/grub.cfg biosdisk part_msdos ext2 multiboot2 boot || exit 1
part_mib=$(( $(stat -c %s py.cpio) / 1048576 + 8 ))
truncate -s $(( (part_mib + 1) * 1048576 )) py-cpio.raw
python3 - "$part_mib" <<'EOF' || exit 1
import struct, sys
mbr = bytearray(open('py-gz.raw', 'rb').read(512))
struct.pack_into('<I', mbr, 446 + 12, int(sys.argv[1]) * 2048)
core = open('disk/core.img', 'rb').read()
with open('py-cpio.raw', 'r+b') as f:
    f.write(mbr)
    f.seek(512)
    f.write(core)
EOF
mke2fs -q -F -t ext2 -b 4096 -m 0 -N 64 -E offset=1048576 -d disk/root \
	py-cpio.raw "${part_mib}M" || exit 1

for i in $(seq 1 "$ROUNDS"); do
	echo "cpio $(./timeit -m 1 -l -- "$S" run --net none py.cpio)"
	rm -rf cache
	echo "lz4-cold $(./timeit -m 1 -l -- "$S" run --net none py.lz4)"
	echo "lz4-warm $(./timeit -m 1 -l -- "$S" run --net none py.lz4)"
	rm -rf cache
	echo "gz-cold $(./timeit -m 1 -l -- "$S" run --net none py.gz)"
	echo "disk-gz $(./timeit -t 120 -m 1 -l -- qemu-system-x86_64 -drive file=py-gz.raw,format=raw -m 512M -nographic)"
	echo "disk-cpio $(./timeit -t 120 -m 1 -l -- qemu-system-x86_64 -drive file=py-cpio.raw,format=raw -m 512M -nographic)"
done | tee runs.txt
python3 - <<'EOF'
import collections, statistics
runs = collections.defaultdict(list)
for line in open('runs.txt'):
    k, first, end, rc = line.split()
    runs[k].append((float(first), float(end), rc))
print('| How | to the "1", ms: median (min-max) | to exit, ms: median | exit statuses |')
print('|---|---|---|---|')
for k, v in runs.items():
    f = [x[0] for x in v]
    e = [x[1] for x in v]
    print(f'| {k} | {statistics.median(f):.0f} ({min(f):.0f}-{max(f):.0f}) | '
          f'{statistics.median(e):.0f} | {" ".join(sorted(set(x[2] for x in v)))} |')
EOF
