# workerd peer for scripts/bench.py:
#   workerd serve workerd.capnp --socket-addr http=127.0.0.1:PORT
# Serves GET / (hello), GET /compute, POST /echo with the handlers in examples/bench/.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .benchWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8000", http = (), service = "main") ],
);

const benchWorker :Workerd.Worker = (
  modules = [
    (name = "scripts/bench_peers/workerd_worker.mjs", esModule = embed "workerd_worker.mjs"),
    (name = "scripts/bench_peers/web_app.mjs", esModule = embed "web_app.mjs"),
    (name = "scripts/bench_peers/zigts_globals.mjs", esModule = embed "zigts_globals.mjs"),
    (name = "examples/bench/hello.js", esModule = embed "../../examples/bench/hello.js"),
    (name = "examples/bench/compute.js", esModule = embed "../../examples/bench/compute.js"),
    (name = "examples/bench/echo.js", esModule = embed "../../examples/bench/echo.js"),
  ],
  compatibilityDate = "2025-09-01",
);
