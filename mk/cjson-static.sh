#!/usr/bin/env bash
# Build cJSON's static archive from Debian's source package, for plugins that
# need nothing at run time (not even the loader: see the Makefile's STATIC).
#   mk/cjson-static.sh DIR      -> DIR/libcjson.a (and DIR/cJSON.h)
# Debian ships no libcjson.a, so the source of the version that libcjson-dev
# installed here comes from the same Debian mirror as the system's packages
# (apt-get source, Debian's patches applied by dpkg-source). Nothing of it is
# kept in the repository; apt's state for it lives in DIR, not the system's.
set -euo pipefail
dir=$1
cc=${CC:-cc}
[[ -f $dir/libcjson.a && -f $dir/cJSON.h ]] && exit 0
fail() { echo "cjson-static: $*" >&2; echo "cjson-static: a dynamic build needs none of this: make STATIC=0" >&2; exit 1; }
command -v dpkg-source >/dev/null || fail "dpkg-source missing (Debian package dpkg-dev; bash tests/deps.sh build)"
version=$(dpkg-query -W -f='${Version}' libcjson-dev 2>/dev/null) ||
	fail "libcjson-dev is not installed (bash tests/deps.sh build)"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
apt=$dir/apt
rm -rf "$apt" && mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts" "$apt/src"
# The system's Debian sources, as deb-src (deb822 files and one-line lists).
for f in /etc/apt/sources.list.d/*.sources; do
	[[ -f $f ]] && sed 's/^Types:.*$/Types: deb-src/' "$f" >"$apt/parts/$(basename "$f")"
done
{ sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } \
	>"$apt/sources.list"
# A mirror's hiccup is not a failed build: each download is tried three times.
retry() { "$@" || { sleep 2 && "$@"; } || { sleep 5 && "$@"; }; }
opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/parts"
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "APT::Sandbox::User=root" -q)
retry apt-get "${opts[@]}" update >"$apt/update.log" 2>&1 || fail "apt-get update of deb-src failed: $(tail -1 "$apt/update.log")"
# The installed version, else (a mirror that has moved on) the mirror's: cJSON 1.7's
# API and ABI have not changed within the series.
if ! (cd "$apt/src" && retry apt-get "${opts[@]}" source --download-only "cjson=$version") >"$apt/source.log" 2>&1; then
	echo "cjson-static: cjson $version is not on the mirror any more; taking the mirror's" >&2
	(cd "$apt/src" && retry apt-get "${opts[@]}" source --download-only cjson) >>"$apt/source.log" 2>&1 ||
		fail "apt-get source cjson failed: $(tail -1 "$apt/source.log")"
	version=$(sed -n 's/^Version: //p' "$apt/src"/cjson_*.dsc)
fi
(cd "$apt/src" && dpkg-source -x --no-check ./*.dsc cjson) >"$apt/extract.log" 2>&1 ||
	fail "dpkg-source -x failed: $(tail -1 "$apt/extract.log")"
# The library is one file (cJSON_Utils is not used).
"$cc" -O2 -fPIE -std=c89 -c -o "$apt/cJSON.o" "$apt/src/cjson/cJSON.c"
ar rcs "$dir/libcjson.a.tmp" "$apt/cJSON.o"
cp "$apt/src/cjson/cJSON.h" "$dir/cJSON.h"
mv "$dir/libcjson.a.tmp" "$dir/libcjson.a"
rm -rf "$apt"
echo "cjson-static: $dir/libcjson.a from Debian's cjson $version" >&2
