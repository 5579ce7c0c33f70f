#!/usr/bin/env bash
# Build the npm package into pkg/:
#   cargo (wasm32-unknown-unknown, release) -> wasm-bindgen --target web -> wasm-opt -Oz
#   -> pkg/ = pkg-template/ + glue + optimised wasm + node.cjs (esbuild)
# Two wasms: the main entry's (the sender, no generic webhook engine, no inbound) and the "full"
# one (features webhook + inbound) that serves both subpaths webhook-push/webhook and
# webhook-push/inbound (bench/LEVERS.md has the measured trade-off against a wasm per subpath).
#
# Idempotent and fast when nothing changed: every tool is installed only when missing or
# at the wrong version, and wasm-bindgen / wasm-opt rerun only when their input changed.
# Tools go under .tools/ and node_modules/ (both git-ignored); nothing is installed globally
# except the rustup target.
#
#   scripts/build.sh                 ensure tools, build, assemble pkg/
#   scripts/build.sh --tools-only    only ensure the tools (rust target, wasm-bindgen CLI, npm deps)
# Environment: WP_BUILD_QUIET=1 hides the per-step lines (errors are always shown).
#   WP_TOOLCHAIN=nightly (default) builds the release wasm with the pinned nightly below:
#     std rebuilt for the wasm (build-std) with panics that abort at once (no panic messages,
#     locations or formatting machinery in the wasm; -Zlocation-detail=none drops the file
#     names too; legacy symbol mangling keeps export names as short as stable's) and std at
#     opt-level 3 (measured: std at "z" renders ~20 % slower); bench/LEVERS.md has the figures.
#     rustup installs that nightly (minimal profile + rust-src) when missing. Tests and clippy always use the stable toolchain; only this build uses nightly.
#   WP_TOOLCHAIN=stable builds with the stable toolchain as before (bigger wasm, same behaviour).
#     If the nightly cannot be installed, the build says so and falls back to stable.
set -euo pipefail
TOOLS_ONLY=
case "${1:-}" in
  --tools-only) TOOLS_ONLY=1 ;;
  "") ;;
  *) echo "usage: scripts/build.sh [--tools-only]" >&2; exit 2 ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

TARGET=wasm32-unknown-unknown
NAME=webhook_push
RAW_WASM=target/$TARGET/release/$NAME.wasm
BINDGEN_DIR=target/wasm-bindgen
OPT_DIR=target/wasm-opt
# rustc's default wasm32 features (1.87+) that wasm-bindgen's output uses. wasm-opt also reads
# them from the target_features section; naming them keeps it working if that section is gone.
# --low-memory-unused: the low 1 KB of memory is never addressed through an address that wrapped
# around (Rust never forms one), so wasm-opt may fold added constants into load/store offsets:
# measured -3.1 KB (bench/LEVERS.md, "Size levers, third round").
# --converge: -Oz's passes again until the wasm stops shrinking (-266 B, -313 gzip);
# --strip-target-features: the 157-byte section only tools read (the flags below name the
# features instead). Both: bench/LEVERS.md, "Size levers, fourth round".
WASM_OPT_FLAGS=(-Oz --converge --low-memory-unused --strip-debug --strip-producers --strip-target-features
  --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd)
# For both toolchains: 128-bit SIMD (every runtime the package supports has it: Node 16.4+,
# Deno, Bun, workerd, browsers since 2021-23; tests/e2e loads the wasm in each). Measured -10 KB.
WASM_RUSTFLAGS="-Ctarget-feature=+simd128"

START=$SECONDS
step() { [ "${WP_BUILD_QUIET:-}" = 1 ] || printf '[build %3ss] %s\n' "$((SECONDS - START))" "$*"; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }
sha() { sha256sum "$@" | sha256sum | cut -c1-16; }

