// Deno peer for scripts/bench.py: `deno run --allow-net=127.0.0.1 deno_server.ts PORT`.
// Serves GET / (hello), GET /compute, POST /echo with the handlers in examples/bench/.
import { fetchHandler } from "./web_app.mjs";

const port = Number(Deno.args[0] ?? "8000");
Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, fetchHandler);
