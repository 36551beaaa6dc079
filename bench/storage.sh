# bench/storage.sh: the storage part of `make bench`, sourced by
# bench/run.sh (uses its B, R, ACCEL, KHZ, QUICK, log, qemu_base,
# shell_words). Skiff beside the Linux guest on the same ext2 image file,
# the same QEMU drive (format=raw, QEMU's default cache mode, writeback
# with the guest's flushes honoured), the same virtio-blk device on
# microvm (virtio-mmio, modern), the same memory, the same static program
# (bench/prog/storagebench.c):
#   skiff   skiff run --net none -v IMAGE:/data storagebench MODE /data
#   linux   Debian's kernel; /init (bench/linux/blkinit.c) loads virtio_blk
#           and mounts the image on /data as ext2 (the ext4 driver), runs
#           storagebench MODE /data, unmounts
# Each round, for each guest in turn (interleaved: drift hits both alike):
# a fresh image (mke2fs -t ext2 -b 4096 -d, 1 GiB, holding src.tar, this
# commit's tree as `git archive HEAD` gives it, ustar), a boot in `write`
# mode (sequential write, random writes, fsync latency, tar x), then a
# boot in `read` mode (cold cache: random reads, sequential read).
# STORAGE_ROUNDS rounds (3; 1 with QUICK=1).
# Entry points: storage_build, storage_all. Results: stor-GUEST-MEASURE
# (a figure per round, or "fail REASON"), stor-GUEST-MODE-N.out (the
# boot's output), cmd-storage-GUEST-MODE (the exact command), stor-facts.

STOR=$B/storage
STOR_MEM=512
STOR_MEASURES="seq_write_mbs seq_read_mbs rand_read_iops rand_write_iops fsync_us fsync_p90_us tar_ms"

storage_build() {
	STOR_LINUX_OK=
	rm -rf "$STOR"
	mkdir -p "$STOR/tin" "$STOR/tree" "$STOR/src"
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static \
		-o "$STOR/tree/storagebench" bench/prog/storagebench.c
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static \
		-o "$STOR/blkinit" bench/linux/blkinit.c
	git archive HEAD | tar -x -C "$STOR/src"
	tar --format=ustar -cf "$STOR/tin/src.tar" -C "$STOR/src" .
	{ echo "# storage: the archive tar x extracts (this commit's tree)"
		echo "git archive HEAD | tar -x -C $STOR/src"
		echo "tar --format=ustar -cf $STOR/tin/src.tar -C $STOR/src ."
	} >"$R/cmd-storage-0-archive"
	echo "tar_files $(find "$STOR/src" | wc -l)" >"$R/stor-facts"
	echo "tar_bytes $(stat -c %s "$STOR/tin/src.tar")" >>"$R/stor-facts"
	if [ -s "$B/linux/modules-blk/order" ] &&
	   bench/linux/mknetinitramfs.sh "$STOR/initramfs.cpio" \
		"$STOR/blkinit" "$B/linux/modules-blk" "$STOR/tree" \
		2>"$R/stor-mkinitramfs.err"; then
		STOR_LINUX_OK=1
	else
		log "storage: no Linux guest initramfs (see $R/stor-mkinitramfs.err)"
	fi
}

# Sets CMD for guest $1 running storagebench mode $2 on image $3.
storage_cmd() {
	local g=$1 mode=$2 img=$3
	if [ "$g" = skiff ]; then
		CMD=("$B/skiff" run --no-cwd --net none --accel "$ACCEL" --machine microvm
			-m "$STOR_MEM" -v "$img:/data" "$STOR/tree/storagebench"
			--tsc-khz="$KHZ" "$mode" /data)
	else
		qemu_base microvm,x-option-roms=off "$STOR_MEM"
		CMD=("${QEMU[@]}" -kernel "$B/linux/vmlinuz"
			-initrd "$STOR/initramfs.cpio"
			-drive "file=$img,format=raw,if=none,id=disk0"
			-device virtio-blk-device,drive=disk0
			-global virtio-mmio.force-legacy=false
			-append "$(bench/linux/cmdline.sh microvm "$KHZ") -- --tsc-khz=$KHZ $mode /data")
	fi
	local f="$R/cmd-storage-$g-$mode"
	[ -e "$f" ] || { echo "# storage: $g on microvm, $STOR_MEM MiB: storagebench $mode"
		shell_words "${CMD[@]}"; } >"$f"
}

# One boot: guest $1, mode $2, round $3; appends each figure it printed
# to stor-GUEST-MEASURE, or "fail REASON" for each it did not.
storage_boot() {
	local g=$1 mode=$2 i=$3 out rc want=0 m v why
	out="$R/stor-$g-$mode-$i.out"
	storage_cmd "$g" "$mode" "./$STOR/disk.img"
	[ "$g" = linux ] && want=1
	rc=0
	timeout -k 5 900 "${CMD[@]}" </dev/null >"$out" 2>&1 || rc=$?
	tr -d '\r' <"$out" >"$out.tmp" && mv "$out.tmp" "$out"
	why=""
	[ "$rc" = "$want" ] || why="exit status $rc: $(grep -v '^seq\|^rand\|^fsync\|^tar' "$out" | tail -n 2 | tr '\n' ' ' | cut -c1-120 || true)"
	case $mode in
	write) set -- seq_write_mbs rand_write_iops fsync_us fsync_p90_us tar_ms ;;
	read) set -- rand_read_iops seq_read_mbs ;;
	esac
	for m in "$@"; do
		v=$(awk -v k="$m" '$1 == k { print $2; exit }' "$out")
		if [ -n "$v" ]; then
			echo "$v" >>"$R/stor-$g-$m"
		else
			echo "fail ${why:-$(grep "^missing $m" "$out" | head -n 1 || true)}" >>"$R/stor-$g-$m"
		fi
	done
	[ -z "$why" ] || log "storage: $g $mode, round $i: $why"
}

storage_all() {
	local i g rounds=3
	[ -n "${QUICK:-}" ] && rounds=1
	rounds=${STORAGE_ROUNDS:-$rounds}
	rm -f "$R"/stor-skiff-* "$R"/stor-linux-* "$R"/cmd-storage-*
	storage_build
	echo "rounds $rounds" >>"$R/stor-facts"
	echo "mem $STOR_MEM" >>"$R/stor-facts"
	echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo none)" >>"$R/stor-facts"
	echo "date $(date -u '+%Y-%m-%d %H:%M UTC')" >>"$R/stor-facts"
	for i in $(seq "$rounds"); do
		for g in skiff linux; do
			[ "$g" = skiff ] && [ -z "${SKIFF_OK:-}" ] && continue
			[ "$g" = linux ] && [ -z "$STOR_LINUX_OK" ] && continue
			log "storage: $g, round $i of $rounds"
			rm -f "$STOR/disk.img"
			MKFS=(mke2fs -q -F -t ext2 -b 4096 -d "$STOR/tin"
				"$STOR/disk.img" 1G)
			[ -e "$R/cmd-storage-0-image" ] || { echo "# storage: the image, made anew before each write boot"
				shell_words "${MKFS[@]}"; } >"$R/cmd-storage-0-image"
			"${MKFS[@]}" >/dev/null
			storage_boot "$g" write "$i"
			storage_boot "$g" read "$i"
			if ! e2fsck -fn "$STOR/disk.img" >"$R/stor-$g-fsck-$i" 2>&1; then
				log "storage: $g, round $i: e2fsck -fn finds errors"
				echo "fsck_errors $g $i" >>"$R/stor-facts"
			fi
		done
	done
	rm -f "$STOR/disk.img"
}
