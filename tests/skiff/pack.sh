#!/bin/sh
# tests/skiff/pack.sh: skiff's packing rules (tools/skiff/pack.c,
# runtimes.c, datafiles.c, config.c), each with a program that needs it,
# run natively and in Skiff (QEMU, TCG) with `skiff run` and nothing else
# (no --dir of what the rule should bring), stdout and exit status
# compared; the native run has the guest's environment (env -i PATH=...
# HOME=/ and the test's variables):
#   scripts     #!/bin/sh (builtins, $0 and arguments as Linux passes
#               them), #!/usr/bin/env python3, /usr/bin/gunzip (a shell
#               script that runs gzip)
#   java        a Hello class (java.home packed, libjvm.so loaded at run
#               time), and no "not on this host" warning
#   python      Debian's python3 with import yaml (python3-yaml, in
#               /usr/lib/python3/dist-packages), ssl's CA certificates; a
#               venv with a package only in the venv; a prefix outside /usr
#   ruby, php, perl, tclsh  a script each (php: a zone, from zoneinfo)
#   node        a module in a global directory named by NODE_PATH
#   LD_LIBRARY_PATH  a library found only through it (-e, and skiff's
#               own); a --file that supplies a library: no warning
#   TZ          date in a zone TZ names
#   mtimes      stat of a packed directory and symlink against the host's
#   skiff.json  program, args, env, files from it; a flag overriding it;
#               a bad file: one line with FILE:LINE:COLUMN
#   --verbose   names the file a bare PROGRAM resolved to, and the rules
#   size        --dir /usr/share refused before any write when it cannot
#               fit in --memory
# A check whose interpreter is not installed is skipped with the reason
# (scripts/deps.sh installs them all). Prints "ok"/"FAIL"/"skip" per
# check, then "pack: N passed, N failed[, N skipped]".
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
SKIFF=$ROOT/build/skiff
D=$ROOT/build/pack-test
: "${APPS_ACCEL:=tcg}"
. "$ROOT/tests/lib/verdict.sh"
GPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENVI="env -i PATH=$GPATH HOME=/"

rm -rf "$D"
mkdir -p "$D"
cd "$D" || exit 1

# same WHAT NATIVE [SKIFF OPTIONS...] -- PROGRAM [ARGS...]: NATIVE (a shell
# command, run with $ENVI) and `skiff run OPTIONS PROGRAM ARGS` must print
# the same stdout and end with the same status; stdout non-empty.
same() {
	what=$1 native=$2
	shift 2
	sh -c "$ENVI $native" >host.out 2>host.err </dev/null
	hrc=$?
	timeout -k 5 240 "$SKIFF" run --accel "$APPS_ACCEL" "$@" \
		>vm.out 2>vm.err </dev/null
	vrc=$?
	if [ "$hrc" = "$vrc" ] && [ -s host.out ] && cmp -s host.out vm.out; then
		pass "$what (exit $vrc, same output as the host)"
	else
		fail "$what: host exit $hrc, Skiff exit $vrc"
		diff host.out vm.out | head -10 | sed 's/^/  | /'
		head -n 5 host.err | sed 's/^/  h /'
		head -n 5 vm.err | sed 's/^/  ! /'
	fi
}

# no_warning WHAT: the last skiff run printed no "not on this host".
no_warning() {
	if grep -q "not on this host" vm.err; then
		fail "$1" "$(grep "not on this host" vm.err | head -n 1)"
	else
		pass "$1"
	fi
}

# need WHAT PROGRAM...: true if each PROGRAM is installed, else a skip.
need() {
	what=$1
	shift
	for p in "$@"; do
		if [ ! -x "$p" ]; then
			skip "$what" "$p is not installed (scripts/deps.sh installs it)"
			return 1
		fi
	done
}

# --- scripts ---
printf '#!/bin/sh\necho "$0: $# args: $*"\nfor a in "$@"; do echo "[$a]"; done\n' >args.sh
chmod +x args.sh
same "#!/bin/sh script: \$0 and arguments" "./args.sh 'a b' c" -- ./args.sh 'a b' c
printf '#!/usr/bin/env python3\nimport sys\nprint(sys.argv, sys.version_info[:2])\n' >env.py
chmod +x env.py
need "#!/usr/bin/env python3" /usr/bin/python3 &&
	same "#!/usr/bin/env python3 script" "./env.py x" -- ./env.py x
echo "zipped text" | gzip >z.gz
same "/usr/bin/gunzip (a shell script running gzip)" "/usr/bin/gunzip -c z.gz" \
	--file z.gz -- /usr/bin/gunzip -c z.gz

# --- java ---
JAVA=$(readlink -f /usr/bin/java 2>/dev/null)
if need "java Hello" /usr/bin/java /usr/bin/javac; then
	cat >Hello.java <<'EOF'
