# tests/storage/lib.sh: shared by tests/storage/run.sh and damaged.sh.
# Sourced after tests/lib/verdict.sh, from the repository's root, with
# $T a scratch directory and $SKIFF the skiff binary.
#
#   storage_tools PART      e2fsprogs found (PATH gains /sbin), or PART
#                           skipped and the script ended
#   storage_build           builds the test programs into $T (static)
#   damaged_loop N          N damaged copies of an image made with mke2fs -d
#                           from a small tree (tests/storage/damage.py SEED
#                           for SEED 1..N, the kind SEED % 7: superblock,
#                           descriptors, bitmaps, inode table, directories,
#                           indirect blocks, cut short), each mounted in
#                           Skiff and walked (one boot), then changed (walk
#                           DIR damaged, a second boot), each within 120 s,
#                           and after each boot tests/storage/written.py
#                           compares the image with its copy from before:
#                           the walk may have written only the superblock,
#                           descriptors and inode tables, the change also
#                           bitmaps, blocks free before the damage and those
#                           of the files it changed. One pass line for all
#                           (with the count of each kind), one fail line per
#                           image that hung, crashed, panicked or was written
#                           outside (its damage and seed).
#   fs_apps KIND ATTACH AFTER
#                           the programs of tests/apps/fs/ (static; not
#                           etc_files, which reads the image's /etc, nor
#                           those with ARGS/STDIN/ENV/SKIFF/TTY lines) run
#                           natively in an empty directory D and in Skiff
#                           started in D with a mount of KIND: `ATTACH D`
#                           prints the skiff run options that mount it
#                           (they mount it at /tmp, where the programs make
#                           their scratch directories, with -w /tmp); after
#                           the run `AFTER D` checks the result (0 and a
#                           few words for the pass line, or 1 and why).
#                           stdout and exit status must be as natively.
#                           $FS_APPS_SKIP: programs the kind cannot run
#                           (skipped, with $FS_APPS_WHY as the reason).
#   crash_loop N            N rounds of tests/storage/records.c appending
#                           fsynced records to a volume while QEMU is
#                           killed (SIGKILL) at a random moment; after each
#                           kill e2fsck -fy, and the next boot must find
#                           every record that was printed (crash.sh runs 100)
: "${APPS_ACCEL:=tcg}"

# storage_tools PART: e2fsprogs on PATH (/sbin too), or PART skipped and
# the script ends.
storage_tools() {
	for tool in mke2fs e2fsck debugfs; do
		command -v $tool >/dev/null 2>&1 || PATH=$PATH:/sbin:/usr/sbin
	done
	if ! command -v mke2fs >/dev/null || ! command -v debugfs >/dev/null; then
		skip "$1" "e2fsprogs is not installed (scripts/deps.sh)"
		summary "$1"
		exit 0
	fi
}

storage_build() {
	for p in fsops big walk records; do
		gcc -O -Wall -static -o "$T/$p" "tests/storage/$p.c" || return 1
	done
}

# sk ARGS...: skiff run with no NIC on the test accelerator.
sk() {
	timeout 120 "$SKIFF" run --net none --accel "$APPS_ACCEL" "$@"
}

# A tree with what ext2 stores differently: hard links, fast and slow
# symlinks, a sparse file, a file of double-indirect size, many entries.
make_tree() {
	rm -rf "$1"
	mkdir -p "$1/sub/deeper"
	echo hello >"$1/hello"
	ln "$1/hello" "$1/sub/hello-link"
	ln -s hello "$1/fast"
	ln -s "$(printf 'p%.0s' $(seq 200))" "$1/slow"
	head -c 3000000 /dev/urandom >"$1/sub/random"
	truncate -s 20M "$1/sparse"
	printf tail >>"$1/sparse"
	for i in $(seq 60); do echo "$i" >"$1/sub/deeper/f$i"; done
	chmod 750 "$1/sub"
}

# _damaged_run SEED WHAT MODE ARGS...: walk ARGS on $T/x.img; one fail
# line when it hung, crashed or panicked, or wrote where MODE (read or
# change, tests/storage/written.py) does not allow.
_damaged_run() {
	seed=$1 what=$2 mode=$3
	shift 3
	cp "$T/x.img" "$T/x0.img"
	sk -v "$T/x.img:/data" "$T/walk" "$@" >"$T/d.out" 2>"$T/d.err"
	rc=$?
	if [ "$rc" = 124 ] || grep -Eq "panic|crashed|QEMU was killed" "$T/d.err"; then
		fail "damaged image $seed ($what), $mode" "exit $rc: $(tail -n 1 "$T/d.err")"
		return 1
	fi
	if ! tests/storage/written.py "$T/layout.json" "$T/x0.img" "$T/x.img" \
		"$mode" >"$T/w.out"; then
		fail "damaged image $seed ($what), $mode" "$(cat "$T/w.out")"
		return 1
	fi
	DAMAGED_WRITTEN=$((DAMAGED_WRITTEN + $(cut -d' ' -f1 "$T/w.out")))
}

