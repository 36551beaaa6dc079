#!/bin/sh
# Prints the kernel command line of the Linux guest of `make bench`, tuned
# the way a careful user tunes a Debian kernel for a one-program VM.
#
# Usage: bench/linux/cmdline.sh MACHINE TSC_KHZ
#   MACHINE: microvm or q35; TSC_KHZ: the host's TSC rate (under TCG the
#   guest reads the host's TSC).
# The benchmark program's arguments follow, after " -- ", added by the
# caller: the kernel hands everything after "--" to /init.
#
#   console=ttyS0       the program's output on the serial port
#   quiet               no boot messages (printing them under TCG is slow)
#   panic=-1            a panic powers off at once (with QEMU -no-reboot)
#                       instead of hanging until the timeout
#   tsc_early_khz=      skips TSC calibration against the PIT, which is
#                       slow and hangs now and then under TCG on microvm
#   no_timer_check      skips the IO-APIC timer check, meant for broken
#                       hardware
#   cryptomgr.notests   skips the crypto self-tests (about 0.3-0.5 s here)
#   pci=off             microvm only: it has no PCI bus to probe
set -eu
machine=$1
khz=$2
line="console=ttyS0 quiet panic=-1 tsc_early_khz=$khz no_timer_check"
line="$line cryptomgr.notests"
[ "$machine" = microvm ] && line="$line pci=off"
echo "$line"
