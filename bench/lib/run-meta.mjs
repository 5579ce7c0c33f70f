// bench/run.sh's bookkeeping: `start` records the machine and load, `end` the load, the run time
// and the phases that failed (bench/out/run.json, read by report.mjs).
import { loadavg, machine, readJson, writeJson } from "./common.mjs";

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === "start") {
  writeJson("run.json", { started_at: new Date().toISOString(), quick: process.env.QUICK === "1", machine: machine(), load_start: loadavg(), not_done: [] });
} else if (cmd === "fail") {
  const r = readJson("run.json");
  r.not_done.push(rest.join(" "));
  writeJson("run.json", r);
} else if (cmd === "end") {
  const r = readJson("run.json");
  r.finished_at = new Date().toISOString();
  r.seconds = (Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000;
  r.load_end = loadavg();
  r.machine = machine();
  writeJson("run.json", r);
}
