# Entry points; the work is in scripts/ (see scripts/build.sh and scripts/test.sh).
.PHONY: build test demo demo-render relay-local bench golden fuzz clean

build:            ## pkg/: the npm package (wasm + glue + entries)
	bash scripts/build.sh

test:             ## everything CI runs: fmt, clippy, cargo test, wasm tests, build, JS + TS on the packed package
	bash scripts/test.sh

demo:             ## the relay in workerd + the mock platforms: post an alert and a seed example, print what arrived
	node scripts/relay-demo.mjs

relay-local:      ## the relay in workerd + the mock platforms on 127.0.0.1:8787 until Ctrl-C (curl or a real Alertmanager can post to it)
	node scripts/relay-demo.mjs --serve

demo-render:      ## render every seed example for WeCom, DingTalk and Feishu (no network at all)
	node scripts/demo.mjs

bench:            ## size, cold start, render/send throughput, vs Apprise, memory -> bench/RESULTS.md (QUICK=1: skip the long bursts)
	QUICK="$(QUICK)" bash bench/run.sh

fuzz:             ## every cargo-fuzz target for FUZZ_SECONDS each (default 60); see scripts/fuzz.sh
	FUZZ_SECONDS="$(FUZZ_SECONDS)" bash scripts/fuzz.sh

golden:           ## rewrite tests/golden/webhook_push.d.ts from a fresh build
	bash scripts/build.sh
	bash scripts/pack-install.sh target/consumer >/dev/null
	UPDATE_GOLDEN=1 node scripts/check-types.mjs target/consumer --golden-only

clean:
	rm -rf pkg target/wasm-bindgen target/wasm-opt target/pack target/consumer target/relay bench/out
