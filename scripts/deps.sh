#!/bin/sh
# Installs the Debian packages Skiff needs to build, run and test, if any is
# missing. Runs as root (apt-get) or through sudo. The servers and clients
# on the last line of the list are what tests/net/run.sh runs natively and in Skiff;
# e2fsprogs (mke2fs for skiff volume, and the tests' oracle) and sqlite3 are
# for tests/storage/run.sh; tmux drives tests/skiff/terminal.sh; grub-pc-bin
# and grub-common (grub-mkimage, boot.img) for skiff build --format raw/qcow2;
# lz4 compresses skiff build's images; the interpreters of the last line (and
# python3-yaml, python3-venv) are what tests/skiff/pack.sh packs. clang and
# libclang-rt-dev (libFuzzer) fuzz the API's request parser (tests/api/fuzz.sh);
# libvirt-daemon-system and libvirt-clients (without their recommends: no
# dnsmasq, parted, ...) are the libvirtd and virsh that tests/skiff/instances.sh
# starts privately to define, start and migrate a Skiff domain.
set -e
need=""
for p in gcc make qemu-system-x86 musl-tools libcmocka-dev cpio gcc-multilib bsdutils \
	python3 perl busybox-static dpkg-dev xz-utils tmux less ncurses-base \
	redis-server redis-tools nginx memcached curl nodejs golang-go git e2fsprogs sqlite3 lz4 \
	grub-pc-bin grub-common \
	clang libclang-rt-dev \
	default-jdk-headless python3-yaml python3-venv ruby php-cli tcl; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need="$need $p"
done
norec=""
for p in libvirt-daemon-system libvirt-clients; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || norec="$norec $p"
done
[ -z "$need$norec" ] && exit 0
echo "skiff: installing$need$norec" >&2
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
$sudo apt-get update -qq
[ -z "$need" ] || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need >/dev/null
[ -z "$norec" ] || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
	--no-install-recommends $norec >/dev/null