# --- versions, read from Cargo.toml so nothing drifts ------------------------------------
WB_VERSION=$(sed -nE 's/^wasm-bindgen[[:space:]]*=[[:space:]]*(\{.*version[[:space:]]*=[[:space:]]*)?"=([0-9][0-9A-Za-z.+-]*)".*/\2/p' Cargo.toml | head -n1)
[ -n "$WB_VERSION" ] || die 'Cargo.toml must pin wasm-bindgen exactly (wasm-bindgen = "=0.2.x"): the CLI is installed at that version'
PKG_VERSION=$(awk '/^\[/{s=($0=="[package]")} s && /^version[[:space:]]*=/{gsub(/.*=[[:space:]]*"|".*/,""); print; exit}' Cargo.toml)
[ -n "$PKG_VERSION" ] || die 'no version in the [package] section of Cargo.toml'
# The release wasm's toolchain (WP_TOOLCHAIN above). Bump the date deliberately and re-measure.
NIGHTLY=nightly-2026-05-20
WP_TOOLCHAIN=${WP_TOOLCHAIN:-nightly}
case "$WP_TOOLCHAIN" in nightly | stable) ;; *) die "WP_TOOLCHAIN must be nightly or stable, not '$WP_TOOLCHAIN'" ;; esac
WB_ROOT=.tools/wasm-bindgen-$WB_VERSION
WASM_BINDGEN=$WB_ROOT/bin/wasm-bindgen

# --- 1. rust target -------------------------------------------------------------------------
if command -v rustup >/dev/null 2>&1; then
  if ! rustup target list --installed | grep -qx "$TARGET"; then
    step "rustup target add $TARGET"
    rustup target add "$TARGET"
  fi
elif [ ! -d "$(rustc --print sysroot)/lib/rustlib/$TARGET" ]; then
  die "the $TARGET standard library is missing and rustup is not available to add it"
fi

# --- 1b. the pinned nightly for the release wasm (rustup; minimal profile + rust-src) -------------
nightly_ok() { rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1 \
  && [ -d "$(rustup run "$NIGHTLY" rustc --print sysroot)/lib/rustlib/src/rust/library/std" ]; }
if [ "$WP_TOOLCHAIN" = nightly ]; then
  if ! command -v rustup >/dev/null 2>&1; then
    echo "build.sh: note: rustup is not available to install $NIGHTLY; building the wasm with the stable toolchain (bigger)" >&2
    WP_TOOLCHAIN=stable
  elif ! nightly_ok; then
    mkdir -p .tools
    exec 8>.tools/.nightly.lock
    command -v flock >/dev/null 2>&1 && flock 8
    if ! nightly_ok; then
      step "rustup toolchain install $NIGHTLY --profile minimal --component rust-src (once, ~30 s)"
      # no --target: build-std needs only rust-src (some nightlies lack the wasm32 rust-std)
      rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src >&2 || true
    fi
    exec 8>&-
    if ! nightly_ok; then
      echo "build.sh: note: $NIGHTLY could not be installed; building the wasm with the stable toolchain (bigger)" >&2
      WP_TOOLCHAIN=stable
    fi
  fi
fi

# --- 2. wasm-bindgen CLI, same version as the crate -----------------------------------------
wb_ok() { [ -x "$WASM_BINDGEN" ] && [ "$("$WASM_BINDGEN" --version 2>/dev/null)" = "wasm-bindgen $WB_VERSION" ] \
  && [ -x "$WB_ROOT/bin/wasm-bindgen-test-runner" ]; }
if ! wb_ok; then
  mkdir -p .tools
  # One installer at a time (two builds starting together would both install).
  exec 9>.tools/.install.lock
  command -v flock >/dev/null 2>&1 && flock 9
  # A per-user cache outside the repo: a fresh clone on a machine that built before
  # (CI runs in one) copies the CLI instead of compiling it again.
  WB_CACHE=${WEBHOOK_PUSH_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/webhook-push}/wasm-bindgen-$WB_VERSION
  if ! wb_ok && [ -x "$WB_CACHE/bin/wasm-bindgen" ]; then
    step "wasm-bindgen $WB_VERSION from the cache $WB_CACHE"
    mkdir -p "$WB_ROOT" && cp -R "$WB_CACHE/bin" "$WB_ROOT/" || true
  fi
  if ! wb_ok; then
    step "cargo install wasm-bindgen-cli $WB_VERSION --root $WB_ROOT (about 2 minutes, once)"
    # Not --locked: a locked dependency of the CLI is missing from the registry (toolchain.md).
    # Lower opt-level / no LTO builds the CLI twice as fast with identical output.
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install wasm-bindgen-cli --version "$WB_VERSION" --root "$WB_ROOT" --force
    wb_ok || die "$WASM_BINDGEN is not wasm-bindgen $WB_VERSION after installing"
    { mkdir -p "$WB_CACHE" && cp -R "$WB_ROOT/bin" "$WB_CACHE/"; } 2>/dev/null || true
  fi
  exec 9>&-
