#!/bin/sh
# Fetches Debian's kernel for the Linux guest of `make bench` (bench/run.sh),
# with `apt-get download`: nothing is installed on the host, nothing is
# committed.
#
# Usage: bench/linux/fetch.sh OUTDIR [PACKAGE]
#   PACKAGE: the meta-package to follow, linux-image-cloud-amd64 (default:
#   the kernel Debian builds for VMs) or linux-image-amd64.
# Leaves in OUTDIR:
#   vmlinuz   the bzImage as packaged (QEMU boots it on microvm and q35)
#   vmlinux   the same kernel decompressed: an ELF that QEMU boots through
#             its PVH note, as it boots Skiff (absent if there is no note)
#   config    the kernel's build configuration
#   version   "package version" of what was fetched
#   modules/  the modules the network benchmark's guest loads (virtio_net,
#             virtio_mmio, virtio_pci and what they depend on), and
#             modules/order: their file names, each after its dependencies
#   modules-blk/  the same for the storage benchmark's guest (virtio_blk,
#             virtio_mmio, virtio_pci; ext2 is the built-in ext4 driver,
#             CONFIG_EXT4_USE_FOR_EXT2, checked here)
#   modules-9p/   the same for the 9p benchmark's guest (9p, 9pnet_virtio,
#             virtio_mmio): empty with a kernel built without 9p (the
#             cloud kernel); bench/ninep.sh fetches linux-image-amd64 for it
# Cached: once OUTDIR/vmlinuz and both order files exist nothing is
# fetched again (delete OUTDIR to follow a newer Debian kernel).
set -eu
out=$1
meta=${2:-linux-image-cloud-amd64}
NET_MODULES="virtio_net virtio_mmio virtio_pci"
BLK_MODULES="virtio_blk virtio_mmio virtio_pci"
NINEP_MODULES="9p 9pnet_virtio virtio_mmio"
[ -s "$out/vmlinuz" ] && [ -s "$out/version" ] &&
	[ -s "$out/modules/order" ] && [ -s "$out/modules-blk/order" ] && exit 0
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The meta-package depends on the versioned image package, e.g.
# linux-image-6.1.0-56-cloud-amd64.
resolve() {
	apt-cache depends --important "$meta" 2>/dev/null |
		awk '/Depends: linux-image-/ { print $2; exit }'
}
pkg=$(resolve)
if [ -z "$pkg" ]; then
	apt-get update -qq
	pkg=$(resolve)
fi
[ -n "$pkg" ] || { echo "fetch.sh: cannot resolve $meta" >&2; exit 1; }

# apt drops privileges to _apt while downloading, which cannot write into a
# root-owned directory: download as ourselves.
cd "$out"
rm -f ./*.deb
apt-get download -q -o APT::Sandbox::User="$(id -un)" "$pkg" >/dev/null
deb=$(ls ./*.deb)
rm -rf pkg
dpkg-deb -x "$deb" pkg
cp pkg/boot/vmlinuz-* vmlinuz
cp pkg/boot/config-* config
# What the guest needs built in, not as modules: the 8250 serial console and
# initramfs support (the archive is an uncompressed cpio).
for opt in SERIAL_8250 SERIAL_8250_CONSOLE BLK_DEV_INITRD; do
	grep -q "^CONFIG_$opt=y" config ||
		{ echo "fetch.sh: $pkg lacks CONFIG_$opt=y" >&2; exit 1; }
done

# The storage benchmark's guest mounts ext2 with the built-in ext4 driver.
for opt in EXT4_FS EXT4_USE_FOR_EXT2; do
	grep -q "^CONFIG_$opt=y" config ||
		echo "fetch.sh: $pkg lacks CONFIG_$opt=y: no ext2 in the storage guest" >&2
done

# A module's dependencies: the depends= entry of its .modinfo section.
mod_deps() {
	objcopy -O binary --only-section=.modinfo "$1" /dev/stdout |
		tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '
}
mod_file() { find pkg/lib/modules -name "$1.ko" | head -1; }
# Appends module $1 to $mods/order after its dependencies (depth first).
mod_add() {
	local f d
	grep -qx "$1.ko" $mods/order 2>/dev/null && return 0
	f=$(mod_file "$1")
	if [ -z "$f" ]; then
		# Built in, or absent: the guest fails with a clear message.
		grep -q "^CONFIG_$(echo "$1" | tr a-z A-Z)=y" config ||
			echo "fetch.sh: no module $1 in $pkg" >&2
		return 0
	fi
	for d in $(mod_deps "$f"); do mod_add "$d"; done
	cp "$f" $mods/
	echo "$1.ko" >>$mods/order
}
rm -rf modules modules-blk modules-9p
mkdir modules modules-blk modules-9p
: >modules/order
: >modules-blk/order
: >modules-9p/order
mods=modules
for m in $NET_MODULES; do mod_add "$m"; done
mods=modules-blk
for m in $BLK_MODULES; do mod_add "$m"; done
if grep -q '^CONFIG_NET_9P_VIRTIO=m' config; then
	mods=modules-9p
	for m in $NINEP_MODULES; do mod_add "$m"; done
fi

dpkg-deb -f "$deb" Package Version | paste -sd" " | sed "s/[^ ]*: //g" > version

# The bzImage's payload (boot protocol >= 2.08): setup_sects at 0x1f1,
# payload_offset at 0x248 and payload_length at 0x24c, counted from the end
# of the real-mode setup code.
u8() { od -An -tu1 -j "$1" -N1 vmlinuz | tr -d ' '; }
u32() { od -An -tu4 -j "$1" -N4 vmlinuz | tr -d ' '; }
sects=$(u8 $((0x1f1)))
[ "$sects" = 0 ] && sects=4
start=$(( (sects + 1) * 512 + $(u32 $((0x248))) ))
len=$(u32 $((0x24c)))
tail -c +$((start + 1)) vmlinuz | head -c "$len" > payload
case $(od -An -tx1 -N4 payload | tr -d ' ') in
02214c18) unpack="lz4 -dc" ;;
fd377a58) unpack="xz -dc" ;;
1f8b*) unpack="gzip -dc" ;;
28b52ffd) unpack="zstd -dcq" ;;
*) unpack="" ;;
esac
rm -f vmlinux
# The payload ends with the 4-byte uncompressed size, which some tools call
# trailing garbage: the exit status does not matter, the ELF check does.
[ -n "$unpack" ] && $unpack < payload > vmlinux 2>/dev/null || true
if ! readelf -n vmlinux 2>/dev/null | grep -q 'Xen.*0x00000012'; then
	echo "fetch.sh: no PVH entry in $pkg's vmlinux, PVH variant skipped" >&2
	rm -f vmlinux
fi
rm -rf payload pkg "$deb"
