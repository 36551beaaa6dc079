#!/bin/sh
# tests/skiff/net.sh: skiff's network options (tools/skiff/net.c), checked
# from the outside:
#   - -p, --net, --ip, --gateway, --dns refused with one line and exit 2
#     when malformed or combined wrongly;
#   - a host port in use (held by a helper built here, on 127.0.0.1, TCP and
#     UDP): one line "skiff: port 127.0.0.1:N is already in use", exit 125,
#     before QEMU starts;
#   - the QEMU arguments and kernel command line skiff passes for each mode
#     on microvm and q35 (read from --verbose);
#   - the guest booted in each mode prints what the program prints natively
#     (the kernel has no network driver yet: the NIC must not disturb it);
#   - QEMU listens on a published port while the guest runs (ss);
#   - skiff build records -p in the image, skiff run IMAGE publishes it
#     unless -p overrides it; --net none drops it with a warning;
#   - the image's /etc/hosts, hostname and resolv.conf, and an /etc of the
#     user's (--dir) kept instead.
# --net tap runs only inside a user and network namespace of its own
# (unshare -rn), where QEMU's tap is created and dies with it; skipped where
# that cannot be made. Nothing is sent anywhere but loopback.
#
#   tests/skiff/net.sh   prints "ok"/"FAIL"/"skip" per check, then
#                        "netopts: N passed, N failed[, N skipped]"
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
SKIFF=$ROOT/build/skiff
HELLO=$ROOT/build/hello
D=$ROOT/build/net-test
: "${APPS_ACCEL:=tcg}"
. "$ROOT/tests/lib/verdict.sh"

rm -rf "$D"
mkdir -p "$D"
cd "$D" || exit 1
[ -x "$HELLO" ] || gcc -static -O2 -o "$HELLO" "$ROOT/examples/hello.c"
cat >hold.c <<'EOF'
/* hold FILE: holds a TCP listener and a UDP socket on 127.0.0.1 (ports
 * chosen by the kernel), writes "TCPPORT UDPPORT" to FILE, waits to be
 * killed. hold -free: prints 8 ports free for TCP and UDP now. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
static int hold(int type)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (type == SOCK_STREAM && listen(fd, 1)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len))
		return -1;
	return ntohs(sa.sin_port);
}
int main(int argc, char **argv)
{
	if (!strcmp(argv[1], "-free")) {
		/* Held together, so all differ; ephemeral ports, which a UDP
		 * socket can bind too (checked). */
		for (int i = 0; i < 8; i++) {
			int t = hold(SOCK_STREAM);
			struct sockaddr_in sa = { .sin_family = AF_INET,
						  .sin_port = htons(t) };
			int u = socket(AF_INET, SOCK_DGRAM, 0);

			sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			if (t < 0 || bind(u, (struct sockaddr *)&sa, sizeof(sa)))
				return 1;
			printf("%d\n", t);
		}
		return 0;
	}
	int t = hold(SOCK_STREAM), u = hold(SOCK_DGRAM);
	FILE *f = fopen(argv[1], "w");

	if (t < 0 || u < 0 || !f)
		return 1;
	fprintf(f, "%d %d\n", t, u);
	fclose(f);
	for (;;)
		pause();
}
EOF
if ! gcc -O2 -o hold hold.c; then
	fail "cannot build the port holder"
	summary netopts
	exit 1
fi
"$HELLO" >native.out
# Free host ports for the VMs: P1 .. P7.
set -- $(./hold -free)
P1=$1 P2=$2 P3=$3 P4=$4 P5=$5 P6=$6 P7=$7
if [ -z "$P7" ]; then
	fail "cannot find free ports on 127.0.0.1"
	summary netopts
	exit 1
fi

