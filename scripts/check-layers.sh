#!/bin/sh
# scripts/check-layers.sh: the include rule of DESIGN.md, checked on every
# #include of the kernel's sources: the *.c, *.h and *.S files of every
# top-level directory but tools tests bench docs scripts examples deps
# build (so arch drivers mm sched fs net linux api kernel lib), and the
# public headers in include/skiff/. A directory with no layer fails.
#
#   scripts/check-layers.sh [-a] [-x EXCEPTIONS] [ROOT]
#     ROOT        the tree to check (default: this repository)
#     -x FILE     the known violations (default: ROOT/tests/layers/
#                 exceptions.txt; none if it does not exist)
#     -a          also print the known violations, marked "(known)"
#
# Two rules, one line per violation:
#   (a) A subsystem's private header (any header outside include/skiff/)
#       is included only inside its own directory tree (the first
#       component of its path: arch/, mm/, fs/, ...):
#         FILE: includes private header HEADER of SUBSYS
#   (b) A layer includes no header of a layer above it:
#         FILE: includes HEADER (LAYER_A above LAYER_B)
#       Layers, lowest first (DESIGN.md): lib < arch < drivers <
#       {mm, sched, fs, net} < {linux, api} < kernel. Subsystems of one
#       layer may include each other's public headers; kernel/ (the init
#       sequence) may include every public header. A public header
#       include/skiff/X.h belongs to the subsystem that implements it, or
#       to the lower layer that declares an interface implemented above
#       (OWNERS below); a private header to the directory it is in.
# HEADER is written as in the #include. A quoted include is looked up
# beside the including file, then in include/ (as the compiler does); one
# found in neither is generated at build time (build/gen/syscalls.h) and
# belongs to the file's own subsystem. <...> includes other than
# <skiff/...> are the compiler's and are not checked. A public header
# that is in no layer is a violation too: add it to OWNERS.
#
# Known violations, waiting for their fix, are listed in the exceptions
# file, one a line, "FILE HEADER reason" (# comments, blank lines). A
# listed include passes; a listed include that no longer exists fails
# ("stale exception"), so the list only shrinks:
#         EXCEPTIONS: stale exception: FILE HEADER (remove the line)
# Ends with "check-layers: N files, N includes, N known, N new, N stale";
# exit status 0 if nothing is new and nothing stale, 1 otherwise, 2 for
# bad usage. tests/layers/run.sh runs it (the "layers" part of the suite).

all=0
exc=""
while getopts ax: opt; do
	case $opt in
	a) all=1 ;;
	x) exc=$OPTARG ;;
	*) echo "usage: $0 [-a] [-x EXCEPTIONS] [ROOT]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
ROOT=${1:-$(dirname "$0")/..}
ROOT=$(cd "$ROOT" && pwd) || exit 2
[ -z "$exc" ] && exc=$ROOT/tests/layers/exceptions.txt
[ -f "$exc" ] || exc=/dev/null
# Not the kernel: the host tool, tests, benchmarks, scripts, examples.
NOT_KERNEL="tools tests bench docs scripts examples deps build include"

# OWNERS: include/skiff/NAME -> the subsystem that implements it.
# kernel.h (klog, panic, the boot options, power-off) is implemented in
# kernel/ but called from every layer: it is declared at the bottom and
# implemented above, the way DESIGN.md allows an upward call. console.h
# is the console device (kernel/console.c over drivers/serial.c, input
# readiness hooked up from fs/devfs): drivers. time.h is the clock of
# arch/x86_64/tsc.c. alloc.h (the page allocator and heap) and the
# checked copies of uaccess.h are implemented by mm/ but declared at
# arch's level, for arch's own use: upward calls, said in those headers.
# kthread.h (drivers' bottom-half threads) is implemented by sched/ and
# declared at drivers' level the same way; so are blkdev.h's blk_* calls
# (fs/blkio.c, which sleeps on a wait queue for the disk drivers).
# metrics.h is kernel/metrics.c's, read by procfs, the API and the
# virtio console's metrics port, and declares the syscall table's
# counters (linux/table.c): declared at the bottom like kernel.h.
owner_of() {
	case $1 in
	types.h | lib.h | rbtree.h | errno.h | elf.h | cpio.h | proto.h | kernel.h | metrics.h) echo lib ;;
	arch.h | time.h | paging.h | frame.h | alloc.h | uaccess.h | pvh.h) echo arch ;;
	console.h | serial.h | vconsole.h | netdev.h | blkdev.h | p9chan.h | virtio.h | pci.h | kthread.h) echo drivers ;;
	mm.h) echo mm ;;
	sched.h | process.h | futex.h) echo sched ;;
	vfs.h | fdtable.h) echo fs ;;
	net.h) echo net ;;
	linux.h) echo linux ;;
	api.h) echo api ;;
	esac
}

