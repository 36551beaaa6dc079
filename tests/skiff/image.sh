#!/bin/sh
# tests/skiff/image.sh: the images skiff build writes (tools/skiff/image.c,
# prebuilt.c, inflate.c, disk.c; the kernel's multiboot2 boot, plain
# console and ACPI power-off), checked from the outside against the same
# program run natively:
#   - skiff build writes an LZ4 image (lz4 -t passes, its cpio lists
#     .skiff/argv); --format gzip a gzip one, --format cpio an uncompressed
#     one; all run as the program does natively, with the image's recorded
#     arguments, -e environment and working directory;
#   - skiff run IMAGE ARGS replaces the arguments (argv[0] kept, as
#     docker's CMD), -e adds and overrides variables, -w sets the working
#     directory (made if missing); the exit status is the program's;
#   - a compressed image is decoded once into $XDG_CACHE_HOME/skiff/images
#     and the copy replaced when the image is rebuilt;
#   - corrupt compressed images, LZ4 and gzip (truncated, a flipped byte
#     in the data, a damaged header, a cut trailer) end with exit 126 and
#     "the compressed image is corrupt", within a bounded time, never a
#     hang or a crash;
#   - skiff build --format raw and qcow2 disks booted by a plain
#     qemu-system-x86_64 command line naming no Skiff option (-drive, -m,
#     -nographic; SeaBIOS and GRUB) on the q35 and pc machine types: the
#     serial console ends with the program's native output, and QEMU exits
#     by itself (ACPI power-off) before the timeout.
#
#   tests/skiff/image.sh   prints "ok"/"FAIL"/"skip" per check, then
#                          "image: N passed, N failed[, N skipped]"
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
SKIFF=$ROOT/build/skiff
D=$ROOT/build/image-test
: "${APPS_ACCEL:=tcg}"
. "$ROOT/tests/lib/verdict.sh"
BOOT_TIMEOUT=180