# usage NAME WANT ARGS...: skiff run ARGS refused with exit 2 and exactly one
# line on stderr that contains WANT.
usage() {
	name=$1 want=$2
	shift 2
	"$SKIFF" run "$@" >out 2>err
	rc=$?
	if [ "$rc" = 2 ] && [ "$(wc -l <err)" = 1 ] && grep -qF -- "$want" err &&
		[ ! -s out ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, stderr: $(head -c 300 err)"
	fi
}

usage "-p HOSTPORT alone is refused" "skiff does not choose a host port" \
	-p 8080 "$HELLO"
usage "-p with a port out of range" "guest port '65536': expected a number from 1 to 65535" \
	-p 8080:65536 "$HELLO"
usage "-p with port 0" "host port '0'" -p 0:80 "$HELLO"
usage "-p with an unknown protocol" "protocol 'sctp': expected tcp or udp" \
	-p 8080:80/sctp "$HELLO"
usage "--publish, the long form, validated alike" "host address 'localhost' is not an IPv4 address" \
	--publish localhost:8080:80 "$HELLO"
usage "-p with an IPv6 host address without brackets" "goes in brackets" \
	-p ::1:8080:80 "$HELLO"
usage "-p [::1]:... parsed, refused for QEMU's IPv4-only hostfwd" \
	"-p [::1]:8080:80/tcp: QEMU's user networking forwards ports from IPv4 host addresses only" \
	-p '[::1]:8080:80' "$HELLO"
usage "-p with --net tap is refused with the reason" "with --net tap=tap0 the guest has its own address" \
	-p 8080:80 --net tap=tap0 "$HELLO"
usage "-p with --net none is refused" "--net none gives the guest none" \
	--net none -p 8080:80 "$HELLO"
usage "the same host port twice" "that host port is published twice" \
	-p 8080:80 -p 8080:81 "$HELLO"
usage "--net with an unknown mode" "expected none, user or tap=IFNAME" \
	--net bridge "$HELLO"
usage "--net tap= with QEMU option syntax in the name" "is not an interface name" \
	--net tap=x,script=/bin/sh "$HELLO"
usage "--ip with user networking" "--ip and --gateway are for --net tap" \
	--ip 10.0.2.16/24 "$HELLO"
usage "--ip without a prefix" "expected an IPv4 address with its prefix length" \
	--net tap=tap0 --ip 192.168.100.2 "$HELLO"
usage "--gateway without --ip" "--gateway needs --ip" \
	--net tap=tap0 --gateway 192.168.100.1 "$HELLO"
usage "--dns with a name" "expected an IPv4 or IPv6 address" --dns dns.example "$HELLO"
"$SKIFF" build -o x.img --net none "$HELLO" >out 2>err
if [ $? = 2 ] && grep -qF -- "--net is an option of skiff run, not skiff build" err; then
	pass "skiff build refuses --net"
else
	fail "skiff build refuses --net" "$(cat err)"
fi

# --- a host port in use ---
rm -f ports
./hold ports &
holder=$!
i=0
while [ ! -s ports ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
read -r tport uport <ports
in_use() {
	name=$1 want=$2
	shift 2
	timeout 120 "$SKIFF" run --verbose --accel "$APPS_ACCEL" "$@" "$HELLO" >out 2>err
	rc=$?
	if [ "$rc" = 125 ] && [ "$(cat err)" = "$want" ] && [ ! -s out ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, stderr: $(head -c 300 err)"
	fi
}
if [ -n "$tport" ]; then
	in_use "TCP port in use: one line, exit 125, no QEMU" \
		"skiff: port 127.0.0.1:$tport is already in use" -p "$tport:80"
	in_use "TCP port in use, asked for on 0.0.0.0" \
		"skiff: port 0.0.0.0:$tport is already in use" -p "0.0.0.0:$tport:80"
	in_use "UDP port in use" \
		"skiff: port 127.0.0.1:$uport/udp is already in use" -p "$uport:53/udp"
	in_use "the second of two ports in use" \
		"skiff: port 127.0.0.1:$tport is already in use" -p "$uport:80" -p "$tport:81"
else
	fail "the port holder did not start"
fi
kill "$holder"
wait "$holder" 2>/dev/null

# --- the QEMU command line and the guest, per mode and machine ---
# qemu_line FILE: the QEMU command line skiff printed with --verbose.
qemu_line() {
	grep -m1 '^skiff: .*qemu-system-x86_64 ' "$1"
}
# boot NAME NIC CMDLINE ARGS...: skiff run --verbose ARGS hello prints hello's
# native output and exits 0; the QEMU arguments after the exit device are
# exactly NIC; the kernel command line ends with CMDLINE (its ip= words).
boot() {
	name=$1 nic=$2 words=$3
	shift 3
	$NS timeout 120 "$SKIFF" run --verbose --accel "$APPS_ACCEL" "$@" "$HELLO" >out 2>err
	rc=$?
	line=$(qemu_line err)
	got_nic=$(echo "$line" | sed -n 's/.*-device isa-debug-exit,iobase=0xf4,iosize=4 *//p')
	append=$(echo "$line" | sed -n "s/.* -append '\([^']*\)'.*/\1/p")
	if [ "$rc" != 0 ] || ! cmp -s out native.out; then
		fail "$name" "exit $rc, output: $(head -c 200 out) $(tail -n 3 err)"
	elif [ "$got_nic" != "$nic" ]; then
		fail "$name" "QEMU NIC arguments: '$got_nic', expected '$nic'"
	elif [ "${append%"$words"}" = "$append" ] && [ -n "$words" ]; then
		fail "$name" "kernel command line '$append' does not end with '$words'"
	elif [ -z "$words" ] && echo "$append" | grep -qE '(^| )(ip|gw)='; then
		fail "$name" "kernel command line '$append' has ip= or gw="
	else
		pass "$name"
	fi
}
NS=""
MMIO="-device virtio-net-device,netdev=net0 -global virtio-mmio.force-legacy=false"
PCI="-device virtio-net-pci,netdev=net0,disable-legacy=on,romfile="
USERW="ip=10.0.2.15/24 gw=10.0.2.2"
boot "microvm, default (--net user)" "-netdev user,id=net0 $MMIO" "$USERW"
boot "microvm, --net none: no NIC, no ip=" "" "" --net none
boot "microvm, -p" "-netdev user,id=net0,hostfwd=tcp:127.0.0.1:$P1-:80,hostfwd=udp:0.0.0.0:$P2-:53 $MMIO" \
	"$USERW" -p $P1:80 -p 0.0.0.0:$P2:53/udp
boot "q35, default (--net user)" "-netdev user,id=net0 $PCI" "$USERW" --machine q35
boot "q35, --net none" "" "" --machine q35 --net none
boot "q35, -p" "-netdev user,id=net0,hostfwd=tcp:127.0.0.1:$P3-:8080 $PCI" "$USERW" \
	--machine q35 --publish $P3:8080/tcp

# --net tap, in a user and network namespace of this test's own.
if unshare -rn true 2>/dev/null && [ -c /dev/net/tun ]; then
	TAP="-netdev tap,id=net0,ifname=sktest0,script=no,downscript=no"
	NS="unshare -rn"
	boot "microvm, --net tap (DHCP)" "$TAP $MMIO" "ip=dhcp" --net tap=sktest0
	boot "q35, --net tap with --ip and --gateway" "$TAP $PCI" \
		"ip=192.168.100.2/24 gw=192.168.100.1" --machine q35 \
		--net tap=sktest0 --ip 192.168.100.2/24 --gateway 192.168.100.1
	NS=""
else
	skip "--net tap" "no user and network namespace here (unshare -rn)"
fi

# --- QEMU listens on a published port while the guest runs ---
port=$P4
timeout 120 "$SKIFF" run --accel "$APPS_ACCEL" -p "$port:80" /bin/sleep 4 >out 2>err &
vm=$!
seen=""
while kill -0 "$vm" 2>/dev/null && [ -z "$seen" ]; do
	ss -Hltn "sport = :$port" 2>/dev/null | grep -q "127.0.0.1:$port" && seen=1
	sleep 0.1
done
wait "$vm"
rc=$?
if [ -n "$seen" ] && [ "$rc" = 0 ]; then
	pass "QEMU listens on 127.0.0.1:$port while the guest runs"
else
	fail "QEMU listens on 127.0.0.1:$port while the guest runs" "seen='$seen' exit $rc $(cat err)"
fi

# --- skiff build records -p; skiff run IMAGE uses it ---
"$SKIFF" build -o app.img -p $P5:80 -p 0.0.0.0:$P6:53/udp "$HELLO" 2>err
if [ "$(lz4 -dc <app.img | cpio -i --quiet --to-stdout .skiff/ports 2>/dev/null)" = "127.0.0.1:$P5:80/tcp
0.0.0.0:$P6:53/udp" ]; then
	pass "skiff build records the published ports in the image"
else
	fail "skiff build records the published ports in the image" "$(cat err)"
fi
HELLO_IMG=$D/app.img
run_img() {
	name=$1 nic=$2 warn=$3
	shift 3
	timeout 120 "$SKIFF" run --verbose --accel "$APPS_ACCEL" "$@" "$HELLO_IMG" >out 2>err
	rc=$?
	got_nic=$(qemu_line err | sed -n 's/.*-device isa-debug-exit,iobase=0xf4,iosize=4 *//p')
	if [ "$rc" = 0 ] && cmp -s out native.out && [ "$got_nic" = "$nic" ] &&
		{ [ -z "$warn" ] || grep -qF -- "$warn" err; }; then
		pass "$name"
	else
		fail "$name" "exit $rc, NIC '$got_nic' $(grep -v '^skiff: .*qemu' err | head -n 3)"
	fi
}
run_img "skiff run IMAGE publishes its ports" \
	"-netdev user,id=net0,hostfwd=tcp:127.0.0.1:$P5-:80,hostfwd=udp:0.0.0.0:$P6-:53 $MMIO" ""
run_img "skiff run -p IMAGE overrides them" \
	"-netdev user,id=net0,hostfwd=tcp:127.0.0.1:$P7-:81 $MMIO" "" -p $P7:81
run_img "skiff run --net none IMAGE drops them with a warning" "" \
	"skiff: warning: $HELLO_IMG publishes ports (-p), which --net none leaves unpublished" --net none

# --- the image's /etc ---
extract() {
	rm -rf "$1.root"
	mkdir "$1.root"
	(cd "$1.root" && lz4 -dc <"../$1.img" | cpio -i --quiet -d 2>/dev/null)
}
extract app
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.2.15\tskiff\n' >hosts.want
if cmp -s app.root/etc/hosts hosts.want &&
	[ "$(cat app.root/etc/hostname)" = skiff ] &&
	[ "$(cat app.root/etc/resolv.conf)" = "nameserver 10.0.2.3" ] &&
	grep -q '^hosts: files dns$' app.root/etc/nsswitch.conf; then
	pass "image /etc: hosts (localhost, ip6-localhost, skiff), hostname, resolv.conf"
else
	fail "image /etc: hosts (localhost, ip6-localhost, skiff), hostname, resolv.conf"
fi
mkdir -p root/etc
printf '10.1.1.1 mine\n' >root/etc/hosts
printf 'nameserver 10.1.1.53\n' >root/etc/resolv.conf
"$SKIFF" build -o own.img --dir root:/ --dns 10.9.9.9 "$HELLO" 2>err
extract own
if cmp -s own.root/etc/hosts root/etc/hosts &&
	cmp -s own.root/etc/resolv.conf root/etc/resolv.conf &&
	[ "$(cat own.root/etc/hostname)" = skiff ] && [ ! -s err ]; then
	pass "an /etc of the user's (--dir) keeps its hosts and resolv.conf"
else
	fail "an /etc of the user's (--dir) keeps its hosts and resolv.conf" "$(cat err)"
fi
"$SKIFF" build -o dns.img --dns 10.9.9.9 --dns 2001:db8::53 "$HELLO" 2>err
extract dns
if [ "$(cat dns.root/etc/resolv.conf)" = "nameserver 10.9.9.9
nameserver 2001:db8::53" ]; then
	pass "--dns writes the image's resolv.conf"
else
	fail "--dns writes the image's resolv.conf" "$(cat err)"
fi

summary netopts
