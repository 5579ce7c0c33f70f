// Start bench/lib/mock-proc.mjs (the mock platforms in their own process) and talk to it.
import { fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** @returns {Promise<{url, baseUrls, pid, addBot, stats, captured, resetCounters, cpu, close}>} */
export async function startMockProcess({ rateLimits = false, strict = true, maxReceived = 50 } = {}) {
  const child = fork(path.join(HERE, "mock-proc.mjs"), [], {
    env: { ...process.env, WP_MOCK_OPTS: JSON.stringify({ rateLimits, strict, maxReceived }) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map();
  let nextId = 1;
  let exited = false;
  const ready = new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("the mock did not start within 20 s")), 20_000);
    child.on("message", (m) => {
      if (m.ready) {
        clearTimeout(t);
        resolve(m);
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      m.ok ? p.resolve(m.value) : p.reject(new Error(m.error));
    });
    child.on("exit", (code) => {
      exited = true;
      clearTimeout(t);
      reject(new Error(`the mock exited (${code})`));
      for (const p of pending.values()) p.reject(new Error(`the mock exited (${code})`));
      pending.clear();
    });
  });
  const info = await ready;
  const call = (cmd, arg) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error("the mock has exited"));
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, cmd, arg });
    });
  return {
    url: info.url,
    baseUrls: info.baseUrls,
    pid: info.pid,
    addBot: (spec) => call("addBot", spec),
    stats: (ids) => call("stats", ids),
    captured: (id) => call("captured", id),
    resetCounters: () => call("resetCounters"),
    cpu: () => call("cpu"),
    async close() {
      if (exited) return;
      const gone = new Promise((r) => child.once("exit", r));
      await call("close").catch(() => {});
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(t);
    },
  };
}