rm -rf "$D"
mkdir -p "$D/cache"
cd "$D" || exit 1
export XDG_CACHE_HOME=$D/cache
cat >args.c <<'EOF'
/* Prints its arguments, two variables and its working directory; exits
 * with argc. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	char cwd[4096];

	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	printf("FOO=%s\nBAR=%s\n", getenv("FOO") ? getenv("FOO") : "(unset)",
	       getenv("BAR") ? getenv("BAR") : "(unset)");
	printf("cwd=%s\n", getcwd(cwd, sizeof(cwd)) ? cwd : "(none)");
	return argc;
}
EOF
if ! gcc -O1 -o args args.c; then
	fail "args.c" "does not build"
	summary image
	exit 1
fi

# same NAME EXPECTED_RC NATIVE_OUT -- SKIFF COMMAND...: the command's
# stdout and status equal the native ones.
same() {
	name=$1 want_rc=$2 native=$3
	shift 4
	timeout -k 5 120 "$@" </dev/null >got.out 2>got.err
	rc=$?
	if [ $rc = "$want_rc" ] && cmp -s "$native" got.out; then
		pass "$name"
	else
		fail "$name" "exit $rc (native $want_rc); $(diff "$native" got.out | head -n 4 | tr '\n' ' ') $(head -n 2 got.err)"
	fi
}

# --- compressed and uncompressed images, and run-time overrides ---------
FOO=1 ./args x y >native.xy
FOO=1 ./args p q r >native.pqr
FOO=9 BAR=2 ./args x y >native.env
# skiff build never captures the current directory: an image starts in /
# unless built with -w
sed -i "s|^cwd=.*|cwd=/|" native.xy native.pqr native.env
mkdir -p "$D/w/new" && (cd "$D/w/new" && FOO=1 "$D/args" x y >"$D/native.w")
sed -i -e "s|^cwd=.*|cwd=/w/new|" -e "s|^argv\[0\]=.*|argv[0]=./args|" native.w
if "$SKIFF" build -o a.img -e FOO=1 ./args x y 2>build.err &&
   lz4 -t a.img 2>/dev/null &&
   lz4 -dc a.img | cpio -it --quiet 2>/dev/null | grep -qx '.skiff/argv'; then
	pass "skiff build writes an LZ4-compressed cpio image"
else
	fail "skiff build writes an LZ4-compressed cpio image" "$(head -n 2 build.err)"
fi
if "$SKIFF" build --format gzip -o g.img -e FOO=1 ./args x y 2>build.err &&
   gzip -t g.img 2>/dev/null &&
   gzip -dc g.img | cpio -it --quiet 2>/dev/null | grep -qx '.skiff/argv'; then
	pass "skiff build --format gzip writes a gzip-compressed cpio image"
else
	fail "skiff build --format gzip writes a gzip-compressed cpio image" "$(head -n 2 build.err)"
fi
same "gzip image: the recorded command" 3 native.xy -- \
	"$SKIFF" run --accel "$APPS_ACCEL" g.img
same "compressed image: the recorded command" 3 native.xy -- \
	"$SKIFF" run --accel "$APPS_ACCEL" a.img
if ls cache/skiff/images/*.cpio >/dev/null 2>&1; then
	pass "a compressed image is decoded into XDG_CACHE_HOME/skiff/images"
else
	fail "a compressed image is decoded into XDG_CACHE_HOME/skiff/images"
fi
same "skiff run IMAGE ARGS replaces the arguments" 4 native.pqr -- \
	"$SKIFF" run --accel "$APPS_ACCEL" a.img p q r
same "skiff run -e adds and overrides the image's variables" 3 native.env -- \
	"$SKIFF" run --accel "$APPS_ACCEL" -e BAR=2 -e FOO=9 a.img
same "skiff run -w sets the working directory (made if missing)" 3 native.w -- \
	"$SKIFF" run --accel "$APPS_ACCEL" -w /w/new a.img
"$SKIFF" build --format cpio -o u.img -e FOO=1 ./args x y 2>build.err
if [ "$(head -c 6 u.img)" = 070701 ]; then
	pass "skiff build --format cpio writes an uncompressed image"
else
	fail "skiff build --format cpio writes an uncompressed image" "$(head -n 2 build.err)"
fi
same "uncompressed image: ARGS override it too" 4 native.pqr -- \
	"$SKIFF" run --accel "$APPS_ACCEL" u.img p q r
# A rebuilt image: decoded again, its old copy dropped.
before=$(ls cache/skiff/images | wc -l)
sleep 1
"$SKIFF" build -o a.img -e FOO=1 ./args p q r 2>build.err
same "a rebuilt compressed image runs its new command" 4 native.pqr -- \
	"$SKIFF" run --accel "$APPS_ACCEL" a.img
n=$(ls cache/skiff/images | wc -l)
if [ "$n" = "$before" ]; then
	pass "the cache keeps one decoded copy per image"
else
	fail "the cache keeps one decoded copy per image" "$before files, then $n: $(ls cache/skiff/images | tr '\n' ' ')"
fi

# --- corrupt compressed images --------------------------------------------
# corrupt NAME FILE: skiff run FILE ends with 126 and the corruption named.
corrupt() {
	timeout -k 5 120 "$SKIFF" run --accel "$APPS_ACCEL" "$2" </dev/null >c.out 2>c.err
	rc=$?
	if [ $rc = 126 ] && grep -q "the compressed image is corrupt" c.err; then
		pass "corrupt image ($1): exit 126, $(head -n 1 c.err | sed 's/.*corrupt: //')"
	else
		fail "corrupt image ($1)" "exit $rc: $(head -n 2 c.err)"
	fi
}
"$SKIFF" build --format gzip -o g.img -e FOO=1 ./args p q r 2>build.err
for img in a g; do
	kind=$([ $img = a ] && echo LZ4 || echo gzip)
	size=$(stat -c %s $img.img)
	head -c $((size / 2)) $img.img >trunc.$img
	corrupt "$kind, truncated" trunc.$img
	cp $img.img flip.$img
	printf '\377' | dd of=flip.$img bs=1 seek=$((size / 3)) conv=notrunc 2>/dev/null
	cp $img.img flip2.$img
	# one bit of another byte (whatever it holds: a fixed value may be
	# the byte already there)
	b=$(od -An -tu1 -j $((size / 3 + 7)) -N1 $img.img | tr -d ' ')
	printf "\\$(printf %o $((b ^ 1)))" |
		dd of=flip2.$img bs=1 seek=$((size / 3 + 7)) conv=notrunc 2>/dev/null
	# A flip may leave a valid stream: the checksum catches it.
	corrupt "$kind, a byte flipped" flip.$img
	corrupt "$kind, another byte flipped" flip2.$img
	cp $img.img hdr.$img
	# LZ4's BD byte (reserved bits set), gzip's CM byte
	printf '\007' | dd of=hdr.$img bs=1 seek=$([ $img = a ] && echo 5 || echo 2) \
		conv=notrunc 2>/dev/null
	corrupt "$kind, damaged header" hdr.$img
	head -c $((size - 4)) $img.img >crc.$img
	corrupt "$kind, trailer cut short" crc.$img
done

# --- bootable disks --------------------------------------------------------
QEMU=${SKIFF_QEMU:-qemu-system-x86_64}
if ! [ -r /usr/lib/grub/i386-pc/boot.img ] || ! command -v grub-mkimage >/dev/null; then
	skip "bootable disks" "grub-pc-bin and grub-common are not installed (scripts/deps.sh)"
	summary image
	exit $?
fi
./args disk run | sed "s|^cwd=.*|cwd=/|" >native.disk
for fmt in raw qcow2; do
	if "$SKIFF" build --format $fmt -o disk.$fmt ./args disk run 2>build.err &&
	   qemu-img info disk.$fmt 2>/dev/null | grep -q "file format: $fmt"; then
		pass "skiff build --format $fmt writes a $fmt disk"
	else
		fail "skiff build --format $fmt writes a $fmt disk" "$(head -n 2 build.err)"
		continue
	fi
	for m in q35 pc; do
		timeout -k 5 $BOOT_TIMEOUT "$QEMU" -M $m -drive file=disk.$fmt,format=$fmt \
			-m 512M -nographic </dev/null >boot.out 2>boot.err
		rc=$?
		tr -d '\r' <boot.out | tail -n "$(wc -l <native.disk)" >boot.tail
		if [ $rc = 0 ] && cmp -s native.disk boot.tail; then
			pass "$fmt disk on $m: plain QEMU boots it, prints the program's output, powers off"
		elif [ $rc = 124 ] || [ $rc = 137 ]; then
			fail "$fmt disk on $m" "no power-off within ${BOOT_TIMEOUT}s; $(tr -d '\r' <boot.out | tail -n 3 | tr '\n' ' ')"
		else
			fail "$fmt disk on $m" "QEMU exit $rc; $(diff native.disk boot.tail | head -n 4 | tr '\n' ' ') $(head -n 1 boot.err)"
		fi
	done
done
summary image