# rank SUBSYS: its layer, 0 the lowest; nothing if SUBSYS has none.
rank() {
	case $1 in
	lib) echo 0 ;;
	arch) echo 1 ;;
	drivers) echo 2 ;;
	mm | sched | fs | net) echo 3 ;;
	linux | api) echo 4 ;;
	kernel) echo 5 ;;
	esac
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/found"
nfiles=0
nincl=0

# report FILE HEADER MESSAGE: one violation (known or new).
report() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$tmp/found"
}

# check FILE: every #include of FILE (relative to ROOT).
check() {
	f=$1
	case $f in
	include/skiff/*)
		sub=$(owner_of "${f#include/skiff/}")
		tree=include
		if [ -z "$sub" ]; then
			report "$f" - "$f: public header in no layer (add it to OWNERS in scripts/check-layers.sh)"
			return
		fi
		;;
	*) sub=${f%%/*} tree=$sub ;;
	esac
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"]\)\([^">]*\)[">].*/\1 \2/p' "$ROOT/$f" >"$tmp/incl"
	while read -r kind h; do
		nincl=$((nincl + 1))
		target=""
		if [ "$kind" = '"' ]; then
			p=$(realpath -m --relative-to="$ROOT" "$ROOT/$(dirname "$f")/$h")
			if [ -f "$ROOT/$p" ]; then
				target=$p
			elif [ -f "$ROOT/include/$h" ]; then
				target=$(realpath -m --relative-to="$ROOT" "$ROOT/include/$h")
			fi
		else
			case $h in
			skiff/*) target=include/$h ;;
			esac
		fi
		[ -n "$target" ] || continue
		case $target in
		include/skiff/*)
			towner=$(owner_of "${target#include/skiff/}")
			if [ -z "$towner" ]; then
				report "$f" "$h" "$f: includes $h, a public header in no layer (add it to OWNERS in scripts/check-layers.sh)"
				continue
			fi
			;;
		*)
			towner=${target%%/*}
			if [ "$towner" != "$tree" ]; then
				report "$f" "$h" "$f: includes private header $h of $towner"
			fi
			;;
		esac
		rt=$(rank "$towner") rs=$(rank "$sub")
		if [ -n "$rt" ] && [ -n "$rs" ] && [ "$rt" -gt "$rs" ]; then
			report "$f" "$h" "$f: includes $h ($towner above $sub)"
		fi
	done <"$tmp/incl"
}

(cd "$ROOT" && for d in */ include/skiff/; do
	d=${d%/}
	case " $NOT_KERNEL " in *" $d "*) continue ;; esac
	[ -d "$d" ] && find "$d" -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' \)
done) | sort >"$tmp/files"
while read -r f; do
	nfiles=$((nfiles + 1))
	case $f in
	include/*) ;;
	*)
		if [ -z "$(rank "${f%%/*}")" ]; then
			report "$f" - "$f: ${f%%/*}/ is in no layer (add it to rank in scripts/check-layers.sh)"
			continue
		fi
		;;
	esac
	check "$f"
done <"$tmp/files"

# Split what was found into known and new; find the stale exceptions.
grep -v '^[[:space:]]*\(#\|$\)' "$exc" | awk '{ print $1 "\t" $2 }' | sort -u >"$tmp/exc"
awk -F '\t' -v all="$all" -v exc="$tmp/exc" '
	BEGIN { while ((getline line < exc) > 0) known[line] = 1 }
	($1 "\t" $2) in known { used[$1 "\t" $2] = 1; nknown++; if (all) print $3 " (known)"; next }
	{ print $3; nnew++ }
	END {
		for (k in known) if (!(k in used)) {
			split(k, a, "\t")
			print "EXCEPTIONS: stale exception: " a[1] " " a[2] " (no longer included: remove the line)" | "sort"
			nstale++
		}
		close("sort")
		printf "%d %d %d\n", nknown, nnew, nstale > "/dev/stderr"
	}' "$tmp/found" 2>"$tmp/counts" | sed "s,^EXCEPTIONS:,${exc#"$ROOT"/}:,"
read -r nknown nnew nstale <"$tmp/counts"
echo "check-layers: $nfiles files, $nincl includes, $nknown known, $nnew new, $nstale stale"
[ "$nnew" -eq 0 ] && [ "$nstale" -eq 0 ]
