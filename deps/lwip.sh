#!/bin/sh
# deps/lwip.sh: fetches lwIP, the TCP/IP stack net/ is built on, as
# Debian's source package (pinned version and sha256), and unpacks it.
# The build (Makefile) runs it before compiling lwIP; it is never
# committed to this repository.
#
#   deps/lwip.sh [OUTDIR]        (default: build/deps)
#
# Leaves OUTDIR/lwip-2.1.3/ (Debian's patches applied, by dpkg-source)
# with the stamp file OUTDIR/lwip-2.1.3/.skiff-verified, written last:
# with the stamp present the script does nothing. Steps:
#   1. A private apt setup under OUTDIR/apt: a deb-src list whose URIs,
#      Suites, Components and Signed-By are copied from this machine's own
#      /etc/apt/sources.list.d/*.sources and sources.list (*.list) "deb"
#      entries (no host name is written in this repository), its own
#      Dir::State::Lists and caches, so the machine's apt state is not
#      touched and no root is needed.
#   2. apt-get update on that list, then apt-get source --download-only
#      lwip=VERSION into OUTDIR/src (apt checks the files against the
#      signed Sources index; skipped when the files are there already).
#   3. sha256 of the three files against the pins below: a mismatch stops.
#   4. dpkg-source -x into a temporary directory, renamed into place.
# Needs apt, dpkg-dev (dpkg-source) and xz-utils (scripts/deps.sh).
set -eu

VERSION=2.1.3+dfsg1-2
DIR=lwip-2.1.3
PINS="0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24  lwip_2.1.3+dfsg1.orig.tar.xz
c5a48413d362cc757032cdd58f528f75eb64ee781ca46ca24f010b49b0e62a90  lwip_2.1.3+dfsg1-2.debian.tar.xz
8d8f944db8e6d542fc2d6f01559078fb1b5dda71651c67ee5fa3571ed1342c50  lwip_2.1.3+dfsg1-2.dsc"

OUT=${1:-build/deps}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
STAMP=$OUT/$DIR/.skiff-verified
[ -f "$STAMP" ] && exit 0

die() {
	echo "deps/lwip.sh: $*" >&2
	exit 1
}

# The machine's "deb" entries as deb-src ones, deb822 stanzas (from
# *.sources) on stdout. Continuation lines (a Signed-By key block) follow
# their field. Stanzas with Enabled: no are left out.
sources_deb822() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
		function flush() {
			if (types ~ /(^|[ \t])deb([ \t]|$)/ && !disabled && uris != "")
				printf "Types: deb-src\n%s\n\n", body
			types = ""; body = ""; uris = ""; disabled = 0; keep = 0
		}
		/^#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[ \t]/ { if (keep) body = body "\n" $0; next }
		{
			name = tolower($1); keep = 0
			if (name == "types:") { types = substr($0, 7); next }
			if (name == "enabled:" && tolower($2) == "no") disabled = 1
			if (name == "uris:") uris = $2
			if (name == "uris:" || name == "suites:" ||
			    name == "components:" || name == "signed-by:") {
				body = (body == "" ? $0 : body "\n" $0); keep = 1
			}
		}
		END { flush() }' "$f"
	done
}

# The same from one-line lists: "deb [opts] URI SUITE COMP..." lines.
sources_oneline() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[ \t]*deb[ \t]/deb-src /p' "$f"
	done
}

# Whether OUT/src holds the three files with the pinned sums.
verified() {
	(cd "$OUT/src" 2>/dev/null && echo "$PINS" | sha256sum -c --quiet --status -) \
		>/dev/null 2>&1
}

fetch() {
	apt=$OUT/apt
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" \
		"$apt/sources.list.d" "$OUT/src"
	sources_deb822 > "$apt/sources.list.d/skiff-src.sources"
	sources_oneline > "$apt/sources.list"
	[ -s "$apt/sources.list.d/skiff-src.sources" ] || [ -s "$apt/sources.list" ] ||
		die "no apt sources on this machine to copy (/etc/apt/sources.list*)"
	set -- -o Dir::Etc::SourceList="$apt/sources.list" \
		-o Dir::Etc::SourceParts="$apt/sources.list.d" \
		-o Dir::State::Lists="$apt/lists" \
		-o Dir::Cache="$apt/cache" \
		-o Acquire::Languages=none -o APT::Get::List-Cleanup=0
	# As root apt downloads as the user _apt, who may not reach OUT.
	[ "$(id -u)" = 0 ] && set -- "$@" -o APT::Sandbox::User=root
	echo "deps/lwip.sh: fetching Debian's lwip $VERSION source" >&2
	apt-get "$@" -q update || die "apt-get update (deb-src) failed"
	(cd "$OUT/src" && apt-get "$@" -qq source --download-only "lwip=$VERSION") ||
		die "apt-get source lwip=$VERSION failed"
}

verified || fetch
if ! verified; then
	(cd "$OUT/src" && echo "$PINS" | sha256sum -c -) >&2 || true
	die "the lwip source files do not match the pinned sha256"
fi

tmp=$OUT/.$DIR.tmp
rm -rf "$tmp" "$OUT/$DIR"
dpkg-source --no-check -x "$OUT/src/lwip_$VERSION.dsc" "$tmp" >/dev/null ||
	die "dpkg-source -x failed"
mv "$tmp" "$OUT/$DIR"
echo "$PINS" > "$STAMP"
