#!/usr/bin/env node
// Writes src/entities.rs (this patched copy of pulldown-cmark 0.13.6) from upstream's
// src/entities.rs: the same 2,125 HTML entities, front-coded names and values end to end
// (17.0 KB) instead of an array of (&[u8], &str) pairs (two fat pointers, 16 bytes, per entry on
// wasm32; 52 KB in all).
//
//   node crates/pulldown-cmark/gen-entities.mjs [UPSTREAM_ENTITIES_RS]          rewrite src/entities.rs
//   node crates/pulldown-cmark/gen-entities.mjs --check [UPSTREAM_ENTITIES_RS]  exit 1 if it differs
//
// UPSTREAM_ENTITIES_RS defaults to pulldown-cmark-0.13.6/src/entities.rs in cargo's registry
// sources ($CARGO_HOME/registry/src/*/); `cargo fetch` outside this repo (or unpacking the
// .crate from crates.io) puts it there. Prints the count and the checksum that
// tests/html_entities.rs checks (FNV-1a 64 over `name \0 value \0` of every entry, in order).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(HERE, "src", "entities.rs");
const VERSION = "0.13.6";

const args = process.argv.slice(2);
const check = args[0] === "--check";
if (check) args.shift();

function defaultUpstream() {
  const home = process.env.CARGO_HOME ?? path.join(os.homedir(), ".cargo");
  const src = path.join(home, "registry", "src");
  for (const index of fs.existsSync(src) ? fs.readdirSync(src) : []) {
    const f = path.join(src, index, `pulldown-cmark-${VERSION}`, "src", "entities.rs");
    if (fs.existsSync(f)) return f;
  }
  throw new Error(`upstream pulldown-cmark-${VERSION}/src/entities.rs not found under ${src}; pass its path`);
}
const upstreamPath = args[0] ?? defaultUpstream();
const upstream = fs.readFileSync(upstreamPath, "utf8");

