#!/usr/bin/env bash
# `make bench` (QUICK=1 to skip the long bursts): build the package, pack and install it as a
# user would (target/bench-consumer), install what it is compared against (Miniflare if the repo
# has none, into bench/.deps; Apprise into bench/.venv; both git-ignored, exact versions), run
# every measurement and write bench/RESULTS.md + bench/ratios.svg (QUICK: bench/out/quick/RESULTS-quick.md
# + ratios-quick.svg beside it). The numbers: bench/out/full/*.json (bench/out/quick/ for QUICK). Network: the registries for the installs, then loopback only.
# A phase that fails is reported in the results and makes the run exit 1; the others still run.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export QUICK=${QUICK:-}
[ "$QUICK" = 1 ] || QUICK=
export WP_BENCH_CONSUMER=$ROOT/target/bench-consumer
# This run's JSON: bench/out/full or bench/out/quick, so that a script run by hand meanwhile
# (it writes bench/out/) cannot mix its numbers into the report.
export WP_BENCH_OUT=$ROOT/bench/out/$([ "$QUICK" = 1 ] && echo quick || echo full)
MINIFLARE_VERSION=4.20260730.0   # used only when the repository's devDependencies have none
START=$SECONDS
FAILED=0
say() { printf '[bench %4ss] %s\n' "$((SECONDS - START))" "$*"; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 1; }

# --- the package, as users install it ----------------------------------------------------------
say "build (scripts/build.sh)"
WP_BUILD_QUIET=1 bash scripts/build.sh || die "the build failed"
say "pack + install into target/bench-consumer"
bash scripts/pack-install.sh target/bench-consumer >/dev/null || die "pack-install failed"

# --- what it is compared against -----------------------------------------------------------------
if node -e 'require.resolve("miniflare")' 2>/dev/null; then
  say "miniflare: the repository's devDependency"
else
  if ! (cd bench/.deps 2>/dev/null && node -e 'process.exit(require("miniflare/package.json").version === process.argv[1] ? 0 : 1)' "$MINIFLARE_VERSION") 2>/dev/null; then
    say "miniflare $MINIFLARE_VERSION into bench/.deps"
    mkdir -p bench/.deps
    [ -f bench/.deps/package.json ] || echo '{ "name": "webhook-push-bench-deps", "private": true }' >bench/.deps/package.json
    (cd bench/.deps && npm install --no-audit --no-fund --loglevel=error --save-exact "miniflare@$MINIFLARE_VERSION" >/dev/null) \
      || say "miniflare could not be installed: the workerd cold start will be missing"
  fi
fi
# pushoo: the one-shot cold start's yardstick (bench/cold.mjs), exact version, into bench/.deps
PUSHOO_VERSION=0.1.12
if ! (cd bench/.deps 2>/dev/null && node -e 'process.exit(require("pushoo/package.json").version === process.argv[1] ? 0 : 1)' "$PUSHOO_VERSION") 2>/dev/null; then
  say "pushoo $PUSHOO_VERSION into bench/.deps"
  mkdir -p bench/.deps
  [ -f bench/.deps/package.json ] || echo '{ "name": "webhook-push-bench-deps", "private": true }' >bench/.deps/package.json
  (cd bench/.deps && npm install --no-audit --no-fund --loglevel=error --save-exact "pushoo@$PUSHOO_VERSION" >/dev/null) \
    || say "pushoo could not be installed: the one-shot comparison will be missing"
fi
APPRISE_VERSION=$(sed -n 's/^apprise==//p' bench/requirements.txt)
if ! bench/.venv/bin/python -c "import apprise, sys; sys.exit(apprise.__version__ != '$APPRISE_VERSION')" 2>/dev/null; then
  say "apprise $APPRISE_VERSION into bench/.venv"
  rm -rf bench/.venv
  python3 -m venv bench/.venv && bench/.venv/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt \
    || die "Apprise could not be installed into bench/.venv"
fi

# --- measurements ----------------------------------------------------------------------------------
rm -rf "$WP_BENCH_OUT"
mkdir -p "$WP_BENCH_OUT"
node bench/lib/run-meta.mjs start
phase() {
  local name=$1
  shift
  say "$name"
  if ! "$@"; then
    FAILED=1
    node bench/lib/run-meta.mjs fail "$name: \`$*\` failed; see the output of make bench"
    say "$name FAILED (continuing)"
  fi
}
phase "1. size" node bench/size.mjs
phase "2. cold start (Node, workerd)" node bench/cold.mjs
phase "   CLI one-shot (webhook-push send)" node bench/cli.mjs
phase "3. render throughput" node bench/render.mjs
phase "4. send throughput + CPU" node bench/send.mjs
phase "   send in Deno, Bun, workerd" node bench/send-runtimes.mjs
phase "   sendMulti vs send" node bench/multi.mjs
phase "   profile (node --cpu-prof)" node bench/profile.mjs
phase "5. against Apprise${QUICK:+ (QUICK: no long bursts)}" node bench/apprise.mjs
phase "6. memory" node --expose-gc bench/memory.mjs
node bench/lib/run-meta.mjs end
node bench/report.mjs || FAILED=1
say "done in $((SECONDS - START)) s"
exit $FAILED