public class Hello {
	public static void main(String[] a) {
		System.out.println("Hello " + String.join(",", a) + " from " + System.getProperty("java.version"));
		System.out.println(java.time.ZoneId.of("Europe/Paris").getRules().getOffset(java.time.Instant.EPOCH));
	}
}
EOF
	if javac Hello.java; then
		same "java Hello without --dir" "$JAVA -cp . Hello x" \
			--file Hello.class -- "$JAVA" -cp . Hello x
		no_warning "java: no false 'not on this host' warning"
	else
		fail "java Hello" "javac failed"
	fi
fi

# --- python ---
if need "python3 (Debian's)" /usr/bin/python3; then
	if /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
		same "python3: import yaml from /usr/lib/python3/dist-packages" \
			"/usr/bin/python3 -c 'import yaml; print(yaml.safe_load(\"[1, {a: b}]\"))'" \
			-- /usr/bin/python3 -c 'import yaml; print(yaml.safe_load("[1, {a: b}]"))'
	else
		skip "python3: import yaml" "python3-yaml is not installed"
	fi
	same "python3: ssl finds the CA certificates" \
		"/usr/bin/python3 -c 'import ssl; print(ssl.create_default_context().cert_store_stats())'" \
		-- /usr/bin/python3 -c 'import ssl; print(ssl.create_default_context().cert_store_stats())'
	if /usr/bin/python3 -m venv --without-pip venv >/dev/null 2>&1; then
		site=$(venv/bin/python -c 'import site; print(site.getsitepackages()[0])')
		mkdir -p "$site/onlyvenv"
		echo 'WHERE = "only in the venv"' >"$site/onlyvenv/__init__.py"
		same "a venv's python with a package only in the venv" \
			"venv/bin/python -c 'import sys, onlyvenv; print(sys.prefix != sys.base_prefix, onlyvenv.WHERE)'" \
			-- venv/bin/python -c 'import sys, onlyvenv; print(sys.prefix != sys.base_prefix, onlyvenv.WHERE)'
	else
		skip "python3 venv" "python3 -m venv failed (python3-venv?)"
	fi
	# A prefix outside /usr: the interpreter copied, its stdlib linked.
	PYREAL=$(readlink -f /usr/bin/python3)
	v=$(basename "$PYREAL")
	mkdir -p prefix/bin prefix/lib
	cp "$PYREAL" prefix/bin/
	cp -rs "/usr/lib/$v" "prefix/lib/$v"
	same "python3 in a prefix outside /usr" \
		"prefix/bin/$v -c 'import sys, json; print(sys.prefix.endswith(\"/prefix\"), json.dumps(sys.path[1:2]))'" \
		-- "prefix/bin/$v" -c 'import sys, json; print(sys.prefix.endswith("/prefix"), json.dumps(sys.path[1:2]))'
fi

# --- ruby, php, perl, tclsh ---
echo 'require "json"; require "set"; puts [1, Set[2]].to_json; puts RUBY_VERSION' >t.rb
need "ruby script" /usr/bin/ruby &&
	same "ruby script (json, set)" "/usr/bin/ruby t.rb" --file t.rb -- /usr/bin/ruby t.rb
cat >t.php <<'EOF'
<?php
date_default_timezone_set("Europe/Paris");
echo json_encode(["a" => 1]), " ", date("Y-m-d H:i T", 86400 * 180), "\n";
EOF
need "php script" /usr/bin/php &&
	same "php script (json, a zone from zoneinfo)" "/usr/bin/php t.php" --file t.php -- /usr/bin/php t.php
echo 'use POSIX qw(floor); use List::Util qw(sum); print floor(2.5), " ", sum(1..4), "\n";' >t.pl
same "perl script (POSIX, List::Util)" "/usr/bin/perl t.pl" --file t.pl -- /usr/bin/perl t.pl
echo 'puts [expr {6 * 7}]; puts [string toupper [info library]]' >t.tcl
TCLSH=$(command -v tclsh 2>/dev/null)
[ -n "$TCLSH" ] && TCLSH=$(readlink -f "$TCLSH")
need "tclsh script" "${TCLSH:-/usr/bin/tclsh}" &&
	same "tclsh script (its library)" "$TCLSH t.tcl" --file t.tcl -- "$TCLSH" t.tcl

# --- node: a module in a global directory (NODE_PATH) ---
if need "node with a global module" /usr/bin/node; then
	mkdir -p global/node_modules/greet
	echo 'module.exports = (n) => "hello " + n;' >global/node_modules/greet/index.js
	same "node: a global module through NODE_PATH" \
		"NODE_PATH=$D/global/node_modules /usr/bin/node -e 'console.log(require(\"greet\")(\"node\"))'" \
		-e NODE_PATH="$D/global/node_modules" -- /usr/bin/node -e 'console.log(require("greet")("node"))'
fi