fi

# --- 3. npm dev dependencies (binaryen, esbuild, typescript) --------------------------------
NPM_STAMP=node_modules/.webhook-push-deps
npm_key=$(sha package.json package-lock.json)
if [ ! -f "$NPM_STAMP" ] || [ "$(cat "$NPM_STAMP")" != "$npm_key" ]; then
  step "npm install (dev tooling, from package-lock.json)"
  # `npm install` rather than `npm ci`: npm ci fails once the lockfile holds deno's
  # other-platform optional packages (toolchain.md). It still follows the lockfile.
  npm install --no-audit --no-fund --loglevel=error >/dev/null
  if [ "$(sha package.json package-lock.json)" != "$npm_key" ]; then
    echo "build.sh: note: npm install rewrote package-lock.json; commit it if the change is intended" >&2
    npm_key=$(sha package.json package-lock.json)
  fi
  echo "$npm_key" >"$NPM_STAMP"
fi
WASM_OPT=node_modules/.bin/wasm-opt
[ -x "$WASM_OPT" ] || die "$WASM_OPT missing after npm install"
if [ -n "$TOOLS_ONLY" ]; then
  step "tools ready: $TARGET, wasm-bindgen $WB_VERSION, $("$WASM_OPT" --version), node_modules"
  exit 0
fi

# --- 4. cargo build ---------------------------------------------------------------------------
# cargo_wasm DIR [ARGS...]: the release wasm with the chosen toolchain into target dir DIR
# (the main and the full build each have their own, so neither invalidates the other).
if [ "$WP_TOOLCHAIN" = nightly ]; then
  # optimize_for_size: std's smaller algorithms (sort, formatting); measured -2.8 KB, not slower
  NIGHTLY_ARGS=(-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size)
  for p in std core alloc compiler_builtins dlmalloc hashbrown panic_abort; do
    NIGHTLY_ARGS+=(--config "profile.release.package.$p.opt-level=3")
  done
  cargo_wasm() {
    local dir=$1; shift
    RUSTFLAGS="$WASM_RUSTFLAGS -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Csymbol-mangling-version=legacy" \
      cargo "+$NIGHTLY" build --release --target "$TARGET" --lib --quiet --target-dir "$dir" "${NIGHTLY_ARGS[@]}" "$@"
  }
  # Its own target dir: the stable builds (tests, clippy) keep their cache.
  CARGO_DIR=target/nightly
  INB_CARGO_DIR=target/nightly-full
  step "cargo +$NIGHTLY build --release --target $TARGET --lib (build-std, immediate-abort panics)"
  TOOLCHAIN_DESC="$(rustup run "$NIGHTLY" rustc --version) ($NIGHTLY, build-std optimize_for_size, panic=immediate-abort, std opt-level 3)"
else
  cargo_wasm() {
    local dir=$1; shift
    RUSTFLAGS="$WASM_RUSTFLAGS" cargo build --release --target "$TARGET" --lib --quiet --target-dir "$dir" "$@"
  }
  CARGO_DIR=target
  INB_CARGO_DIR=target/full
  step "cargo build --release --target $TARGET --lib"
  TOOLCHAIN_DESC="$(rustc --version) (stable)"
fi
RAW_WASM=$CARGO_DIR/$TARGET/release/$NAME.wasm
cargo_wasm "$CARGO_DIR"
[ -f "$RAW_WASM" ] || die "cargo did not produce $RAW_WASM"

# --- 5+6. wasm-bindgen and wasm-opt, only when their input or the tools changed --------------
BG_STAMP=$OPT_DIR/.stamp
bg_key="$(sha "$RAW_WASM") wb=$WB_VERSION opt=$("$WASM_OPT" --version) flags=${WASM_OPT_FLAGS[*]}"
if [ ! -f "$BG_STAMP" ] || [ "$(cat "$BG_STAMP")" != "$bg_key" ] || [ ! -f "$OPT_DIR/${NAME}_bg.wasm" ]; then
  step "wasm-bindgen --target web -> $BINDGEN_DIR"
  rm -rf "$BINDGEN_DIR" "$OPT_DIR"
  "$WASM_BINDGEN" --target web --out-dir "$BINDGEN_DIR" --out-name "$NAME" "$RAW_WASM"
  step "wasm-opt ${WASM_OPT_FLAGS[*]}"
  mkdir -p "$OPT_DIR"
  "$WASM_OPT" "${WASM_OPT_FLAGS[@]}" "$BINDGEN_DIR/${NAME}_bg.wasm" -o "$OPT_DIR/${NAME}_bg.wasm"
  echo "$bg_key" >"$BG_STAMP"
