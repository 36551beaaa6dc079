#!/bin/sh
# Makes the initramfs of the Linux guest of `make bench`: a cpio (newc)
# archive holding one file, /init: PROGRAM, static (the benchmark program,
# or skiffinit, appended to Skiff's image for the python3 run). The kernel's
# built-in initramfs already provides /dev/console, so /init starts with the
# serial console as stdin, stdout and stderr, and mounts nothing.
#
# Usage: bench/linux/mkinitramfs.sh PROGRAM OUT.cpio
set -eu
prog=$1
out=$2
[ -s "$out" ] && [ "$out" -nt "$prog" ] && exit 0
stage=$out.d
rm -rf "$stage"
mkdir -p "$stage"
cp "$prog" "$stage/init"
chmod 0755 "$stage/init"
(cd "$stage" && find . | LC_ALL=C sort |
	cpio -o -H newc --owner=0:0 --reproducible --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