damaged_loop() {
	n=$1 bad=0 DAMAGED_WRITTEN=0
	make_tree "$T/dtree"
	rm -f "$T/base.img" "$T/kinds"
	# 1 KiB blocks, 2048 a group: 4 groups, so 4 descriptors, bitmaps
	# and inode tables to damage, and backup superblocks.
	mke2fs -q -F -t ext2 -b 1024 -g 2048 -d "$T/dtree" "$T/base.img" 8M \
		>/dev/null || { fail "damaged images" "mke2fs -d failed"; return; }
	tests/storage/written.py --layout "$T/base.img" "$T/layout.json" \
		/ /sub /sub/deeper /sub/deeper/f7 /sub/random
	for seed in $(seq 1 "$n"); do
		what=$(tests/storage/damage.py "$T/base.img" "$T/x.img" "$seed")
		echo "${what%%:*}" | sed 's/ at [0-9]*$//' >>"$T/kinds"
		_damaged_run "$seed" "$what" read /data &&
			_damaged_run "$seed" "$what" change /data damaged ||
			bad=$((bad + 1))
	done
	[ "$bad" = 0 ] && pass "damaged images: $n mounted or refused, read, then changed: none hung or crashed, none written outside its metadata, free blocks and the files changed ($DAMAGED_WRITTEN blocks written in all; $(sort "$T/kinds" | uniq -c | awk '{ n = $1; $1 = ""; printf "%s%s %d", sep, substr($0, 2), n; sep = ", " }'))"
}

