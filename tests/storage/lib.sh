# tests/storage/lib.sh: shared by tests/storage/run.sh and damaged.sh.
# Sourced after tests/lib/verdict.sh, from the repository's root, with
# $T a scratch directory and $SKIFF the skiff binary.
#
#   storage_build           builds the test programs into $T (static)
#   fs_apps_each FN         for each program of tests/apps/fs/ that needs
#                           no directive (etc_files reads the image's /etc):
#                           builds it static into $T/app, runs it natively
#                           in an empty directory ($T/a.nat, exit status in
#                           $T/a.nrc), then calls FN NAME to run it in Skiff
#                           (tests/storage/run.sh on ext2, tests/skiff/
#                           ninep.sh on a 9p share)
#   damaged_loop N          N damaged copies of an image made with mke2fs -d
#                           from a small tree (tests/storage/damage.py SEED
#                           for SEED 1..N: superblock, descriptors, bitmaps,
#                           inode table, directories, indirect blocks, cut
#                           short), each mounted in Skiff and walked, then
#                           changed (walk DIR damaged), within 120 s: one
#                           pass line for all, one fail line per image that
#                           hung, crashed or panicked (its damage and seed).
: "${APPS_ACCEL:=tcg}"

storage_build() {
	for p in fsops big walk; do
		gcc -O -Wall -static -o "$T/$p" "tests/storage/$p.c" || return 1
	done
}

fs_apps_each() {
	for src in tests/apps/fs/*.c; do
		n=$(basename "$src" .c)
		[ "$n" = etc_files ] && continue
		grep -q '^/\* \(ARGS\|STDIN\|ENV\|SKIFF\|TTY\):' "$src" && continue
		gcc -static -D_GNU_SOURCE -O1 -I tests/apps -o "$T/app" "$src" || {
			fail "apps $n" "does not build"; continue; }
		d=$(mktemp -d /tmp/skiff-storage.XXXXXX)
		(cd "$d" && env -i PATH=/usr/bin:/bin HOME=/ "$T/app" >"$T/a.nat" 2>/dev/null
			echo $? >"$T/a.nrc")
		rm -rf "$d"
		"$1" "$n"
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

damaged_loop() {
	n=$1 bad=0
	make_tree "$T/dtree"
	rm -f "$T/base.img"
	mke2fs -q -F -t ext2 -d "$T/dtree" "$T/base.img" 8M >/dev/null || {
		fail "damaged images" "mke2fs -d failed"; return; }
	for seed in $(seq 1 "$n"); do
		what=$(tests/storage/damage.py "$T/base.img" "$T/x.img" "$seed")
		sk -v "$T/x.img:/data" "$T/walk" /data damaged >"$T/d.out" 2>"$T/d.err"
		rc=$?
		if [ "$rc" = 124 ] || grep -Eq "panic|crashed|QEMU was killed" "$T/d.err"; then
			fail "damaged image $seed ($what)" "exit $rc: $(tail -n 1 "$T/d.err")"
			bad=$((bad + 1))
		fi
	done
	[ "$bad" = 0 ] && pass "damaged images: $n mounted or refused, none hung or crashed"
}
