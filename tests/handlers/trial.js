// Served by tests/test_trial.py: /count stays inside the sandbox (runs as an
// inline trial); /hit reaches the cache, so its trial stops before the call
// and the request runs again on a handler thread.
import { cacheIncr } from "zigttp:cache";
export function handler(req) {
  console.log(`trial-log ${req.path}`);
  if (req.path.startsWith("/hit")) {
    return Response.json({ hits: cacheIncr("trial", "hits") });
  }
  return Response.json({ path: req.path });
}
