#!/bin/sh
# Makes the initramfs of the Linux guest in the network benchmark of
# `make bench` (bench/net.sh): a cpio (newc) archive with
#   /init           INIT (build/bench/netinit, bench/linux/netinit.c)
#   /modules/       the .ko files of MODDIR and its order file
#                   (bench/linux/fetch.sh: virtio_net, virtio_mmio,
#                   virtio_pci and their dependencies)
#   TREE's files    the servers' configuration and data, and
#                   /bench/NAME.argv (bench/net.sh)
#   each PROGRAM    at its own path, with its ELF interpreter and the shared
#                   libraries ldd lists, each at the path ldd gives (the
#                   files copied, symlinks resolved): the host's very
#                   binaries, as skiff packs them
#   /proc /sys /dev /tmp   empty directories for netinit's mounts
#
# Usage: bench/linux/mknetinitramfs.sh OUT.cpio INIT MODDIR TREE PROGRAM...
set -eu
out=$1
init=$2
moddir=$3
tree=$4
shift 4
stage=$out.d
rm -rf "$stage"
mkdir -p "$stage/modules" "$stage/proc" "$stage/sys" "$stage/dev" \
	"$stage/tmp"
cp -a "$tree/." "$stage/"
cp "$init" "$stage/init"
chmod 0755 "$stage/init"
cp "$moddir"/*.ko "$moddir/order" "$stage/modules/"

# Copies host file $1 into the stage at the same path, resolving symlinks.
put() {
	mkdir -p "$stage$(dirname "$1")"
	cp -L "$1" "$stage$1"
}

for prog in "$@"; do
	put "$prog"
	# "name => /path (addr)", "/path (addr)" for the interpreter.
	ldd "$prog" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }' | while read -r lib; do
		put "$lib"
	done
done
(cd "$stage" && find . | LC_ALL=C sort |
	cpio -o -H newc --owner=0:0 --reproducible --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
