// Reads a Chrome trace-event JSON file with the trace engine of Chrome
// DevTools' Performance panel (npm @paulirish/trace_engine, installed by
// scripts/fetch_trace_reader.sh) and prints what that reader made of it, as
// JSON, for tests/apps/trace_reader_test.cpp to check:
//   {"processes": {pid: name}, "threads": [{pid, tid, name, slices,
//    in_tree, with_args, max_depth}], "flows": [[{name, pid, tid, args}...]]}
// `slices` counts the complete events of a thread, `in_tree` those the engine
// placed in the thread's slice tree (it leaves out a slice that overlaps
// another partially), `with_args` those with a non-empty args object.
//   node read_trace.mjs ENGINE_DIR TRACE.json
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const [engineDir, tracePath] = process.argv.slice(2);
if (!engineDir || !tracePath) {
  console.error('usage: node read_trace.mjs ENGINE_DIR TRACE.json');
  process.exit(2);
}
// The engine draws on DOMRect, which Node lacks; nothing here reads it.
globalThis.DOMRect ??= class DOMRect {
  constructor(x = 0, y = 0, width = 0, height = 0) {
    Object.assign(this, {x, y, width, height});
  }
};
const Trace = await import(pathToFileURL(path.join(engineDir, 'models/trace/trace.js')).href);
const file = JSON.parse(fs.readFileSync(tracePath, 'utf8'));
const events = file.traceEvents ?? file;
// Times in integer nanoseconds, as Perfetto's importer takes them
// (llround(us x 1000)): the engine then judges nesting on Perfetto's
// integers, not on sums of doubles that round a decimal time by an ulp.
for (const e of events) {
  if (typeof e.ts === 'number') e.ts = Math.round(e.ts * 1000);
  if (typeof e.dur === 'number') e.dur = Math.round(e.dur * 1000);
}
const model = Trace.TraceModel.Model.createWithAllHandlers();
await model.parse(events);
const data = model.parsedTrace(0).data;

const processes = {};
for (const [pid, name] of data.Meta.processNames) processes[pid] = name.args.name;
const threads = [];
for (const [pid, proc] of data.Renderer.processes) {
  for (const [tid, thread] of proc.threads) {
    const complete = thread.entries.filter(e => e.ph === 'X');
    threads.push({
      pid,
      tid,
      name: thread.name ?? null,
      slices: complete.length,
      in_tree: complete.filter(e => data.Renderer.entryToNode.has(e)).length,
      with_args: complete.filter(e => e.args && Object.keys(e.args).length > 0).length,
      max_depth: thread.tree ? thread.tree.maxDepth : 0,
    });
  }
}
const flows = data.Flows.flows.map(flow => flow.map(e => ({name: e.name, pid: e.pid, tid: e.tid, args: e.args ?? {}})));
process.stdout.write(JSON.stringify({processes, threads, flows}) + '\n');
