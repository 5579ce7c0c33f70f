#!/usr/bin/env bash
# Pack pkg/ with `npm pack` and install the tarball, offline, into a scratch consumer
# project (default target/consumer) next to copies of tests/js, tests/ts and the seed
# fixtures, so the tests see the package exactly as a user who ran `npm install` does.
#   scripts/pack-install.sh [consumer-dir]     (prints the tarball path on the last line)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CONSUMER=${1:-target/consumer}
[ -f pkg/package.json ] || { echo "pack-install.sh: pkg/ is not built; run scripts/build.sh" >&2; exit 1; }

mkdir -p target/pack
rm -f target/pack/*.tgz
tgz=$(npm pack ./pkg --pack-destination target/pack --json --loglevel=error \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[0].filename))')
tgz=$ROOT/target/pack/$(basename "$tgz")
[ -f "$tgz" ] || { echo "pack-install.sh: npm pack produced no $tgz" >&2; exit 1; }

rm -rf "$CONSUMER"
mkdir -p "$CONSUMER/test/fixtures" "$CONSUMER/ts"
cat >"$CONSUMER/package.json" <<'JSON'
{ "name": "webhook-push-consumer", "version": "0.0.0", "private": true, "type": "module" }
JSON
# --offline: the tarball has no dependencies, so nothing may come from the registry.
(cd "$CONSUMER" && npm install --offline --no-audit --no-fund --no-package-lock --loglevel=error "$tgz" >/dev/null)
[ -f "$CONSUMER/node_modules/webhook-push/package.json" ] || { echo "pack-install.sh: the tarball did not install" >&2; exit 1; }

cp tests/js/* "$CONSUMER/test/"
cp tests/fixtures/seed_examples.json "$CONSUMER/test/fixtures/"
cp tests/ts/* "$CONSUMER/ts/"
echo "$tgz"
