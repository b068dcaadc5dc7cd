// The zigttp runtime globals that the benchmark handlers use and V8 runtimes lack.
// `range(end)` / `range(start, end, step)` yields integers (a lazy iterator in zigttp;
// an array here, which V8 iterates at least as fast).
export function range(start, end, step) {
  const lo = end === undefined ? 0 : start;
  const hi = end === undefined ? start : end;
  const by = step === undefined || step === 0 ? 1 : step;
  const out = [];
  for (let i = lo; by > 0 ? i < hi : i > hi; i += by) out.push(i);
  return out;
}

if (typeof globalThis.range !== "function") globalThis.range = range;
