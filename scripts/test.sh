#!/usr/bin/env bash
# The project's whole test suite (`make test`, and what CI runs through .ci/run):
#
#   tools       scripts/build.sh --tools-only (rust target, wasm-bindgen CLI, npm dev deps)
#   fmt         cargo fmt --check
#   clippy      cargo clippy --all-targets -- -D warnings
#   clippy-wasm cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings  (bindings.rs is wasm-only)
#   test        cargo test
#   md-upstream the patched pulldown-cmark (crates/pulldown-cmark) against crates.io's 0.13.6, event for
#               event on random markdown (crates/md-upstream: its own workspace, outside the root's [patch]):
#               fmt, clippy, cargo test --release
#   test-wasm   wasm-bindgen tests under Node (tests/wasm.rs; skipped while it does not exist)
#   mock        node --test tests/mock/*.test.mjs (the mock platforms server's own tests)
#   build       scripts/build.sh (pkg/)
#   pack        scripts/pack-install.sh: npm pack pkg/, install the tarball into target/consumer
#   js          node --test on the installed package (tests/js)
#   relay       node --test tests/relay (the relay Worker in workerd via Miniflare, against the mock)
#   ts          scripts/check-types.mjs: tsc --strict consumer, golden .d.ts, no `any`
#   e2e         node --test tests/e2e: send from Node ESM/CJS, Deno, Bun, workerd to the loopback mock
#   inbound-rs  the "inbound" feature: clippy (host and wasm32) and cargo test --test inbound (published vectors)
#   inbound     node --test tests/inbound: WeCom / DingTalk / Feishu callbacks to the handlers in Node, Deno, Bun, workerd
#   webhook-rs  the "webhook" feature (the generic webhook engine): clippy (host; wasm32 with "inbound", as the
#               full wasm is built) and cargo test --lib --test webhook_sender with it (plain cargo test
#               covers the build without it: the main wasm's "webhook" answers UNSUPPORTED)
#   webhook     node --test tests/webhook: webhook-push/webhook from the tarball vs a loopback receiver
#               (Node ESM/CJS, Deno, Bun, workerd), and the main entry's UNSUPPORTED
#   cli         node --test tests/cli: the installed `webhook-push` command in Node, Deno, Bun vs the mock
#   bundlers    node --test tests/bundlers: webpack 5 and vite production bundles of the packed package run
#   fuzz        scripts/fuzz.sh --ci: each cargo-fuzz target briefly from fuzz/seeds (pinned nightly)
#
# A failed step does not stop the independent ones after it (so one run shows every
# failure); steps that need a failed one are skipped. Exit status 0 only if all passed.
# UPDATE_GOLDEN=1 rewrites tests/golden/webhook_push.d.ts instead of comparing it.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

WB_VERSION=$(sed -nE 's/^wasm-bindgen[[:space:]]*=[[:space:]]*(\{.*version[[:space:]]*=[[:space:]]*)?"=([0-9][0-9A-Za-z.+-]*)".*/\2/p' Cargo.toml | head -n1)
RUNNER=$ROOT/.tools/wasm-bindgen-$WB_VERSION/bin/wasm-bindgen-test-runner

declare -A STATUS=()
ORDER=()
TIMES=()
T0=$SECONDS

# step NAME "needs..." CMD...   runs CMD unless a needed step did not pass
step() {
  local name=$1 needs=$2 n
  shift 2
  ORDER+=("$name")
  for n in $needs; do
    if [ "${STATUS[$n]:-}" != pass ]; then
      STATUS[$name]=skip
      TIMES+=("-")
      printf '\n==> %s: skipped (needs %s)\n' "$name" "$n"
      return
    fi
  done
  printf '\n==> %s: %s\n' "$name" "$*"
  local t=$SECONDS
  if "$@"; then STATUS[$name]=pass; else STATUS[$name]=FAIL; fi
  TIMES+=("$((SECONDS - t))s")
  printf '<== %s: %s (%ss)\n' "$name" "${STATUS[$name]}" "$((SECONDS - t))"
}

ensure_components() {
  local c
  for c in rustfmt clippy; do
    if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
      command -v rustup >/dev/null 2>&1 || { echo "cargo $c is missing and rustup is not available" >&2; return 1; }
      rustup component add "$c" || return 1
    fi
  done
  bash scripts/build.sh --tools-only
}

wasm_tests() {
  if [ ! -f tests/wasm.rs ]; then
    echo "tests/wasm.rs does not exist yet: no wasm-bindgen tests to run"
    return 0
  fi
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=$RUNNER cargo test --target wasm32-unknown-unknown --test wasm
}

