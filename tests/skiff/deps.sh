#!/bin/sh
# tests/skiff/deps.sh: what `skiff build` and `skiff run` pack for dynamically
# linked programs (tools/skiff/deps.c, tree.c, runtimes.c), checked from the
# outside:
#   - image contents, read back with GNU cpio (cpio -t, cpio -tv);
#   - the image extracted and run with chroot on this host: Linux and glibc's
#     own ld.so then use nothing but the image's files, so a missing library
#     or stdlib module fails there as it would in the guest; its output must
#     be the host's own run of the same program;
#   - the same programs booted in Skiff (QEMU, TCG), compared with the host.
# Expectations come from Linux: ldd (which library, at which path), the
# host's run of each program. The programs built here:
#   app/lib/libskt.so     int skt(void)
#   app/bin/prog          needs libskt.so through RUNPATH $ORIGIN/../lib
#   plug/libplug.so       needs libskt.so (RUNPATH $ORIGIN/../app/lib)
#   app/bin/loader        dlopens plug/libplug.so by its absolute path
#   app/bin/missing       needs libskt-missing.so, which is nowhere
#
#   tests/skiff/deps.sh   prints "ok"/"FAIL" per check ("skip" for a check
#                         this host cannot make: never counted as passed),
#                         then "deps: N passed, N failed[, N skipped]"
#                         (tests/lib/verdict.sh); exit status 0 if none
#                         failed.
#   DEPS_VM=0             leaves out the runs in QEMU
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
SKIFF=$ROOT/build/skiff
D=$ROOT/build/deps-test
: "${APPS_ACCEL:=tcg}"
: "${DEPS_VM:=1}"
. "$ROOT/tests/lib/verdict.sh"
ENVI="env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/"


rm -rf "$D"
mkdir -p "$D/app/bin" "$D/app/lib" "$D/plug" "$D/tree/sub" "$D/outside"
cd "$D" || exit 1
cat >skt.c <<'EOF'
int skt(void) { return 42; }
EOF
cat >prog.c <<'EOF'
#include <stdio.h>
int skt(void);
int main(void) { printf("skt %d\n", skt()); return 0; }
EOF
cat >plug.c <<'EOF'
int skt(void);
int plug(void) { return skt() + 1; }
EOF
cat >loader.c <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	void *h = dlopen(argv[1], RTLD_NOW);
	int (*plug)(void) = h ? (int (*)(void))dlsym(h, "plug") : NULL;

	if (!plug) { printf("dlopen: %s\n", dlerror()); return 1; }
	printf("plug %d\n", plug());
	return 0;
}
EOF
if ! { gcc -shared -fPIC -o app/lib/libskt.so skt.c &&
	gcc -o app/bin/prog prog.c -Lapp/lib -lskt -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib' &&
	gcc -shared -fPIC -o plug/libplug.so plug.c -Lapp/lib -lskt -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../app/lib' &&
	gcc -o app/bin/loader loader.c -ldl &&
	gcc -shared -fPIC -o libskt-missing.so skt.c -Wl,-soname,libskt-missing.so &&
	gcc -o app/bin/missing prog.c -L. -lskt-missing -Wl,--no-as-needed &&
	rm libskt-missing.so; }; then
	fail "cannot build the test programs"
	summary deps
	exit 1
