#!/bin/sh
# tests/layers/run.sh: the "layers" part of the suite. First the check
# itself is tested (so it cannot pass by checking nothing): each case
# builds a small fake tree in build/layers/, runs scripts/check-layers.sh
# on it and requires its exit status and, for a violation, the exact line
# it must print. Then the check runs on this tree with the known
# violations of tests/layers/exceptions.txt: one check, which fails on a
# new violation or a stale exception (the lines are printed).
#
#   tests/layers/run.sh     prints "ok"/"FAIL" per case, then
#                           "layers: N passed, N failed"
#   scripts/check-layers.sh -a   lists every violation, known ones too
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/verdict.sh
CHECK=$(pwd)/scripts/check-layers.sh
T=$(pwd)/build/layers
rm -rf "$T"
mkdir -p "$T"

# tree NAME: a fresh fake tree that follows the rules, in $T/NAME.
tree() {
	d=$T/$1
	mkdir -p "$d/include/skiff" "$d/lib" "$d/arch/x86_64" "$d/mm" "$d/fs/vfs" \
		"$d/linux" "$d/kernel" "$d/tools"
	for h in types lib sched mm vfs arch; do
		echo "/* $h */" >"$d/include/skiff/$h.h"
	done
	echo '#include <skiff/types.h>' >"$d/include/skiff/lib.h"
	printf '#include <skiff/lib.h>\n#include <stdint.h>\n' >"$d/lib/string.c"
	echo '/* private to arch */' >"$d/arch/x86_64/paging.h"
	printf '#include <skiff/arch.h>\n#include "paging.h"\n' >"$d/arch/x86_64/paging.c"
	echo '/* private to mm */' >"$d/mm/vm.h"
	# same layer (sched), its own private header
	printf '#include <skiff/sched.h>\n#include "vm.h"\n' >"$d/mm/vm.c"
	echo '/* private to fs */' >"$d/fs/vfs/internal.h"
	# own tree, one directory up
	printf '#include "vfs/internal.h"\n#include <skiff/mm.h>\n' >"$d/fs/init.c"
	# "syscalls.h" is generated at build time: found nowhere
	printf '#include <skiff/vfs.h>\n#include "syscalls.h"\n' >"$d/linux/table.c"
	# kernel/ may include every public header
	printf '#include <skiff/vfs.h>\n#include <skiff/arch.h>\n' >"$d/kernel/main.c"
	echo '/* private to kernel */' >"$d/kernel/ksyms.h"
	# the host tool is not the kernel
	echo '#include "../mm/vm.h"' >"$d/tools/main.c"
	: >"$d/exceptions.txt"
}

# case WHAT NAME STATUS [LINE]: runs the check on $T/NAME; passes when its
# exit status is STATUS and, if LINE is given, it printed LINE exactly.
case_() {
	what=$1 d=$T/$2 want=$3 line=$4
	"$CHECK" -x "$d/exceptions.txt" "$d" >"$d.out" 2>&1
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "self-test: $what" "exit $rc, expected $want"
		sed 's/^/  | /' "$d.out"
	elif [ -n "$line" ] && ! grep -qxF "$line" "$d.out"; then
		fail "self-test: $what" "no line \"$line\""
		sed 's/^/  | /' "$d.out"
	else
		pass "self-test: $what"
	fi
}

tree clean
case_ "a tree that follows the rules passes" clean 0 \
	"check-layers: 16 files, 13 includes, 0 known, 0 new, 0 stale"

tree private
echo '#include "../arch/x86_64/paging.h"' >>"$T/private/mm/vm.c"
case_ "a private header of another subsystem fails" private 1 \
	"mm/vm.c: includes private header ../arch/x86_64/paging.h of arch"

tree up
echo '#include <skiff/mm.h>' >>"$T/up/arch/x86_64/paging.c"
case_ "a public header of a layer above fails" up 1 \
	"arch/x86_64/paging.c: includes skiff/mm.h (mm above arch)"

tree lib
echo '#include <skiff/sched.h>' >>"$T/lib/lib/string.c"
case_ "lib including anything above it fails" lib 1 \
	"lib/string.c: includes skiff/sched.h (sched above lib)"

tree public
echo '#include <skiff/vfs.h>' >>"$T/public/include/skiff/lib.h"
case_ "a public header including one of a layer above fails" public 1 \
	"include/skiff/lib.h: includes skiff/vfs.h (fs above lib)"

tree both
echo '#include "../kernel/ksyms.h"' >>"$T/both/arch/x86_64/paging.c"
case_ "a private header found through -Iinclude: private and above" both 1 \
	"arch/x86_64/paging.c: includes private header ../kernel/ksyms.h of kernel"
case_ "the same include: a layer above" both 1 \
	"arch/x86_64/paging.c: includes ../kernel/ksyms.h (kernel above arch)"

tree known
echo '#include "../arch/x86_64/paging.h"' >>"$T/known/mm/vm.c"
printf '# known\nmm/vm.c ../arch/x86_64/paging.h being fixed\n' >"$T/known/exceptions.txt"
case_ "a violation listed in the exceptions passes" known 0 \
	"check-layers: 16 files, 14 includes, 1 known, 0 new, 0 stale"

tree stale
echo 'fs/init.c ../mm/vm.h fixed since' >"$T/stale/exceptions.txt"
case_ "an exception whose include is gone fails" stale 1 \
	"exceptions.txt: stale exception: fs/init.c ../mm/vm.h (no longer included: remove the line)"

tree noowner
echo '/* new */' >"$T/noowner/include/skiff/new.h"
echo '#include <skiff/new.h>' >>"$T/noowner/mm/vm.c"
case_ "a public header in no layer fails" noowner 1 \
	"mm/vm.c: includes skiff/new.h, a public header in no layer (add it to OWNERS in scripts/check-layers.sh)"

tree nolayer
mkdir -p "$T/nolayer/virt"
echo '#include <skiff/mm.h>' >"$T/nolayer/virt/x.c"
case_ "a directory in no layer fails" nolayer 1 \
	"virt/x.c: virt/ is in no layer (add it to rank in scripts/check-layers.sh)"

# The tree itself.
if "$CHECK" >"$T/tree.out" 2>&1; then
	pass "$(tail -n 1 "$T/tree.out")"
else
	grep -v '^check-layers:' "$T/tree.out"
	fail "$(tail -n 1 "$T/tree.out")" "new violations or stale exceptions above"
fi

summary layers