fmt_check() {
  if [ -t 1 ]; then cargo fmt --check; else cargo fmt --check -- --color never; fi
}

mock_tests() {
  local files=(tests/mock/*.test.mjs)
  [ -e "${files[0]}" ] || { echo "no tests/mock/*.test.mjs"; return 0; }
  node --test "${files[@]}"
}

js_tests() {
  (cd target/consumer && node --test --test-reporter=spec test/*.test.mjs test/*.test.cjs)
}

# tests/e2e: the installed tarball sending to the loopback mock from Node (ESM, CJS), Deno, Bun, workerd
e2e_tests() {
  WRANGLER_SEND_METRICS=false DENO_NO_UPDATE_CHECK=1 E2E_CONSUMER=target/consumer \
    node --test --test-reporter=spec tests/e2e/*.test.mjs
}

# crates/md-upstream: its own workspace (outside the root's [patch]), its own target dir
md_upstream() {
  local m=(--manifest-path crates/md-upstream/Cargo.toml --target-dir target/md-upstream)
  cargo fmt --manifest-path crates/md-upstream/Cargo.toml --check &&
    cargo clippy "${m[@]}" --all-targets -- -D warnings &&
    cargo test --release "${m[@]}"
}

# the inbound layer (feature "inbound", the webhook-push/inbound subpath)
inbound_rust() {
  cargo clippy --all-targets --features inbound -- -D warnings &&
    cargo clippy --target wasm32-unknown-unknown --lib --features inbound -- -D warnings &&
    cargo test --features inbound --test inbound
}
inbound_tests() {
  WRANGLER_SEND_METRICS=false DENO_NO_UPDATE_CHECK=1 E2E_CONSUMER=target/consumer \
    node --test --test-reporter=spec tests/inbound/*.test.mjs
}

# the generic webhook engine (feature "webhook": webhook-push/webhook, whose wasm has "inbound" too)
webhook_rust() {
  cargo clippy --all-targets --features webhook -- -D warnings &&
    cargo clippy --target wasm32-unknown-unknown --lib --features webhook,inbound -- -D warnings &&
    cargo test --features webhook --lib --test webhook_sender
}

# tests/cli: the `webhook-push` bin of the installed tarball, spawned in Node, Deno and Bun
cli_tests() {
  DENO_NO_UPDATE_CHECK=1 CLI_CONSUMER=target/consumer node --test --test-reporter=spec tests/cli/*.test.mjs
}

step tools "" ensure_components
step fmt "tools" fmt_check
step clippy "tools" cargo clippy --all-targets -- -D warnings
step clippy-wasm "tools" cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings
step test "" cargo test
step md-upstream "" md_upstream
step test-wasm "tools" wasm_tests
step mock "" mock_tests
step build "tools" bash scripts/build.sh
step pack "build" bash scripts/pack-install.sh target/consumer
step js "pack" js_tests
step ts "pack" node scripts/check-types.mjs target/consumer
step e2e "pack" e2e_tests
step inbound-rs "tools" inbound_rust
step inbound "pack" inbound_tests
step webhook-rs "tools" webhook_rust
step webhook "pack" env WEBHOOK_CONSUMER=target/consumer node --test --test-reporter=spec tests/webhook/
step cli "pack" cli_tests
step relay "build" node --test --test-reporter=spec tests/relay/
step bundlers "pack" node --test --test-reporter=spec tests/bundlers/
step fuzz "" bash scripts/fuzz.sh --ci

printf '\n%-12s %-6s %s\n' STEP RESULT TIME
failed=()
for i in "${!ORDER[@]}"; do
  name=${ORDER[$i]}
  printf '%-12s %-6s %s\n' "$name" "${STATUS[$name]}" "${TIMES[$i]}"
  [ "${STATUS[$name]}" = pass ] || failed+=("$name")
done
total=$((SECONDS - T0))
skipped=0
for name in "${ORDER[@]}"; do [ "${STATUS[$name]}" = skip ] && skipped=$((skipped + 1)); done
passed=$(( ${#ORDER[@]} - ${#failed[@]} ))
if [ ${#failed[@]} -eq 0 ]; then
  echo "test.sh: all ${#ORDER[@]} steps passed in ${total}s"
  echo "steps: ${passed} passed, 0 failed"
  exit 0
fi
echo "test.sh: did not pass: ${failed[*]} (${total}s)"
# the plain closing line CI reads: a skipped step counts as failed here
echo "steps: ${passed} passed, $(( ${#failed[@]} - skipped )) failed, ${skipped} skipped"
exit 1