// Upstream's entries: `    (b"AElig", "\u{00C6}"),` one a line, values only as \u{...} escapes.
const entryRe = /^ {4}\(b"([A-Za-z0-9]+)", "((?:\\u\{[0-9A-Fa-f]+\})+)"\),$/;
const lines = upstream.split("\n");
const entries = [];
let inTable = false;
for (const line of lines) {
  if (/^const ENTITIES: \[\(&\[u8\], &str\); \d+\] = \[$/.test(line)) {
    inTable = true;
    continue;
  }
  if (!inTable) continue;
  if (line === "];") {
    inTable = false;
    break;
  }
  const m = entryRe.exec(line);
  if (!m) throw new Error(`unexpected line in upstream's table: ${JSON.stringify(line)}`);
  const cps = [...m[2].matchAll(/\\u\{([0-9A-Fa-f]+)\}/g)].map((x) => parseInt(x[1], 16));
  entries.push({ name: m[1], cps, value: String.fromCodePoint(...cps) });
}
const declared = Number(/const ENTITIES: \[\(&\[u8\], &str\); (\d+)\]/.exec(upstream)?.[1]);
if (entries.length === 0 || entries.length !== declared) {
  throw new Error(`read ${entries.length} entries, upstream declares ${declared}`);
}
// The lookup is a binary search by bytes: names must be strictly increasing (all ASCII, so
// JS string order is byte order); the checksum below separates names and values by `\0`, which
// must not occur in a value.
for (let i = 1; i < entries.length; i++) {
  if (!(entries[i - 1].name < entries[i].name)) throw new Error(`not sorted at ${entries[i].name}`);
}
for (const e of entries) {
  if (/\0/.test(e.value)) throw new Error(`separator inside the value of ${e.name}`);
}

// FNV-1a 64 over the UTF-8 of `name \0 value \0` per entry.
let h = 0xcbf29ce484222325n;
const enc = new TextEncoder();
for (const e of entries) {
  for (const b of enc.encode(`${e.name}\0${e.value}\0`)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
}
const checksum = `0x${h.toString(16).padStart(16, "0")}`;

const header = upstream.slice(0, upstream.indexOf("//! Expansions of HTML5 entities"));
if (!header.includes("Permission is hereby granted")) throw new Error("upstream's license header not found");
// Front coding (webhook-push's patch): the names are sorted, so each shares a prefix with the
// one before it. Per entry, NAMES holds one byte `prefix length << 3 | value length` (prefix at
// most 31, a value's UTF-8 1 to 7 bytes: three bits) and the rest of the name, its last byte with the high
// bit set (names are ASCII and never a prefix of the name after them: the rest is never empty).
// Every BUCKET-th entry starts a bucket and is stored whole (prefix length 0); BUCKETS holds
// where each bucket starts in NAMES and in VALUES (the values, end to end, in entry order).
const BUCKET = 16;
const names = [];
const buckets = [];
let valueAt = 0;
for (let i = 0; i < entries.length; i++) {
  const e = entries[i];
  const v = enc.encode(e.value).length;
  if (v < 1 || v > 7) throw new Error(`value of ${e.name} is ${v} bytes`);
  let keep = 0;
  if (i % BUCKET === 0) {
    buckets.push([names.reduce((a, b) => a + b.length, 0), valueAt]);
  } else {
    const prev = entries[i - 1].name;
    while (keep < prev.length && keep < e.name.length && prev[keep] === e.name[keep]) keep++;
    if (keep > 31) throw new Error(`prefix of ${e.name} longer than 31`);
  }
  const rest = [...e.name.slice(keep)].map((c) => c.charCodeAt(0));
  if (rest.length === 0 || e.name.length > 32) throw new Error(`cannot front-code ${e.name}`);
  rest[rest.length - 1] |= 0x80;
  names.push([(keep << 3) | v, ...rest]);
  valueAt += v;
}
const namesLen = names.reduce((a, b) => a + b.length, 0);
if (namesLen > 0xffff || valueAt > 0xffff) throw new Error("offsets do not fit in u16");
const byteLit = (bytes) =>
  bytes.map((b) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`).join("");
const esc = (cps) => cps.map((c) => `\\u{${c.toString(16).toUpperCase().padStart(4, "0")}}`).join("");
const chunks = (xs, n) => Array.from({ length: Math.ceil(xs.length / n) }, (_, k) => xs.slice(k * n, k * n + n));
const body = `${header}//! Expansions of HTML5 entities

// Generated by gen-entities.mjs (webhook-push's patch) from upstream's table (autogenerated
// by mk_entities.py): the same ${entries.length} entries in the same order. Upstream stores
// \`[(&[u8], &str); ${entries.length}]\`, two fat pointers per entry (16 bytes on wasm32, 34 KB)
// beside the bytes themselves; here the names are front-coded in buckets of ${BUCKET} (NAMES) and
// the values stored end to end (VALUES): ${namesLen + valueAt + buckets.length * 4} bytes in all.
// FNV-1a 64 of \`name \\0 value \\0\` over all entries: ${checksum}.

use std::cmp::Ordering;

/// Entries per bucket; a bucket's first name is stored whole.
const BUCKET: usize = ${BUCKET};

/// Per entry: \`prefix length << 3 | value length\`, then the rest of the name, its last byte
/// with the high bit set. One line per bucket.
pub(crate) const NAMES: &[u8] = b"\\
${names.length ? chunks(names, BUCKET).map((c) => `    ${byteLit(c.flat())}\\`).join("\n") : ""}
";

/// The values in entry order, end to end. One line per bucket.
pub(crate) const VALUES: &str = concat!(
${chunks(entries, BUCKET).map((c) => `    "${c.map((e) => esc(e.cps)).join("")}",`).join("\n")}
);

/// Where each bucket starts: (offset in NAMES, offset in VALUES).
pub(crate) const BUCKETS: [(u16, u16); ${buckets.length}] = [
${buckets.map(([n, v]) => `    (${n}, ${v}),`).join("\n")}
];

/// Every entry in order (for tests; \`get_entity\` reads the table on its own).
#[allow(dead_code)]
pub(crate) fn entries() -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let (mut at, mut value) = (0, 0);
    while let Some(&head) = NAMES.get(at) {
        let keep = usize::from(head >> 3);
        let value_len = usize::from(head & 7);
        let mut name: Vec<u8> = out.last().map_or(&b""[..], |e| e.0.as_bytes())[..keep].to_vec();
        at += 1;
        loop {
            let b = NAMES[at];
            name.push(b & 0x7f);
            at += 1;
            if b & 0x80 != 0 {
                break;
            }
        }
        out.push((String::from_utf8(name).unwrap(), &VALUES[value..value + value_len]));
        value += value_len;
    }
    out
}

/// How the rest of a name stored from \`at\` in NAMES compares with \`bytes\`, how many leading
/// bytes they share, and where that rest ends in NAMES.
fn cmp_rest(at: usize, bytes: &[u8]) -> Option<(Ordering, usize, usize)> {
    let rest = NAMES.get(at..)?;
    let len = rest.iter().position(|&b| b & 0x80 != 0)? + 1;
    let mut i = 0;
    while let (Some(&b), Some(&q)) = (rest.get(i).filter(|_| i < len), bytes.get(i)) {
        if b & 0x7f != q {
            return Some(((b & 0x7f).cmp(&q), i, at + len));
        }
        i += 1;
    }
    Some((len.cmp(&bytes.len()), i, at + len))
}

/// The value of the entity named \`bytes\`: a binary search over the buckets' first names, then
/// the bucket's entries in order (as upstream's \`binary_search_by_key\`, same results). The scan
/// keeps how many leading bytes the name before shares with \`bytes\` (\`matched\`): a name that
/// keeps more of the one before is still less than \`bytes\`, one that keeps less is greater.
pub(crate) fn get_entity(bytes: &[u8]) -> Option<&'static str> {
    // the first bucket whose first name is greater than \`bytes\`
    let (mut lo, mut hi) = (0, BUCKETS.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let &(at, _) = BUCKETS.get(mid)?;
        if cmp_rest(usize::from(at) + 1, bytes)?.0 == Ordering::Greater {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let &(at, value) = BUCKETS.get(lo.checked_sub(1)?)?;
    let (mut at, mut value, mut matched) = (usize::from(at), usize::from(value), 0);
    for _ in 0..BUCKET {
        let &head = NAMES.get(at)?;
        let keep = usize::from(head >> 3);
        let value_len = usize::from(head & 7);
        if keep < matched {
            return None;
        }
        if keep == matched {
            let (ord, same, end) = cmp_rest(at + 1, bytes.get(keep..)?)?;
            match ord {
                Ordering::Less => matched += same,
                Ordering::Equal => return VALUES.get(value..value + value_len),
                Ordering::Greater => return None,
            }
            at = end;
        } else {
            at = cmp_rest(at + 1, &[])?.2;
        }
        value += value_len;
    }
    None
}
`;

// rustfmt (the repo's rustfmt.toml applies) so that `cargo fmt --check` of the test that
// includes this file never differs from what this script writes.
const tmp = path.join(os.tmpdir(), `entities-${process.pid}.rs`);
fs.writeFileSync(tmp, body);
execFileSync("rustfmt", ["--edition", "2021", "--config-path", path.join(HERE, "..", "..", "rustfmt.toml"), tmp]);
const formatted = fs.readFileSync(tmp, "utf8");
fs.unlinkSync(tmp);

console.log(`${entries.length} entities from ${upstreamPath}; checksum ${checksum}`);
if (check) {
  const now = fs.existsSync(OUT) ? fs.readFileSync(OUT, "utf8") : "";
  if (now !== formatted) {
    console.error(`${OUT} differs from what upstream's table generates`);
    process.exit(1);
  }
  console.log(`${OUT} is up to date`);
} else {
  fs.writeFileSync(OUT, formatted);
  console.log(`wrote ${OUT} (${enc.encode(formatted).length} B)`);
}