fi
REL=${D#/}

# Running in an extracted image: chroot, with a /proc of its own (ld.so
# reads /proc/self/exe for the program's $ORIGIN), in new mount and PID
# namespaces; as root, else in a user namespace; "" if neither works.
CHROOT=""
for u in "" "-r"; do
	if [ -z "$CHROOT" ] && unshare $u -fpm --mount-proc true 2>/dev/null; then
		CHROOT="unshare $u -fpm"
	fi
done

# build NAME ARGS...: skiff build -o NAME.img ARGS; the listing in NAME.list
# (without padding entries), stderr in NAME.err. Returns skiff's status.
build() {
	name=$1
	shift
	"$SKIFF" build --format cpio -o "$D/$name.img" "$@" 2>"$D/$name.err"
	rc=$?
	cpio -it --quiet <"$D/$name.img" 2>/dev/null | grep -vx '.skiff/pad' >"$D/$name.list"
	return $rc
}

# phys PATH: PATH with its directory's symlinks resolved on the host, where
# the image has the entry (/lib64/ld-linux-x86-64.so.2 on merged /usr:
# usr/lib64/ld-linux-x86-64.so.2); PATH itself if the host has no such
# directory (a --dir GUEST).
phys() {
	dir=$(readlink -e "$(dirname "$1")") || dir=$(dirname "$1")
	echo "${dir%/}/$(basename "$1")"
}

# has NAME PATH...: every PATH (absolute) is in NAME.list, at phys PATH.
has() {
	name=$1
	shift
	for p in "$@"; do
		q=$(phys "$p")
		grep -qxF "${q#/}" "$D/$name.list" || { missing=$p; return 1; }
	done
}

# extract NAME: the image unpacked into NAME.root.
extract() {
	rm -rf "$D/$1.root"
	mkdir -p "$D/$1.root"
	(cd "$D/$1.root" && cpio -idmu --quiet <"$D/$1.img" 2>/dev/null)
}

# same WHAT HOSTCMD -- ROOTCMD: runs both (the second in the chroot of the
# last extracted image, $root), compares stdout and status.
same_in_chroot() {
	what=$1 hostcmd=$2 rootcmd=$3
	if [ -z "$CHROOT" ]; then
		skip "$what (no chroot here)"
		return
	fi
	sh -c "$ENVI $hostcmd" >"$D/host.out" 2>&1
	hrc=$?
	mkdir -p "$root/proc"
	sh -c "$ENVI $CHROOT --mount-proc=$root/proc chroot $root $rootcmd" >"$D/root.out" 2>&1
	rrc=$?
	if [ "$hrc" = "$rrc" ] && cmp -s "$D/host.out" "$D/root.out"; then
		pass "$what (exit $rrc, same output as the host)"
	else
		fail "$what: host exit $hrc, image exit $rrc"
		diff "$D/host.out" "$D/root.out" | head -10 | sed 's/^/  | /'
	fi
}

# same_in_vm WHAT CMD [SKIFF OPTIONS...]: CMD on the host and in Skiff.
same_in_vm() {
	what=$1 cmd=$2
	shift 2
	if [ "$DEPS_VM" = 0 ]; then
		skip "$what (DEPS_VM=0)"
		return
	fi
	sh -c "$ENVI $cmd" >"$D/host.out" 2>"$D/host.err" </dev/null
	hrc=$?
	eval "set -- \"\$@\" $cmd"
	timeout -k 5 180 "$SKIFF" run --accel "$APPS_ACCEL" "$@" \
		>"$D/vm.out" 2>"$D/vm.err" </dev/null
	vrc=$?
	if [ "$hrc" = "$vrc" ] && cmp -s "$D/host.out" "$D/vm.out"; then
		pass "$what in Skiff (exit $vrc, same output as the host)"
	else
		fail "$what in Skiff: host exit $hrc, Skiff exit $vrc"
		diff "$D/host.out" "$D/vm.out" | head -10 | sed 's/^/  | /'
		head -n 5 "$D/vm.err" | sed 's/^/  ! /'
	fi
}

# ldd_paths FILE...: the real paths of what ldd lists for each FILE.
ldd_paths() {
	for f in "$@"; do
		ldd "$f" 2>/dev/null | sed -n 's/.* => \(\/[^ ]*\) (0x.*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p'
	done | sort -u | while read -r p; do readlink -f "$p"; done | sort -u
}

# --- a program and its library through RUNPATH $ORIGIN ---
if build prog "$D/app/bin/prog"; then
	interp=$(readelf -lW app/bin/prog | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	if has prog "$D/app/bin/prog" "$D/app/lib/libskt.so" "$interp" /etc/ld.so.cache &&
		has prog $(ldd_paths app/bin/prog); then
		pass "prog: the program, libskt.so at its path, the interpreter, libc, ld.so.cache"
	else
		fail "prog: $missing is not in the image"
	fi
else
	fail "prog: skiff build failed: $(head -n 1 prog.err)"
fi
extract prog
root=$D/prog.root
same_in_chroot "prog runs from the image alone" "$D/app/bin/prog" "$D/app/bin/prog"
same_in_vm "prog" "$D/app/bin/prog"

# --- a symlink chain kept as symlinks (the interpreter's, on merged /usr) ---
ilink=$(readlink "$interp")
if [ -n "$ilink" ]; then
	pi=$(phys "$interp")
	got=$(cpio -itv --quiet <prog.img 2>/dev/null | grep " ${pi#/} -> " | sed 's/.* -> //')
	if [ "$got" = "$ilink" ]; then
		pass "the interpreter $interp is the host's symlink (-> $ilink)"
	else
		fail "the interpreter $interp: symlink to '$got', the host's is '$ilink'"
	fi
else
	skip "the interpreter is not a symlink on this host"
fi

# --- generated /etc files; --file over one of them ---
printf '10.9.8.7 myhost\n' >myhosts
build etc --file "$D/myhosts:/etc/hosts" "$D/app/bin/prog"
extract etc
if [ -s etc.root/etc/passwd ] && [ -s etc.root/etc/group ] &&
	[ -s etc.root/etc/resolv.conf ] && [ -s etc.root/etc/nsswitch.conf ] &&
	cmp -s etc.root/etc/hosts myhosts && ! grep -q . etc.err; then
	pass "/etc: passwd, group, resolv.conf, nsswitch.conf written; --file replaces hosts"
else
	fail "/etc files: $(ls etc.root/etc | tr '\n' ' '); $(head -n 1 etc.err)"
fi

# --- a static program: no interpreter, no cache, no libc ---
printf '#include <stdio.h>\nint main(void){puts("static");return 0;}\n' >static.c
gcc -static -o static static.c
build static "$D/static"
if has static "$D/static" && ! grep -qx 'etc/ld.so.cache' static.list &&
	! grep -q 'libc\.so' static.list; then
	pass "a static program: no ld.so.cache, no libc"
else
	fail "a static program: $(grep -E 'ld.so|libc' static.list | head -3 | tr '\n' ' ')"
fi

# --- a library that is nowhere: a warning, and the image anyway ---
if build missing "$D/app/bin/missing" && grep -q 'libskt-missing.so' missing.err &&
	[ "$(wc -l <missing.err)" = 1 ]; then
	pass "a missing library: one warning ($(cut -c 1-80 missing.err))"
else
	fail "a missing library: exit $?, stderr: $(head -n 2 missing.err)"
fi

# --- --dir: files, modes, symlinks, a FIFO left out, a file outside ---
printf 'data\n' >tree/a.txt
printf '#!/bin/sh\n' >tree/sub/run.sh
chmod 750 tree/sub/run.sh
chmod 700 tree/sub
ln -s a.txt tree/rel-link
printf 'outside\n' >outside/o.txt
ln -s "$D/outside/o.txt" tree/abs-link
mkfifo tree/fifo
build dir --dir "$D/tree:/data" "$D/app/bin/prog"
cpio -itv --quiet <dir.img 2>/dev/null >dir.listv
if has dir /data/a.txt /data/sub/run.sh /data/rel-link /data/abs-link \
	"$D/outside/o.txt" && ! grep -qx 'data/fifo' dir.list &&
	grep -q '^-rwxr-x--- .* data/sub/run.sh$' dir.listv &&
	grep -q '^drwx------ .* data/sub$' dir.listv &&
	grep -q ' data/rel-link -> a.txt$' dir.listv; then
	pass "--dir HOST:/data: files, modes, symlinks, the file outside; no FIFO"
else
	fail "--dir HOST:/data: $(grep data/ dir.listv | head -8 | cut -c 1-11,50- | tr '\n' ' ')"
fi
build dir2 --dir "$D/tree" "$D/app/bin/prog"
if has dir2 "$D/tree/a.txt" "$D/tree/sub/run.sh"; then
	pass "--dir HOST: at its own path"
else
	fail "--dir HOST: $missing is not in the image"
fi
# Where /lib is a symlink in the image, --dir x:/lib/y fills its target.
if [ -L /lib ] && grep -qx lib prog.list; then
	build dir3 --dir "$D/tree:/lib/skiff-data" "$D/app/bin/prog"
	t=$(readlink -f /lib)
	if has dir3 "$t/skiff-data/a.txt" && ! grep -q '^lib/' dir3.list; then
		pass "--dir HOST:/lib/x lands in ${t}/x, /lib stays a symlink"
	else
		fail "--dir HOST:/lib/x: $(grep skiff-data dir3.list | head -2 | tr '\n' ' ') $(head -n 1 dir3.err)"
	fi
else
	skip "--dir into a symlinked /lib (/lib is not a symlink here)"
fi

# --- dlopen of a library added with --dir; its own libraries come too ---
build loader --dir "$D/plug" "$D/app/bin/loader" "$D/plug/libplug.so"
if has loader "$D/plug/libplug.so" "$D/app/lib/libskt.so"; then
	pass "dlopen: the --dir library and what it needs (libskt.so)"
else
	fail "dlopen: $missing is not in the image"
fi
extract loader
root=$D/loader.root
same_in_chroot "dlopen from the image alone" "$D/app/bin/loader $D/plug/libplug.so" \
	"$D/app/bin/loader $D/plug/libplug.so"
same_in_vm "dlopen" "$D/app/bin/loader $D/plug/libplug.so" --dir "$D/plug"

# --- python3: the stdlib, lib-dynload and what its modules need ---
PY=$(readlink -f /usr/bin/python3 2>/dev/null)
if [ -x "$PY" ]; then
	v=$(basename "$PY")
	cat >app.py <<'EOF'
import threading, json, hashlib, sqlite3, ssl, ctypes, lzma, bz2, zlib, decimal, locale, sys
out = []
ts = [threading.Thread(target=lambda i=i: out.append(i * i)) for i in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(out), json.dumps([1, 2]), hashlib.sha256(b"skiff").hexdigest()[:12])
print(sqlite3.sqlite_version, ssl.OPENSSL_VERSION, lzma.compress(b"x")[:4], bz2.compress(b"x")[:4], zlib.crc32(b"x"))
print(decimal.Decimal(1) / 7, locale.setlocale(locale.LC_CTYPE), sys.flags.utf8_mode, sys.prefix)
EOF
	build py --file "$D/app.py" /usr/bin/python3
	if has py /usr/bin/python3 "$PY" "/usr/lib/$v/os.py" \
		"/usr/lib/$v/encodings/__init__.py" "/usr/lib/$v/json/__init__.py" \
		"/usr/lib/$v/threading.py" $(ls /usr/lib/"$v"/lib-dynload/*.so) \
		$(ldd_paths "$PY" /usr/lib/"$v"/lib-dynload/*.so); then
		pass "python3: $v, its stdlib, lib-dynload, every library ldd lists for them"
	else
		fail "python3: $missing is not in the image"
	fi
	if ! grep -q "^usr/lib/$v/test/\|^usr/lib/$v/config-\|^usr/lib/$v/idlelib/" py.list; then
		pass "python3: no test/, config-*/, idlelib/"
	else
		fail "python3: excluded directories in the image"
	fi
	echo "info python3 image: $(($(stat -c %s py.img) / 1048576)) MiB, $(wc -l <py.list) entries"
	extract py
	root=$D/py.root
	same_in_chroot "python3 (threads, json, hashlib, sqlite3, ssl, ctypes, lzma, bz2) from the image alone" \
		"/usr/bin/python3 $D/app.py" "/usr/bin/python3 $D/app.py"
	same_in_vm "python3 -c 'import threading, json; ...'" \
		"/usr/bin/python3 -c 'import threading, json; print(json.dumps([1,2]))'"
	same_in_vm "python3 app.py (threads, ssl, sqlite3, ...) with --file" \
		"/usr/bin/python3 $D/app.py" --file "$D/app.py"
else
	skip "python3 (not installed)"
fi

# --- perl: its modules ---
if [ -x /usr/bin/perl ]; then
	plprog='use strict; use warnings; use POSIX qw(floor); use List::Util qw(sum); use Data::Dumper; use File::Spec; $Data::Dumper::Indent = 0; print Dumper([floor(2.5), sum(1..10)]), " ", File::Spec->catfile("a", "b"), "\n";'
	printf '%s\n' "$plprog" >app.pl
	build perl --file "$D/app.pl" /usr/bin/perl
	extract perl
	root=$D/perl.root
	same_in_chroot "perl (POSIX, List::Util, Data::Dumper) from the image alone" \
		"/usr/bin/perl $D/app.pl" "/usr/bin/perl $D/app.pl"
	same_in_vm "perl" "/usr/bin/perl $D/app.pl" --file "$D/app.pl"
else
	skip "perl (not installed)"
fi

# --- musl's ld.so: its own search, no glibc files ---
if command -v musl-gcc >/dev/null 2>&1 && musl-gcc -o musl prog.c -Lapp/lib -lskt \
	-Wl,--enable-new-dtags,-rpath,'$ORIGIN/app/lib' 2>/dev/null; then
	build musl "$D/musl"
	mi=$(readelf -lW musl | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	if has musl "$mi" "$D/app/lib/libskt.so" && ! grep -q 'ld.so.cache\|libc.so.6' musl.list &&
		! grep -q . musl.err; then
		pass "musl: its interpreter and libskt.so, no glibc files, no warning"
	else
		fail "musl: $missing missing, or glibc files: $(grep 'ld.so.cache\|libc.so.6' musl.list | head -2 | tr '\n' ' ') $(head -n 1 musl.err)"
	fi
	same_in_vm "musl program" "$D/musl"
else
	skip "musl (no musl-gcc)"
fi

summary deps