fi
# What built the wasm, for bench/size.mjs and anyone asking.
printf '{ "toolchain": "%s", "cargo_wasm": "%s" }\n' "$WP_TOOLCHAIN" "$RAW_WASM" >"$OPT_DIR/build-info.json"
printf '%s\n' "$TOOLCHAIN_DESC" >"$OPT_DIR/toolchain.txt"

# --- 6b. the full wasm: the crate again with features "webhook" (the generic webhook engine) and
# "inbound" (bot callbacks), for the subpaths webhook-push/webhook and webhook-push/inbound ----
# Its own target dir, so the two builds never invalidate each other's output.
INB_NAME=${NAME}_full
INB_RAW=$INB_CARGO_DIR/$TARGET/release/$NAME.wasm
INB_BINDGEN_DIR=target/wasm-bindgen-full
INB_OPT_DIR=target/wasm-opt-full
step "cargo build --release --target $TARGET --lib --features webhook,inbound ($INB_CARGO_DIR)"
cargo_wasm "$INB_CARGO_DIR" --features webhook,inbound
[ -f "$INB_RAW" ] || die "cargo did not produce $INB_RAW"
INB_STAMP=$INB_OPT_DIR/.stamp
inb_key="$(sha "$INB_RAW") wb=$WB_VERSION opt=$("$WASM_OPT" --version) flags=${WASM_OPT_FLAGS[*]}"
if [ ! -f "$INB_STAMP" ] || [ "$(cat "$INB_STAMP")" != "$inb_key" ] || [ ! -f "$INB_OPT_DIR/${INB_NAME}_bg.wasm" ]; then
  step "wasm-bindgen + wasm-opt (full) -> $INB_OPT_DIR"
  rm -rf "$INB_BINDGEN_DIR" "$INB_OPT_DIR"
  "$WASM_BINDGEN" --target web --out-dir "$INB_BINDGEN_DIR" --out-name "$INB_NAME" "$INB_RAW"
  mkdir -p "$INB_OPT_DIR"
  "$WASM_OPT" "${WASM_OPT_FLAGS[@]}" "$INB_BINDGEN_DIR/${INB_NAME}_bg.wasm" -o "$INB_OPT_DIR/${INB_NAME}_bg.wasm"
  echo "$inb_key" >"$INB_STAMP"
fi

# --- 7. pkg/ ---------------------------------------------------------------------------------
step "assemble pkg/ ($PKG_VERSION)"
node scripts/assemble-pkg.mjs --version "$PKG_VERSION" --glue "$BINDGEN_DIR" \
  --wasm "$OPT_DIR/${NAME}_bg.wasm" --template pkg-template --out pkg \
  --full-glue "$INB_BINDGEN_DIR" --full-wasm "$INB_OPT_DIR/${INB_NAME}_bg.wasm" | { [ "${WP_BUILD_QUIET:-}" = 1 ] && cat >/dev/null || cat; }

raw=$(wc -c <"$RAW_WASM"); bg=$(wc -c <"$BINDGEN_DIR/${NAME}_bg.wasm"); opt=$(wc -c <"pkg/${NAME}_bg.wasm")
step "done: pkg/ webhook-push@$PKG_VERSION ($WP_TOOLCHAIN); wasm $raw B (cargo) -> $bg B (wasm-bindgen) -> $opt B (wasm-opt)"
inb=$(wc -c <"pkg/${INB_NAME}_bg.wasm")
step "full (webhook-push/webhook and /inbound): pkg/${INB_NAME}_bg.wasm $inb B (wasm-opt), $(gzip -9 -c "pkg/${INB_NAME}_bg.wasm" | wc -c) B gzip; main $(gzip -9 -c "pkg/${NAME}_bg.wasm" | wc -c) B gzip"
