// What each crate costs in the optimised wasm: reads a `wasm-opt -Oz --debuginfo` build (same
// optimisation as the shipped wasm, but the name section kept), sums each function body's bytes
// by the crate its name belongs to, and sizes the data segments, finding pulldown-cmark's HTML
// entity table in them by its shape. A plain reader of the binary format: no dependencies.
import { execFileSync } from "node:child_process";

/** Sections of a wasm binary: [{ id, name, start, size }] (start = first byte of the payload). */
export function sections(buf) {
  if (buf.readUInt32LE(0) !== 0x6d736100) throw new Error("not a wasm binary");
  const out = [];
  let p = 8;
  while (p < buf.length) {
    const id = buf[p++];
    const [size, q] = leb(buf, p);
    p = q;
    let name = null;
    if (id === 0) {
      const [n, r] = leb(buf, p);
      name = buf.toString("utf8", r, r + n);
    }
    out.push({ id, name, start: p, size });
    p += size;
  }
  return out;
}

function leb(buf, p) {
  let r = 0;
  let shift = 0;
  let b;
  do {
    b = buf[p++];
    r += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [r, p];
}

function sleb32(buf, p) {
  let r = 0;
  let shift = 0;
  let b;
  do {
    b = buf[p++];
    r |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  if (shift < 32 && b & 0x40) r |= ~0 << shift;
  return [r, p];
}

const SECTION_NAMES = { 0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "datacount" };

/** The parts of a wasm: functions (index, body size, name), data segments, other sections. */
export function parseWasm(buf) {
  const secs = sections(buf);
  let importedFuncs = 0;
  const funcs = [];
  const segments = [];
  const names = new Map();
  for (const s of secs) {
    let p = s.start;
    if (s.id === 2) {
      let n;
      [n, p] = leb(buf, p);
      for (let i = 0; i < n; i++) {
        let l;
        [l, p] = leb(buf, p);
        p += l;
        [l, p] = leb(buf, p);
        p += l;
        const kind = buf[p++];
        if (kind === 0) {
          [, p] = leb(buf, p);
          importedFuncs++;
        } else if (kind === 1) {
          p++;
          const flags = buf[p++];
          [, p] = leb(buf, p);
          if (flags & 1) [, p] = leb(buf, p);
        } else if (kind === 2) {
          const flags = buf[p++];
          [, p] = leb(buf, p);
          if (flags & 1) [, p] = leb(buf, p);
        } else if (kind === 3) {
          p += 2;
        } else if (kind === 4) {
          p++;
          [, p] = leb(buf, p);
        } else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (s.id === 10) {
      let n;
      [n, p] = leb(buf, p);
      for (let i = 0; i < n; i++) {
        const before = p;
        let size;
        [size, p] = leb(buf, p);
        funcs.push({ index: importedFuncs + i, size: size + (p - before), body: size });
        p += size;
      }
    } else if (s.id === 11) {
      let n;
      [n, p] = leb(buf, p);
      for (let i = 0; i < n; i++) {
        const begin = p;
        let mode;
        [mode, p] = leb(buf, p);
        let offset = null;
        if (mode === 2) [, p] = leb(buf, p);
        if (mode === 0 || mode === 2) {
          if (buf[p] === 0x41) {
            [offset, p] = sleb32(buf, p + 1);
            if (buf[p] !== 0x0b) throw new Error("unexpected data offset expression");
            p++;
          } else {
            while (buf[p] !== 0x0b) p++;
            p++;
          }
        }
        let len;
        [len, p] = leb(buf, p);
        segments.push({ index: i, mode: mode === 1 ? "passive" : "active", offset, bytes: buf.subarray(p, p + len), size: p + len - begin });
        p += len;
      }
    } else if (s.id === 0 && s.name === "name") {
      let q = s.start;
      const [nl, q1] = leb(buf, q);
      q = q1 + nl;
      const end = s.start + s.size;
      while (q < end) {
        const sub = buf[q++];
        let size;
        [size, q] = leb(buf, q);
        if (sub === 1) {
          let r = q;
          let n;
          [n, r] = leb(buf, r);
          for (let i = 0; i < n; i++) {
            let idx;
            let l;
            [idx, r] = leb(buf, r);
            [l, r] = leb(buf, r);
            names.set(idx, buf.toString("utf8", r, r + l));
            r += l;
          }
        }
        q += size;
      }
    }
  }
  for (const f of funcs) f.name = names.get(f.index) ?? null;
  return { sections: secs.map((s) => ({ ...s, kind: s.id === 0 ? `custom:${s.name}` : SECTION_NAMES[s.id] ?? `id${s.id}` })), funcs, segments, importedFuncs };
}

const STD = new Set(["core", "alloc", "std", "compiler_builtins", "dlmalloc", "__rustc", "panic_abort", "rustc_demangle", "hashbrown", "std_detect", "panic_unwind"]);
const STD_ROW = "std (core, alloc, hashbrown, compiler-builtins)";
const GROUP = { serde_core: "serde", serde: "serde", md5: "md-5", md_5: "md-5" };

/** `<A as B>::c` -> [A, B]; `<A>::c` -> [A, null]. */
function splitQualified(n) {
  let depth = 0;
  let asAt = -1;
  for (let i = 0; i < n.length; i++) {
    const ch = n[i];
    if (ch === "<") depth++;
    else if (ch === ">") {
      depth--;
      if (depth === 0) {
        const inner = n.slice(1, i);
        return asAt > 0 ? [inner.slice(0, asAt - 1), inner.slice(asAt + 3)] : [inner, null];
      }
    } else if (depth === 1 && n.startsWith(" as ", i)) asAt = i;
  }
  return [n, null];
}

/** The first segments of the paths in a name, in order ("a::b<c::d>" -> a, c). */
function pathHeads(s) {
  return [...s.matchAll(/(?:^|[^A-Za-z0-9_:])([A-Za-z_][A-Za-z0-9_]*)::/g)].map((m) => m[1]);
}

/**
 * The crate a function's code belongs to. `<Type as Trait>::f` counts for the type's crate unless
 * the type is a std or generic one (then the trait's crate); a std generic instantiated for a
 * crate's type (`core::ptr::drop_in_place<serde_json::Value>`) counts for that crate; the rest of
 * std (core, alloc, hashbrown, compiler_builtins; dlmalloc when it is the allocator) is one row; the shims wasm-bindgen
 * generates are one row. `known`: the crates in the build (underscored names).
 */
export function crateOf(name, known = new Set()) {
  if (!name || /^wasm-function\[\d+\]$/.test(name)) return "(unnamed)";
  if (/externref shim|multivalue shim|^__wbindgen|^__wbg_|^__externref|^js-to-wasm|^wasm-to-js/.test(name)) return "wasm-bindgen (generated shims)";
  const n = name.replace(/\[[0-9a-f]{16}\]/g, "").replace(/::h[0-9a-f]{16}$/, "");
  const isCrate = (c) => c && !STD.has(c) && (known.has(c) || c === "webhook_push");
  let c = null;
  if (n.startsWith("<")) {
    const [a, b] = splitQualified(n);
    c = pathHeads(a).slice(0, 1).find(isCrate) ?? (b ? pathHeads(b).slice(0, 1).find(isCrate) : undefined) ?? null;
  } else {
    const head = pathHeads(n)[0];
    if (isCrate(head)) c = head;
  }
  c ??= pathHeads(n).find(isCrate) ?? null;
  if (!c) return STD_ROW;
  return GROUP[c] ?? c.replace(/_/g, "-");
}

/** Which direct dependencies pull a crate in (cargo tree), keyed by crate name with '-'. */
export function dependencyParents(root) {
  let text;
  try {
    text = execFileSync("cargo", ["tree", "-e", "normal", "--target", "wasm32-unknown-unknown", "--prefix", "depth", "--format", "{p}", "--offline"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return {};
  }
  const parents = {};
  let direct = null;
  for (const line of text.split("\n")) {
    const m = /^(\d+)([A-Za-z0-9_-]+) v(\S+)/.exec(line);
    if (!m) continue;
    const depth = Number(m[1]);
    const name = m[2].replace(/_/g, "-");
    if (/\(proc-macro\)/.test(line)) continue;
    if (depth === 1) direct = name;
    if (depth >= 1) {
      parents[name] ??= { version: m[3], via: new Set() };
      parents[name].via.add(depth === 1 ? "(direct)" : direct);
    }
  }
  const GROUPED = { "serde-core": "serde" };
  const out = {};
  for (const [k, v] of Object.entries(parents)) out[GROUPED[k] ?? k] = { version: v.version, via: [...v.via].sort() };
  return out;
}

/**
 * pulldown-cmark's HTML entity table: an array of (name: &[u8], value: &str) pairs, i.e. 16-byte
 * records (ptr, len, ptr, len) whose names are short ASCII words ("AElig", ...). Finds the longest
 * run of such records in the data and the strings they point at.
 */
export function findEntityTable(segments) {
  return findEntityFrontCoded(segments) ?? findEntityRecords(segments) ?? findEntityPairs(segments);
}

/**
 * The table as the patched pulldown-cmark stores it now (crates/pulldown-cmark/PATCH.md): NAMES,
 * per entry a byte `prefix length << 3 | value length` and the rest of the name with the high bit
 * set on its last byte, starting with "AElig" (value of 2 bytes); VALUES (the values end to end,
 * sized from the value lengths) and BUCKETS (4 bytes per 16 entries) beside it.
 */
function findEntityFrontCoded(segments) {
  const start = Buffer.from([0x02, ...Buffer.from("AEli", "latin1"), "g".charCodeAt(0) | 0x80]);
  for (const s of segments.filter((x) => x.mode === "active" && x.offset !== null)) {
    const at = s.bytes.indexOf(start);
    if (at < 0) continue;
    const b = s.bytes;
    const names = [];
    let o = at;
    let values = 0;
    for (;;) {
      const head = b[o];
      if (head === undefined || (head & 7) === 0 || (names.length % 16 === 0 && head >> 3 !== 0)) break;
      const keep = head >> 3;
      const prev = names.at(-1) ?? "";
      if (keep > prev.length) break;
      let n = o + 1;
      let rest = "";
      while (n < b.length && (b[n] & 0x80) === 0 && /[A-Za-z0-9]/.test(String.fromCharCode(b[n]))) rest += String.fromCharCode(b[n++]);
      if (n >= b.length || !/[A-Za-z0-9]/.test(String.fromCharCode(b[n] & 0x7f))) break;
      rest += String.fromCharCode(b[n] & 0x7f);
      names.push(prev.slice(0, keep) + rest);
      values += head & 7;
      o = n + 1;
    }
    if (names.length < 100) continue;
    const buckets = Math.ceil(names.length / 16) * 4;
    return {
      format: "front-coded",
      segment: s.index,
      address: s.offset + at,
      entries: names.length,
      first: names[0],
      last: names.at(-1),
      table_bytes: buckets,
      string_bytes: o - at + values,
      total_bytes: o - at + values + buckets,
    };
  }
  return null;
}

/**
 * The table as the patched pulldown-cmark (crates/pulldown-cmark) stores it: one string of
 * `name \x01 value \x00` records starting at "AElig".
 */
function findEntityRecords(segments) {
  const start = Buffer.from("AElig\x01", "latin1");
  for (const s of segments.filter((x) => x.mode === "active" && x.offset !== null)) {
    const at = s.bytes.indexOf(start);
    if (at < 0) continue;
    const b = s.bytes;
    const names = [];
    let o = at;
    for (;;) {
      let n = o;
      while (n < b.length && /[A-Za-z0-9]/.test(String.fromCharCode(b[n]))) n++;
      if (n === o || b[n] !== 1) break;
      const z = b.indexOf(0, n + 1);
      if (z < 0 || z - n - 1 < 1 || z - n - 1 > 16) break;
      names.push(b.subarray(o, n).toString("latin1"));
      o = z + 1;
    }
    if (names.length < 100) continue;
    return {
      format: "records",
      segment: s.index,
      address: s.offset + at,
      entries: names.length,
      first: names[0],
      last: names.at(-1),
      table_bytes: 0,
      string_bytes: o - at,
      total_bytes: o - at,
    };
  }
  return null;
}

/** Upstream pulldown-cmark's layout: (name, value) slice pairs pointing at the strings. */
function findEntityPairs(segments) {
  const active = segments.filter((s) => s.mode === "active" && s.offset !== null);
  const seg = (addr) => active.find((s) => addr >= s.offset && addr < s.offset + s.bytes.length);
  const bytesAt = (addr, len) => {
    const s = seg(addr);
    if (!s || addr + len > s.offset + s.bytes.length) return null;
    return s.bytes.subarray(addr - s.offset, addr - s.offset + len);
  };
  const isRecord = (s, o) => {
    if (o + 16 > s.bytes.length) return null;
    const p1 = s.bytes.readUInt32LE(o);
    const l1 = s.bytes.readUInt32LE(o + 4);
    const p2 = s.bytes.readUInt32LE(o + 8);
    const l2 = s.bytes.readUInt32LE(o + 12);
    if (l1 < 2 || l1 > 40 || l2 < 1 || l2 > 16) return null;
    const name = bytesAt(p1, l1);
    if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name.toString("latin1"))) return null;
    const value = bytesAt(p2, l2);
    if (!value) return null;
    return { p1, l1, p2, l2, name: name.toString("latin1") };
  };
  let best = null;
  for (const s of active) {
    const startMod = (4 - (s.offset % 4)) % 4;
    for (let o = startMod; o + 16 <= s.bytes.length; o += 4) {
      if (!isRecord(s, o)) continue;
      const recs = [];
      let q = o;
      for (let r; (r = isRecord(s, q)); q += 16) recs.push(r);
      if (!best || recs.length > best.recs.length) best = { seg: s.index, addr: s.offset + o, recs };
      o = q - 4;
    }
  }
  if (!best || best.recs.length < 100) return null;
  const ranges = [];
  for (const r of best.recs) ranges.push([r.p1, r.p1 + r.l1], [r.p2, r.p2 + r.l2]);
  ranges.sort((a, b) => a[0] - b[0]);
  let strings = 0;
  let cur = null;
  for (const [a, b] of ranges) {
    if (!cur || a > cur[1]) {
      if (cur) strings += cur[1] - cur[0];
      cur = [a, b];
    } else cur[1] = Math.max(cur[1], b);
  }
  if (cur) strings += cur[1] - cur[0];
  return {
    segment: best.seg,
    address: best.addr,
    entries: best.recs.length,
    first: best.recs[0].name,
    last: best.recs.at(-1).name,
    table_bytes: best.recs.length * 16,
    string_bytes: strings,
    total_bytes: best.recs.length * 16 + strings,
  };
}

/** The attribution table: code by crate, data, and the other sections, for one debuginfo build. */
export function attribute(buf, root) {
  const w = parseWasm(buf);
  const parents = dependencyParents(root);
  const known = new Set(Object.keys(parents).map((k) => k.replace(/-/g, "_")));
  known.add("serde_core").add("md5");
  const byCrate = new Map();
  for (const f of w.funcs) {
    const c = crateOf(f.name, known);
    const e = byCrate.get(c) ?? { crate: c, functions: 0, bytes: 0, largest: [] };
    e.functions++;
    e.bytes += f.size;
    e.largest.push({ name: f.name, bytes: f.size });
    byCrate.set(c, e);
  }
  const codeBytes = w.funcs.reduce((a, f) => a + f.size, 0);
  const crates = [...byCrate.values()]
    .map((e) => ({
      crate: e.crate,
      functions: e.functions,
      bytes: e.bytes,
      share_of_code: e.bytes / codeBytes,
      version: parents[e.crate]?.version ?? null,
      via: parents[e.crate]?.via ?? null,
      largest: e.largest.sort((a, b) => b.bytes - a.bytes).slice(0, 3).map((x) => ({ name: shortName(x.name), bytes: x.bytes })),
    }))
    .sort((a, b) => b.bytes - a.bytes);
  const dataBytes = w.segments.reduce((a, s) => a + s.bytes.length, 0);
  const entity = findEntityTable(w.segments);
  const sectionsOut = w.sections.map((s) => ({ kind: s.kind, bytes: s.size }));
  return {
    total_bytes: buf.length,
    code_bytes: codeBytes,
    functions: w.funcs.length,
    named_functions: w.funcs.filter((f) => f.name).length,
    data_bytes: dataBytes,
    data_segments: w.segments.map((s) => ({ index: s.index, mode: s.mode, offset: s.offset, bytes: s.bytes.length })),
    entity_table: entity,
    crates,
    sections: sectionsOut,
  };
}

function shortName(n) {
  if (!n) return "(unnamed)";
  const s = n.replace(/\[[0-9a-f]{16}\]/g, "").replace(/::h[0-9a-f]{16}$/, "");
  return s.length > 110 ? `${s.slice(0, 107)}...` : s;
}
