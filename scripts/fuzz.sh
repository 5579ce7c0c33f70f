#!/usr/bin/env bash
# Fuzz the Rust core with cargo-fuzz (libFuzzer) on the nightly pinned in fuzz/rust-toolchain.toml.
#
#   scripts/fuzz.sh              every target for FUZZ_SECONDS each (default 60): `make fuzz`
#   scripts/fuzz.sh --ci         every target briefly and deterministically: a fixed number of runs
#                                with a fixed seed from the committed seeds only (an empty corpus each
#                                time), so a given commit passes or fails the same way on every machine:
#                                the test.sh step. Finding new bugs is `make fuzz`'s job.
#   scripts/fuzz.sh render ...   only the named targets
#
# Targets (fuzz/fuzz_targets/): reader, render, markdown, webhook_url, classify, and the inbound
# callbacks (feature `inbound`): wecom_crypto, wecom_parse, dingtalk_inbound, feishu_inbound, and the
# generic webhook target's engine (feature `webhook`): webhook. Each starts
# from the seed corpus kept in fuzz/seeds/<target> plus what earlier runs found
# (target/fuzz/corpus/<target>, not committed); a failing input is written to
# target/fuzz/artifacts/<target>/ and the run fails. Replay one with
#   fuzz/target/x86_64-unknown-linux-gnu/release/<target> <file>
# The pinned nightly is installed with rustup when missing, cargo-fuzz with cargo install
# (under .tools/, cached like the wasm-bindgen CLI in scripts/build.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

CI=0
if [ "${1:-}" = "--ci" ]; then CI=1; shift; fi
SECONDS_EACH=${FUZZ_SECONDS:-$([ $CI = 1 ] && echo 12 || echo 60)}
ALL=(reader render markdown webhook_url classify)
INBOUND=(wecom_crypto wecom_parse dingtalk_inbound feishu_inbound)
ALL+=("${INBOUND[@]}")
# the generic webhook target's engine (feature `webhook`, which the fuzz crate builds with)
ALL+=(webhook)
TARGETS=("$@")
# --ci: runs per target, about 3-10 s each on a 2-core machine (their speeds differ 200x)
declare -A CI_RUNS=([reader]=150000 [render]=20000 [markdown]=6000 [webhook_url]=300000 [classify]=1000000
  [wecom_crypto]=200000 [wecom_parse]=100000 [dingtalk_inbound]=150000 [feishu_inbound]=200000
  [webhook]=30000)
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")

NIGHTLY=$(sed -nE 's/^channel[[:space:]]*=[[:space:]]*"([^"]+)".*/\1/p' fuzz/rust-toolchain.toml)
[ -n "$NIGHTLY" ] || { echo "fuzz.sh: no channel in fuzz/rust-toolchain.toml" >&2; exit 1; }
CF_VERSION=0.13.2

say() { printf 'fuzz.sh: %s\n' "$*"; }

# --- tools: the pinned nightly, cargo-fuzz --------------------------------------------------
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1; then
  say "rustup toolchain install $NIGHTLY (once)"
  rustup toolchain install "$NIGHTLY" --profile minimal
fi
CF_ROOT=.tools/cargo-fuzz-$CF_VERSION
CF_CACHE=${WEBHOOK_PUSH_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/webhook-push}/cargo-fuzz-$CF_VERSION
cf_ok() { [ -x "$1/bin/cargo-fuzz" ] && [ "$("$1/bin/cargo-fuzz" --version 2>/dev/null)" = "cargo-fuzz $CF_VERSION" ]; }
if ! cf_ok "$CF_ROOT"; then
  mkdir -p .tools
  exec 9>.tools/.install.lock
  flock 9
  if ! cf_ok "$CF_ROOT" && cf_ok "$CF_CACHE"; then
    say "cargo-fuzz $CF_VERSION from the cache $CF_CACHE"
    mkdir -p "$CF_ROOT/bin" && cp "$CF_CACHE/bin/cargo-fuzz" "$CF_ROOT/bin/"
  fi
  if ! cf_ok "$CF_ROOT"; then
    say "cargo install cargo-fuzz $CF_VERSION --root $CF_ROOT (about a minute, once)"
    cargo install cargo-fuzz --version "$CF_VERSION" --locked --root "$CF_ROOT" --force
    mkdir -p "$CF_CACHE/bin" && cp "$CF_ROOT/bin/cargo-fuzz" "$CF_CACHE/bin/" 2>/dev/null || true
  fi
  flock -u 9
fi
CARGO_FUZZ=$ROOT/$CF_ROOT/bin/cargo-fuzz

# --- build once, then run the binaries (an edit during a run does not rebuild under it) -------
# No sanitizer: the crate is safe Rust (nothing for ASan to find) and ASan made the markdown
# target about 40x slower; panics, timeouts and the oracles' assertions are what is looked for.
say "building ${TARGETS[*]} on $NIGHTLY"
if [ ${#TARGETS[@]} -gt 1 ]; then
  (cd fuzz && "$CARGO_FUZZ" build -O -s none)
else
  (cd fuzz && "$CARGO_FUZZ" build -O -s none "${TARGETS[0]}")
fi
BIN=fuzz/target/x86_64-unknown-linux-gnu/release

failed=()
for t in "${TARGETS[@]}"; do
  corpus=target/fuzz/corpus/$t
  artifacts=target/fuzz/artifacts/$t
  secs=$SECONDS_EACH
  limit=(-max_total_time="$secs")
  if [ $CI = 1 ]; then
    # deterministic: seed 1, a fixed number of runs (a few seconds each here), a fresh corpus
    corpus=target/fuzz/ci-corpus/$t
    rm -rf "$corpus"
    limit=(-seed=1 -runs="${CI_RUNS[$t]:-100000}" -max_total_time=300)
  fi
  mkdir -p "$corpus" "$artifacts"
  say "$t: ${limit[*]}"
  log=target/fuzz/$t.log
  if "$BIN/$t" "$corpus" "fuzz/seeds/$t" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1; then
    execs=$(sed -nE 's/^stat::number_of_executed_units:[[:space:]]*([0-9]+)/\1/p' "$log")
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1)
    say "$t: ok, ${execs:-?} executions, $cov"
  else
    failed+=("$t")
    say "$t: FAILED (input in $artifacts/); the end of its log:"
    grep -vE '^#[0-9]+' "$log" | tail -n 30
  fi
done
[ ${#failed[@]} -eq 0 ] || { say "failed: ${failed[*]}"; exit 1; }
say "all ${#TARGETS[@]} targets passed"
