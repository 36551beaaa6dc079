#!/bin/sh
# tests/virtio/run.sh: the virtio transports and the virtio-net probe, at
# boot, on both machines. build/hello is booted with a NIC (or a device
# Skiff must refuse) added through skiff's hidden SKIFF_QEMU_EXTRA; each
# case checks the kernel log of `skiff run --verbose` for the device's line and
# that the program still prints its greeting and exits 0.
#   microvm   virtio-net-device (virtio-mmio, modern): "eth0: virtio-net MAC"
#   q35       virtio-net-pci, transitional (the default) and modern-only
#   no peer   a NIC whose -netdev is missing: probed all the same
#   legacy    a legacy virtio-mmio transport, a legacy-only virtio-pci
#             device: one line saying it was refused
#   tests/virtio/run.sh   one line a case, then "virtio: N passed, N failed"
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
: "${APPS_ACCEL:=tcg}"
make -s build/hello >/dev/null || { fail "build/hello" "does not build"; summary virtio; exit 1; }
MODERN="-global virtio-mmio.force-legacy=false"
NET="-netdev user,id=n0"
MAC="52:54:00:12:34:56"
HELLO="Hello, world!"

# check NAME MACHINE EXTRA PATTERN: boots hello on MACHINE with EXTRA
# QEMU words; passes when the log has a line matching PATTERN (grep -E),
# the greeting is there and skiff exits 0.
check() {
	name=$1 machine=$2 extra=$3 pattern=$4
	out=$(SKIFF_QEMU_EXTRA="$extra" timeout 120 build/skiff run --verbose --net none \
		--accel "$APPS_ACCEL" --machine "$machine" build/hello 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$name" "exit status $rc"
	elif ! echo "$out" | grep -q "$HELLO"; then
		fail "$name" "no greeting from the program"
	elif ! echo "$out" | grep -Eq "$pattern"; then
		fail "$name" "no log line matching '$pattern'"
	else
		pass "$name: $(echo "$out" | grep -Eo "$pattern.*" | head -n 1)"
		return
	fi
	echo "$out" | grep -E "virtio|eth|pci|panic" | head -n 10 | sed 's/^/  /'
}

check "microvm virtio-net-device" microvm \
	"$MODERN $NET -device virtio-net-device,netdev=n0" \
	"eth0: virtio-net $MAC mtu 1500 .*\(mmio 0x[0-9a-f]+ irq [0-9]+\)"
check "microvm two NICs" microvm \
	"$MODERN $NET -device virtio-net-device,netdev=n0 -netdev user,id=n1 -device virtio-net-device,netdev=n1" \
	"eth1: virtio-net 52:54:00:12:34:57 mtu 1500"
check "q35 virtio-net-pci" q35 \
	"$NET -device virtio-net-pci,netdev=n0" \
	"eth0: virtio-net $MAC mtu 1500 .*\(pci 00:[0-9a-f]{2}\.[0-7]\)"
check "q35 virtio-net-pci modern only" q35 \
	"$NET -device virtio-net-pci,netdev=n0,disable-legacy=on" \
	"eth0: virtio-net $MAC mtu 1500 .*\(pci "
check "microvm NIC without -netdev" microvm \
	"$MODERN -device virtio-net-device" "eth0: virtio-net $MAC mtu 1500"
check "q35 NIC without -netdev" q35 \
	"-device virtio-net-pci" "eth0: virtio-net $MAC mtu 1500"
check "microvm legacy virtio-mmio refused" microvm \
	"-global virtio-mmio.force-legacy=true $NET -device virtio-net-device,netdev=n0" \
	"virtio-mmio at 0x[0-9a-f]+: legacy device \(version 1\) refused"
check "q35 legacy-only virtio-pci refused" q35 \
	"$NET -device virtio-net-pci,netdev=n0,disable-modern=on" \
	"virtio-pci 00:[0-9a-f]{2}\.[0-7]: legacy device .* refused"
summary virtio