fs_apps() {
	kind=$1 attach=$2 after=$3
	# the program outside /tmp, which the mount covers in the guest (the
	# repository itself may lie in /tmp)
	bin=$(mktemp -d /var/tmp/skiff-fs-apps.XXXXXX)
	for src in tests/apps/fs/*.c; do
		n=$(basename "$src" .c)
		[ "$n" = etc_files ] && continue
		grep -q '^/\* \(ARGS\|STDIN\|ENV\|SKIFF\|TTY\):' "$src" && continue
		case " ${FS_APPS_SKIP:-} " in
		*" $n "*)
			skip "apps $n on $kind" "$FS_APPS_WHY"
			continue ;;
		esac
		gcc -static -D_GNU_SOURCE -O1 -I tests/apps -o "$bin/app" "$src" || {
			fail "apps $n" "does not build"; continue; }
		d=$(mktemp -d /tmp/skiff-storage.XXXXXX)
		(cd "$d" && env -i PATH=/usr/bin:/bin HOME=/ "$bin/app" >"$T/a.nat" 2>/dev/null
			echo $? >"$T/a.nrc")
		rm -rf "$d"
		d=$(mktemp -d /tmp/skiff-storage.XXXXXX)
		opts=$($attach "$d")
		# shellcheck disable=SC2086
		(cd "$d" && sk $opts "$bin/app" >"$T/a.sk" 2>"$T/a.err"
			echo $? >"$T/a.src")
		if ! cmp -s "$T/a.nat" "$T/a.sk" || ! cmp -s "$T/a.nrc" "$T/a.src"; then
			fail "apps $n on $kind" "exit $(cat "$T/a.src") (native $(cat "$T/a.nrc")): $(diff "$T/a.nat" "$T/a.sk" | head -n 3 | tr '\n' ' ') $(head -n 1 "$T/a.err")"
		elif why=$($after "$d"); then
			pass "apps $n: in a directory on $kind as natively, $why"
		else
			fail "apps $n on $kind" "$why"
		fi
		rm -rf "$d"
	done
	rm -rf "$bin"
}

# _qemu_of PID: the QEMU process that skiff run PID started (its child).
_qemu_of() {
	ps -o pid= -o comm= --ppid "$1" 2>/dev/null | awk '$2 ~ /^qemu/ { print $1 }'
}

# _crash_round ROUND: one boot of `records /data append` on $T/c.img,
# QEMU killed with SIGKILL at a random moment: most rounds a random 0-1 s
# after the program read the log back ("have N"), one in four a random
# 0.2-2.5 s after launch (during boot or the read-back). Checks the "have"
# line against CRASH_PRINTED (the highest record printed before a kill),
# then raises CRASH_PRINTED; sets WHY and returns 1 on a loss.
_crash_round() {
	rm -f "$T/c.out"
	"$SKIFF" run --net none --accel "$APPS_ACCEL" -v "$T/c.img:/data" \
		"$T/records" /data append >"$T/c.out" 2>"$T/c.err" &
	spid=$!
	if [ $(($(od -An -N1 -tu1 /dev/urandom) % 4)) = 0 ]; then
		delay=$(shuf -i 200-2500 -n 1)
		sleep "$(echo "$delay" | awk '{ print $1 / 1000 }')"
		how="${delay} ms after launch"
	else
		i=0
		while ! grep -q "^have" "$T/c.out" 2>/dev/null && [ $i -lt 1200 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		delay=$(shuf -i 0-1000 -n 1)
		sleep "$(echo "$delay" | awk '{ print $1 / 1000 }')"
		how="${delay} ms after the read-back"
	fi
	q=$(_qemu_of $spid)
	if [ -z "$q" ]; then
		kill -KILL $spid 2>/dev/null
		wait $spid
		WHY="round $1: no QEMU under skiff run (it ended: $(tail -n 2 "$T/c.err" | tr '\n' ' ') $(tail -n 1 "$T/c.out"))"
		return 1
	fi
	kill -KILL "$q"
	wait $spid
	CRASH_KILLS=$((CRASH_KILLS + 1))
	have=$(sed -n 's/^have //p' "$T/c.out")
	if [ -n "$have" ] && [ "$have" -lt "$CRASH_PRINTED" ]; then
		WHY="round $1: the boot found $have records, $CRASH_PRINTED were printed before the last kill"
		return 1
	fi
	if grep -q "^\(open\|read\|cut\|write\|sync\)" "$T/c.out"; then
		WHY="round $1: $(grep "^\(open\|read\|cut\|write\|sync\)" "$T/c.out" | head -n 1)"
		return 1
	fi
	last=$(sed -n 's/^rec //p' "$T/c.out" | tail -n 1)
	[ -n "$last" ] && CRASH_PRINTED=$last
	CRASH_HOW="$how, last record printed ${last:-none}"
	# ext2 has no journal: a kill halfway through an allocation leaves
	# what e2fsck repairs (counted, not a failure); records must survive.
	e2fsck -fy "$T/c.img" >"$T/c.fsck" 2>&1
	rc=$?
	[ $rc = 1 ] && CRASH_FIXED=$((CRASH_FIXED + 1))
	if [ $rc -gt 1 ]; then
		WHY="round $1: e2fsck -fy exit $rc: $(grep -v '^Pass\|^e2fsck' "$T/c.fsck" | head -n 3 | tr '\n' ' ')"
		return 1
	fi
	return 0
}

# _crash_check WHEN: a boot that only reads the log back must find every
# record printed so far and exit 0; then a fresh image (every 10 rounds:
# the log grows by megabytes a second).
_crash_check() {
	sk -v "$T/c.img:/data" "$T/records" /data check >"$T/c.out" 2>"$T/c.err"
	rc=$?
	have=$(sed -n 's/^have //p' "$T/c.out")
	if [ $rc != 0 ] || [ -z "$have" ] || [ "$have" -lt "$CRASH_PRINTED" ]; then
		WHY="$1: check found ${have:-nothing} records (exit $rc), $CRASH_PRINTED were printed; last kill $CRASH_HOW"
		return 1
	fi
	CRASH_CHECKED=$((CRASH_CHECKED + have))
	if ! e2fsck -fn "$T/c.img" >"$T/c.fsck" 2>&1; then
		WHY="$1: e2fsck -fn after a clean run: $(grep -v '^Pass\|^e2fsck' "$T/c.fsck" | head -n 3 | tr '\n' ' ')"
		return 1
	fi
	return 0
}

crash_loop() {
	n=$1 r=0 CRASH_KILLS=0 CRASH_FIXED=0 CRASH_CHECKED=0 WHY=""
	while [ $r -lt "$n" ]; do
		if [ $((r % 10)) = 0 ]; then
			rm -f "$T/c.img"
			mke2fs -q -F -t ext2 -b 1024 "$T/c.img" 256M >/dev/null
			CRASH_PRINTED=0
		fi
		r=$((r + 1))
		[ -n "${CRASH_PROGRESS:-}" ] && [ $((r % 10)) = 0 ] &&
			echo "crash: round $r, $CRASH_KILLS kills, $CRASH_FIXED repaired" >&2
		_crash_round $r || break
		if [ $((r % 10)) = 0 ] || [ $r = "$n" ]; then
			_crash_check "after round $r" || break
		fi
		WHY=""
	done
	if [ -n "$WHY" ]; then
		fail "crash" "$WHY"
		cp "$T/c.img" "${CRASH_KEEP:-/tmp}/skiff-crash.img" 2>/dev/null &&
			echo "     the image is in ${CRASH_KEEP:-/tmp}/skiff-crash.img"
	else
		pass "crash: $n SIGKILLs of QEMU while appending fsynced records; every printed record found ($CRASH_CHECKED checked; e2fsck -fy repaired $CRASH_FIXED images)"
	fi
}