# --- LD_LIBRARY_PATH, and a --file supplying a library ---
mkdir -p llp
echo 'int skt(void) { return 7; }' >llp/skt.c
printf '#include <stdio.h>\nint skt(void);\nint main(void) { printf("skt %%d\\n", skt()); return 0; }\n' >llp/p.c
if gcc -shared -fPIC -o llp/libskt.so llp/skt.c && gcc -o llp/p llp/p.c -Lllp -lskt; then
	same "a library found through -e LD_LIBRARY_PATH" "LD_LIBRARY_PATH=$D/llp llp/p" \
		-e LD_LIBRARY_PATH="$D/llp" -- llp/p
	LD_LIBRARY_PATH=$D/llp same "a library found through skiff's LD_LIBRARY_PATH" \
		"LD_LIBRARY_PATH=$D/llp llp/p" -- llp/p
	same "a library --file supplies" "LD_LIBRARY_PATH=$D/llp llp/p" \
		--file llp/libskt.so:/usr/lib/libskt.so -- llp/p
	no_warning "no 'not on this host' warning after --file supplied the library"
else
	fail "LD_LIBRARY_PATH" "cannot build the test program"
fi

# --- TZ ---
same "TZ=Europe/Paris: date in that zone" "TZ=Europe/Paris /bin/date -d @15552000" \
	-e TZ=Europe/Paris -- /bin/date -d @15552000

# --- mtimes, modes and symlinks of a packed tree ---
mkdir -p tree/sub
touch -d '2020-01-02 03:04:05' tree/sub/file
chmod 750 tree/sub
touch -d '2020-01-02 03:04:05' tree/sub
ln -s sub tree/link
touch -h -d '2019-05-06 07:08:09' tree/link
touch -d '2018-01-01 00:00:00' tree
same "stat of a packed directory and symlink (type, mode, mtime)" \
	"/usr/bin/stat -c '%n %F %A %Y' $D/tree $D/tree/sub $D/tree/link $D/tree/sub/file" \
	--dir tree -- /usr/bin/stat -c '%n %F %A %Y' "$D/tree" "$D/tree/sub" "$D/tree/link" "$D/tree/sub/file"

# --- skiff.json ---
mkdir -p cfg
cat >cfg/app.sh <<'EOF'
#!/bin/sh
echo "args: $*"
echo "GREETING=$GREETING MODE=$MODE"
while read -r l; do echo "note: $l"; done </data/note.txt
EOF
chmod +x cfg/app.sh
echo "a note" >cfg/note.txt
cat >cfg/skiff.json <<'EOF'
{
  "program": "./app.sh",
  "args": ["one", "two words"],
  "env": {"GREETING": "hello", "MODE": "config"},
  "files": ["note.txt:/data/note.txt"],
  "memory": "256M",
  "cpus": 1
}
EOF
mkdir -p data
cp cfg/note.txt data/
sed 's|/data/note.txt|'"$D"'/data/note.txt|' cfg/app.sh >app-native.sh
chmod +x app-native.sh
(cd cfg && same "skiff.json: program, args, env, files (skiff run alone)" \
	"GREETING=hello MODE=config ../app-native.sh one 'two words'" --)
(cd cfg && same "skiff.json: -e and ARGS override it" \
	"GREETING=hello MODE=flag ../app-native.sh three" -e MODE=flag -- ./app.sh three)
same "skiff.json beside the program" \
	"GREETING=hello MODE=config ./app-native.sh one 'two words'" -- cfg/app.sh
mkdir -p badcfg
printf '{\n  "program": "x",\n  "args": [1,]\n}\n' >badcfg/skiff.json
(cd badcfg && "$SKIFF" run >../bad.out 2>../bad.err)
brc=$?
if [ "$brc" = 2 ] && [ "$(wc -l <bad.err)" = 1 ] && grep -q '^skiff: skiff.json:3:14: ' bad.err; then
	pass "a bad skiff.json: exit 2, one line with its line:column ($(cat bad.err))"
else
	fail "a bad skiff.json" "exit $brc: $(head -n 2 bad.err)"
fi

# --- --verbose: the file a bare name resolved to, and the rules ---
"$SKIFF" build --verbose -o v.img python3 >/dev/null 2>v.err
res=$(command -v python3)
if grep -qF "python3 is $res (found in" v.err; then
	pass "--verbose names the file python3 resolved to ($res)"
else
	fail "--verbose: python3's file" "no line naming $res"
fi
"$SKIFF" build --verbose -o v.img ./env.py >/dev/null 2>v.err
if grep -q "its interpreter is /usr/bin/env" v.err && grep -q "python3 (for env, in the guest's PATH) is" v.err &&
	grep -q "^skiff: packed .*sys.path\|^skiff: packed python3.*'s /" v.err; then
	pass "--verbose says what each rule packed (#!, env's PATH, sys.path)"
else
	fail "--verbose: the rules" "$(head -n 3 v.err)"
fi

# --- size: refused before writing (the estimate's message, "about") ---
"$SKIFF" run --dir /usr/share --memory 64M /bin/true >/dev/null 2>size.err
src=$?
if [ "$src" = 125 ] && [ "$(wc -l <size.err)" = 1 ] &&
	grep -q "the image (about .* does not fit in 64 MiB" size.err; then
	pass "--dir /usr/share in 64M: refused before the write ($(head -n 1 size.err | cut -c 1-100))"
else
	fail "--dir /usr/share in 64M" "exit $src: $(tail -n 1 size.err)"
fi

summary pack
