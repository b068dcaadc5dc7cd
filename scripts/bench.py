#!/usr/bin/env python3
"""zigttp benchmark: `zigttp serve` against its peers, with wrk on 127.0.0.1.

Serves the same three handlers (hello: GET /, compute: GET /compute, echo: POST /echo with a
~1 KB JSON body) from:

* zigttp        `zigttp serve examples/bench/<handler>.js --workers 2` (one server per handler)
* zigttp-1w     the same with `--workers 1`: one worker against the one-process peers
* zigttp-trace  the same with `--trace` (every request's I/O recorded, rotation at the default 100 MiB):
                only with --trace, measured in --trace-pairs back-to-back pairs with zigttp per
                handler (order alternating); its target is traced/untraced throughput, as the
                median of the pairs' ratios, in req/s and per CPU-second of the server
* granian-bare  a bare granian RSGI Python app answering without JavaScript (2 workers): the ceiling
* node          Node.js `node:http`, one process
* deno          `Deno.serve`, default (one process)
* workerd       Cloudflare workerd, default config (one process)

node, deno and workerd run the very same handler modules as zigttp (examples/bench/*.js);
deno and workerd are installed with npm into ~/.cache/zigttp-bench/npm when missing.
Each (peer, handler) gets a fresh server; its answer is checked before measuring, then
wrk -t1 -c32 runs once for 10 s after 2 s of unmeasured warm-up. Prints req/s, requests
per CPU-second of the server's whole process tree, p50/p99, errors, RSS of the process
tree after load (and of each child process: the workers),
cold start (spawn -> first 200, median of 3 after one unmeasured start so module caches
are warm), the ratios zigttp/peer in req/s and per CPU-second, and the targets. The
headline is per CPU-second: zigttp with 2 workers may use two cores where node, deno and
workerd use one, so raw req/s flatters it; requests per CPU-second of the server's whole
process tree compare the work each does per request. Runs are flagged when other processes
were using the CPUs just before them (the script first waits up to --wait-quiet seconds).

    .venv/bin/python scripts/bench.py                    # everything, 10 s per run
    .venv/bin/python scripts/bench.py --quick --only node,deno --handlers hello
    .venv/bin/python scripts/bench.py --check-only       # answers only, no wrk
    .venv/bin/python scripts/bench.py --trace --only zigttp --handlers hello,echo --no-cold
    .venv/bin/python scripts/bench.py --json bench.json
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import glob
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PEERS_DIR = REPO / "scripts" / "bench_peers"
HANDLERS_DIR = REPO / "examples" / "bench"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "zigttp-bench"
NPM_PREFIX = CACHE_DIR / "npm"
LOG_DIR = CACHE_DIR / "logs"
HOST = "127.0.0.1"

PEER_ORDER = ("zigttp", "zigttp-1w", "zigttp-trace", "granian-bare", "node", "deno", "workerd")
# zigttp serve --trace against zigttp serve, per handler: what recording every request costs
TRACE_TARGETS = (("hello", 0.8), ("echo", 0.8))
TRACE_DIR = CACHE_DIR / "traces"
HANDLER_ORDER = ("hello", "compute", "echo")
NPM_SPECS = {"deno": "deno@2.9", "workerd": "workerd@1"}

READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 5.0
VERSION_TIMEOUT_S = 30.0
NPM_TIMEOUT_S = 600.0
REQUEST_TIMEOUT_S = 5.0
POLL_INTERVAL_S = 0.002
BUSY_WARN = 0.15  # CPU share used by others (idle server) above which a run is flagged as disturbed

# Targets: (handler, peer, zigttp's requests over the peer's, per CPU-second of each server or in req/s).
RATIO_TARGETS = (
    ("hello", "granian-bare", 0.6, "req/s"),
    ("hello", "workerd", 1.0, "per CPU-s"),
    ("echo", "workerd", 1.0, "per CPU-s"),
    ("compute", "workerd", 0.35, "per CPU-s"),
)
COLD_START_TARGET_MS = 100.0  # 2 workers, spawn to the first 200
WORKER_RSS_TARGET_MB = 60.0
FRESH_OVER_POOLED_TARGET_MS = 0.3
POOLED_HELLO_TARGET_US = 15.0  # in process, scripts/bench_inprocess.py


# --------------------------------------------------------------------------- handlers


@dataclass(frozen=True)
class Handler:
    name: str
    method: str
    path: str
    body: bytes | None
    expected: Any


def echo_body() -> bytes:
    """A deterministic JSON object of about 1 KB: ints, strings, quarter floats, a bool, a list."""
    data: dict[str, Any] = {"flag": True, "tags": ["alpha", "beta", "gamma"]}
    i = 0
    while len(json.dumps(data, separators=(",", ":"))) < 1024:
        kind = i % 3
        if kind == 0:
            data[f"n{i:03d}"] = (i * 7919) % 10007
        elif kind == 1:
            data[f"s{i:03d}"] = f"value-{i:03d}-" + "x" * (i % 7)
        else:
            data[f"f{i:03d}"] = i + 0.25
        i += 1
    return json.dumps(data, separators=(",", ":")).encode()


def expected_echo(body: bytes) -> dict[str, Any]:
    data = json.loads(body)
    numbers = [v for v in data.values() if isinstance(v, int | float) and not isinstance(v, bool)]
    total: float = 0
    for v in numbers:  # the handlers add left to right: keep the same order for floats
        total += v
    return {"keys": len(data), "sum": total}


def expected_compute() -> dict[str, Any]:
    items = [{"id": i, "name": f"item-{i}", "score": (i * 37) % 101, "active": i % 3 != 0} for i in range(100)]
    projected = [
        {"id": it["id"], "label": it["name"].upper(), "points": it["score"] * 2} for it in items if it["active"]
    ]
    encoded = json.dumps(projected, separators=(",", ":"))
    return {"count": len(projected), "total": sum(p["points"] for p in projected), "bytes": len(encoded)}


def make_handlers() -> dict[str, Handler]:
    body = echo_body()
    return {
        "hello": Handler("hello", "GET", "/", None, {"message": "Hello", "path": "/"}),
        "compute": Handler("compute", "GET", "/compute", None, expected_compute()),
        "echo": Handler("echo", "POST", "/echo", body, expected_echo(body)),
    }


# --------------------------------------------------------------------------- processes


def descendants(pid: int) -> list[int]:
    """All descendants of `pid` (children first), from /proc/*/stat."""
    parents: dict[int, list[int]] = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError):
            text = Path(stat).read_text()
            ppid = int(text.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(stat.split("/")[2]))
    out: list[int] = []
    todo = [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        out.extend(kids)
        todo.extend(kids)
    return out


def rss_mb(pid: int) -> float:
    """VmRSS of one process in MB (0 when it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_busy(seconds: float = 0.5) -> float:
    """Fraction of all cores' time spent busy over `seconds` (from /proc/stat)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def system_busy_s() -> float:
    """CPU seconds spent in user, nice and system mode on all cores since boot (irq and steal excluded)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:4]]
    return sum(fields) / CLK_TCK


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its live descendants."""
    total = 0
    for p in [pid, *descendants(pid)]:
        with contextlib.suppress(OSError, IndexError, ValueError):
            rest = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(rest[11]) + int(rest[12])
    return total / CLK_TCK


def own_cpu_s() -> float:
    """CPU seconds of this script and its finished children (wrk)."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


class CpuMeter:
    """Share of all cores that processes other than the server tree, wrk and this script used."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.start = (time.monotonic(), system_busy_s(), tree_cpu_s(pid), own_cpu_s())

    def server_cpu_s(self) -> float:
        """CPU seconds the server tree used since the meter started."""
        return tree_cpu_s(self.pid) - self.start[2]

    def others_share(self) -> float:
        wall0, busy0, tree0, own0 = self.start
        wall = time.monotonic() - wall0
        ours = (tree_cpu_s(self.pid) - tree0) + (own_cpu_s() - own0)
        others = (system_busy_s() - busy0) - ours
        return max(0.0, others / max(1e-9, wall * (os.cpu_count() or 1)))


def wait_quiet(limit_s: float) -> float:
    """Wait (at most `limit_s`) until other processes leave the CPUs alone; return the last busy fraction."""
    deadline = time.monotonic() + limit_s
    busy = cpu_busy()
    while busy > BUSY_WARN and time.monotonic() < deadline:
        busy = cpu_busy()
    return busy


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """One server process tree, in its own session so that it can be killed as a group."""

    live: set[Server] = set()  # noqa: RUF012 - registry of running servers, for the cleanup

    def __init__(self, label: str, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.label = label
        self.argv = argv
        self.env = env
        self.cwd = cwd
        self.log_path = LOG_DIR / f"{label}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0

    def start(self) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.started_at = time.perf_counter()
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        Server.live.add(self)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def exited(self) -> bool:
        return self.proc is None or self.proc.poll() is not None

    def log_tail(self, lines: int = 12) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def _signal_tree(self, sig: signal.Signals, pids: list[int]) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)

    def stop(self) -> None:
        """SIGTERM the whole tree, SIGKILL what is left after STOP_TIMEOUT_S."""
        if self.proc is None:
            return
        tree = descendants(self.pid)
        self._signal_tree(signal.SIGTERM, tree)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        leftovers = [pid for pid in tree if Path(f"/proc/{pid}").exists()]
        if self.proc.poll() is None or leftovers:
            self._signal_tree(signal.SIGKILL, leftovers)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=STOP_TIMEOUT_S)
        Server.live.discard(self)

    @classmethod
    def stop_all(cls) -> None:
        for server in list(cls.live):
            server.stop()


def http_get_status(port: int, path: str, timeout: float) -> int | None:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def wait_ready(server: Server, port: int, path: str, timeout: float = READY_TIMEOUT_S) -> float:
    """Poll `path` until it answers 200; return seconds since spawn. Raises RuntimeError."""
    deadline = server.started_at + timeout
    while time.perf_counter() < deadline:
        if http_get_status(port, path, timeout=1.0) == 200:
            return time.perf_counter() - server.started_at
        if server.exited():
            code = server.proc.returncode if server.proc else None
            raise RuntimeError(f"{server.label} exited early (exit code {code}):\n{server.log_tail()}")
        time.sleep(POLL_INTERVAL_S)
    raise RuntimeError(f"{server.label} not ready after {timeout:.0f} s:\n{server.log_tail()}")


@contextlib.contextmanager
def running(label: str, argv: list[str], env: dict[str, str], cwd: Path) -> Iterator[Server]:
    server = Server(label, argv, env, cwd)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def run_quiet(argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False)


# --------------------------------------------------------------------------- peers


@dataclass
class Peer:
    name: str
    workers: str
    health_path: str
    command: Callable[[Handler, int | str], list[str]]  # (handler, port) -> argv
    env: dict[str, str] = field(default_factory=dict)
    version: str = ""
    skip_reason: str | None = None

    def argv(self, handler: Handler, port: int | str) -> list[str]:
        return self.command(handler, port)

    def environ(self) -> dict[str, str]:
        return {**os.environ, **self.env}


def venv_tool(name: str) -> str | None:
    for candidate in (Path(sys.executable).parent / name, REPO / ".venv" / "bin" / name):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def tool_version(argv: list[str]) -> tuple[str, str | None]:
    """(first line of `argv` output, error or None)."""
    try:
        done = run_quiet(argv, VERSION_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return "", f"{argv[0]} does not run: {exc}"
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()[-300:]
        return "", f"`{' '.join(argv)}` failed ({done.returncode}): {output}"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return (lines[0] if lines else ""), None


def npm_binary(name: str) -> str | None:
    """The binary of npm package `name` in the cache prefix (bin shim or platform sub-package)."""
    patterns = [f"node_modules/.bin/{name}"]
    patterns += {
        "deno": ["node_modules/@deno/*/deno"],
        "workerd": ["node_modules/@cloudflare/workerd-*/bin/workerd"],
    }.get(name, [])
    for pattern in patterns:
        for path in sorted(glob.glob(str(NPM_PREFIX / pattern))):
            if os.access(path, os.X_OK) and tool_version([path, "--version"])[1] is None:
                return path
    return None


def npm_install(names: list[str]) -> str | None:
    """Install npm packages into the cache prefix; return an error or None."""
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found (apt-get install -y npm)"
    NPM_PREFIX.mkdir(parents=True, exist_ok=True)
    specs = [NPM_SPECS[n] for n in names]
    print(f"installing {' '.join(specs)} with npm into {NPM_PREFIX} ...", flush=True)
    argv = [npm, "install", "--prefix", str(NPM_PREFIX), "--no-audit", "--no-fund", *specs]
    try:
        done = run_quiet(argv, NPM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"npm install timed out after {NPM_TIMEOUT_S:.0f} s"
    if done.returncode != 0:
        return f"npm install failed: {done.stderr.strip()[-400:]}"
    return None


def find_npm_tools(names: list[str], install: bool) -> dict[str, str | None]:
    found = {name: npm_binary(name) for name in names}
    missing = [name for name, path in found.items() if path is None]
    if missing and install:
        error = npm_install(missing)
        if error:
            print(f"  {error}")
        found.update({name: npm_binary(name) for name in missing})
    for name in missing:
        found[name] = found[name] or shutil.which(name)
    return found


def zigttp_trace_peer(args: argparse.Namespace) -> Peer:
    """zigttp serve --trace: each run records into a fresh folder under TRACE_DIR."""
    peer = zigttp_peer(args)
    plain = peer.command

    def command(handler: Handler, port: int | str) -> list[str]:
        folder = TRACE_DIR / handler.name
        if port != "PORT":
            shutil.rmtree(folder, ignore_errors=True)
        return [*plain(handler, port), "--trace", str(folder / "trace.jsonl")]

    peer.name, peer.command = "zigttp-trace", command
    peer.version += " --trace"
    return peer


def zigttp_one_worker_peer(args: argparse.Namespace) -> Peer:
    """zigttp serve --workers 1: the same server on one core, beside the one-process peers."""
    peer = zigttp_peer(args, workers=1)
    peer.name = "zigttp-1w"
    return peer


def zigttp_peer(args: argparse.Namespace, workers: int = 2) -> Peer:
    def command(handler: Handler, port: int | str) -> list[str]:
        argv = [
            exe,
            "serve",
            str(HANDLERS_DIR / f"{handler.name}.js"),
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
        argv += [] if args.zigttp_log else ["-q"]
        return [*argv, "--isolation", args.isolation] if args.isolation else argv

    exe = args.zigttp or str(REPO / ".venv" / "bin" / "zigttp")
    peer = Peer("zigttp", f"{workers} worker{'s' if workers > 1 else ''}", "/_health", command)
    if not Path(exe).exists():
        peer.skip_reason = f"zigttp not installed ({exe} missing; `pip install -e .` in the venv)"
        return peer
    _, error = tool_version([exe, "serve", "--help"])
    peer.skip_reason = f"`zigttp serve` not usable: {error}" if error else None
    peer.version = "zigttp serve" + (f" --isolation {args.isolation}" if args.isolation else "")
    return peer


def granian_peer() -> Peer:
    def command(handler: Handler, port: int | str) -> list[str]:
        return [
            exe or "granian",
            "--interface",
            "rsgi",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
            "--working-dir",
            str(PEERS_DIR),
            "granian_bare:app",
        ]

    exe = venv_tool("granian")
    peer = Peer("granian-bare", "2 workers", "/", command, env={"PYTHONDONTWRITEBYTECODE": "1"})
    if exe is None:
        peer.skip_reason = "granian not found (install the project: pip install -e .)"
    else:
        peer.version, peer.skip_reason = tool_version([exe, "--version"])
    return peer


def node_peer() -> Peer:
    exe = shutil.which("node")
    peer = Peer(
        "node",
        "1 process",
        "/",
        lambda h, port: [exe or "node", str(PEERS_DIR / "node_server.mjs"), str(port)],
    )
    if exe is None:
        peer.skip_reason = "node not found (apt-get install -y nodejs)"
    else:
        peer.version, peer.skip_reason = tool_version([exe, "--version"])
    return peer


def deno_peer(exe: str | None) -> Peer:
    env = {"DENO_NO_UPDATE_CHECK": "1", "DENO_DIR": str(CACHE_DIR / "deno_dir"), "NO_COLOR": "1"}
    peer = Peer(
        "deno",
        "default (1 process)",
        "/",
        lambda h, port: [
            exe or "deno",
            "run",
            "--quiet",
            "--no-config",
            "--no-prompt",
            f"--allow-net={HOST}",
            str(PEERS_DIR / "deno_server.ts"),
            str(port),
        ],
        env=env,
    )
    if exe is None:
        peer.skip_reason = f"deno not found, not installable (npm install --prefix {NPM_PREFIX} deno)"
    else:
        peer.version, peer.skip_reason = tool_version([exe, "--version"])
    return peer


def workerd_peer(exe: str | None) -> Peer:
    peer = Peer(
        "workerd",
        "default (1 process)",
        "/",
        lambda h, port: [
            exe or "workerd",
            "serve",
            str(PEERS_DIR / "workerd.capnp"),
            "--socket-addr",
            f"http={HOST}:{port}",
        ],
    )
    if exe is None:
        peer.skip_reason = f"workerd not found, not installable (npm install --prefix {NPM_PREFIX} workerd)"
    else:
        peer.version, peer.skip_reason = tool_version([exe, "--version"])
    return peer


def build_peers(args: argparse.Namespace) -> list[Peer]:
    wanted = [name for name in PEER_ORDER if name in args.only]
    npm_tools = find_npm_tools([n for n in ("deno", "workerd") if n in wanted], install=not args.no_install)
    makers: dict[str, Callable[[], Peer]] = {
        "zigttp": lambda: zigttp_peer(args),
        "zigttp-1w": lambda: zigttp_one_worker_peer(args),
        "zigttp-trace": lambda: zigttp_trace_peer(args),
        "granian-bare": granian_peer,
        "node": node_peer,
        "deno": lambda: deno_peer(npm_tools.get("deno")),
        "workerd": lambda: workerd_peer(npm_tools.get("workerd")),
    }
    return [makers[name]() for name in wanted]


# --------------------------------------------------------------------------- checks and wrk


def check_answer(port: int, handler: Handler) -> str | None:
    """Send one real request; return what is wrong with the answer, or None when it is exactly right."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    headers = {"content-type": "application/json"} if handler.body is not None else {}
    try:
        conn.request(handler.method, handler.path, body=handler.body, headers=headers)
        resp = conn.getresponse()
        status, ctype, raw = resp.status, resp.getheader("content-type", ""), resp.read()
    except (OSError, http.client.HTTPException) as exc:
        return f"request failed: {exc!r}"
    finally:
        conn.close()
    if status != 200:
        return f"status {status}, body {raw[:200]!r}"
    if not ctype.startswith("application/json"):
        return f"content-type {ctype!r}, expected application/json"
    try:
        got = json.loads(raw)
    except ValueError:
        return f"body is not JSON: {raw[:200]!r}"
    if got != handler.expected:
        return f"wrong answer {got!r}, expected {handler.expected!r}"
    return None


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _latency_ms(text: str, percentile: str) -> float | None:
    m = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    return float(m.group(1)) * _UNITS_MS[m.group(2)] if m else None


def parse_wrk(text: str) -> dict[str, Any]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, sock.groups()), strict=True)) if sock else {}
    )
    return {
        "rps": float(rps.group(1)) if rps else None,
        "requests": int(total.group(1)) if total else None,
        "p50_ms": _latency_ms(text, "50"),
        "p99_ms": _latency_ms(text, "99"),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": socket_errors,
    }


def wrk_lua(handler: Handler) -> Path | None:
    """A wrk script that POSTs the handler's fixed body (None for GET handlers)."""
    if handler.body is None:
        return None
    path = CACHE_DIR / f"wrk_{handler.name}.lua"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = handler.body.decode()
    assert "]==]" not in body
    path.write_text(
        f'wrk.method = "{handler.method}"\n'
        f'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [==[{body}]==]\n"
    )
    return path


def run_wrk(args: argparse.Namespace, port: int, handler: Handler, seconds: int) -> tuple[dict[str, Any], str | None]:
    argv = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    script = wrk_lua(handler)
    if script is not None:
        argv += ["-s", str(script)]
    argv.append(f"http://{HOST}:{port}{handler.path}")
    try:
        done = run_quiet(argv, timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        return {}, "wrk timed out"
    if done.returncode != 0:
        return {}, f"wrk failed ({done.returncode}): {done.stderr.strip()[-300:]}"
    stats = parse_wrk(done.stdout)
    return stats, None if stats["rps"] is not None else f"cannot parse wrk output:\n{done.stdout}"


# --------------------------------------------------------------------------- measurements


@dataclass
class Row:
    peer: str
    handler: str
    ok: bool = False
    reason: str | None = None
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    requests: int | None = None
    non2xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    rss_mb: float | None = None
    worker_rss_mb: list[float] = field(default_factory=list)
    busy_before: float | None = None  # CPU share used by other processes just before the run
    others_during: float | None = None  # CPU share used by processes other than server and wrk during the run
    server_cpu_s: float | None = None  # CPU seconds (user + system) of the whole server tree during the run

    @property
    def rps_per_cpu(self) -> float | None:
        """Requests answered per CPU-second of the server: what a request costs, whatever the cores."""
        if not self.requests or not self.server_cpu_s:
            return None
        return self.requests / self.server_cpu_s

    @property
    def disturbed(self) -> bool:
        return any(v is not None and v > BUSY_WARN for v in (self.busy_before, self.others_during))

    @property
    def errors(self) -> int:
        return self.non2xx + sum(self.socket_errors.values())


def tree_rss(pid: int) -> tuple[float, list[float]]:
    """(RSS of the whole tree, RSS of each descendant) in MB."""
    kids = descendants(pid)
    per_child = [rss_mb(k) for k in kids]
    return rss_mb(pid) + sum(per_child), per_child


def measure(args: argparse.Namespace, peer: Peer, handler: Handler) -> Row:
    row = Row(peer.name, handler.name)
    port = free_port()
    with running(f"{peer.name}-{handler.name}", peer.argv(handler, port), peer.environ(), REPO) as server:
        try:
            wait_ready(server, port, peer.health_path)
        except RuntimeError as exc:
            row.reason = str(exc)
            return row
        row.reason = check_answer(port, handler)
        if row.reason is not None or args.check_only:
            row.ok = row.reason is None
            return row
        row.busy_before = wait_quiet(args.wait_quiet)
        if args.warmup > 0:
            _, row.reason = run_wrk(args, port, handler, args.warmup)
        if row.reason is None:
            meter = CpuMeter(server.pid)
            stats, row.reason = run_wrk(args, port, handler, args.duration)
            row.server_cpu_s = meter.server_cpu_s()
            row.others_during = meter.others_share()
            for key, value in stats.items():
                setattr(row, key, value)
        row.rss_mb, row.worker_rss_mb = tree_rss(server.pid)
        if server.exited():
            code = server.proc.returncode if server.proc else None
            row.reason = f"server died during the run (exit code {code}):\n{server.log_tail()}"
    row.ok = row.reason is None and row.errors == 0
    if row.reason is None and row.errors:
        row.reason = f"{row.errors} errors during the run"
    return row


@dataclass
class ColdStart:
    peer: str
    samples_ms: list[float] = field(default_factory=list)
    median_ms: float | None = None
    reason: str | None = None


def one_start(peer: Peer, handler: Handler) -> float:
    port = free_port()
    with running(f"{peer.name}-cold", peer.argv(handler, port), peer.environ(), REPO) as server:
        return wait_ready(server, port, peer.health_path) * 1000


def cold_start(peer: Peer, handler: Handler, runs: int) -> ColdStart:
    """Median spawn -> first 200 over `runs` starts, after one unmeasured start (warms module caches)."""
    result = ColdStart(peer.name)
    try:
        one_start(peer, handler)
        result.samples_ms = [one_start(peer, handler) for _ in range(runs)]
    except RuntimeError as exc:
        result.reason = str(exc)
        return result
    result.median_ms = statistics.median(result.samples_ms)
    return result


def inprocess_costs() -> dict[str, float] | None:
    """In-process cost per request (ms) of isolation `pooled` and `fresh`, without HTTP.

    Measured by scripts/bench_inprocess.py (CPU time of the calling thread, median of
    rounds) on examples/bench/hello.js; returns {"pooled_ms", "fresh_ms"} or None.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        from bench_inprocess import measure
    except ImportError as e:
        print(f"in-process costs: unavailable ({e})")
        return None
    costs = measure()
    print(f"in-process cost per request: pooled {costs['pooled_ms'] * 1000:.1f} µs, "
          f"fresh {costs['fresh_ms'] * 1000:.1f} µs")
    return costs


# --------------------------------------------------------------------------- report


def fmt(value: float | None, spec: str = ".0f", unit: str = "") -> str:
    return "-" if value is None else f"{value:{spec}}{unit}"


def print_handler_table(handler: str, rows: list[Row]) -> None:
    print(f"\n== {handler} ==")
    print(f"{'peer':<14}{'req/s':>10}{'req/CPU-s':>11}{'p50':>10}{'p99':>10}{'errors':>8}{'RSS MB':>9}  notes")
    for r in rows:
        workers = "/".join(f"{w:.0f}" for w in r.worker_rss_mb)
        note = f"children {workers} MB" if workers else ""
        if r.reason:
            note = (note + "; " if note else "") + r.reason.splitlines()[0][:90]
        elif r.rps is None:
            note = "answer OK (not measured)"
        if r.disturbed:
            shares = f"others used {fmt(r.busy_before, '.0%')} CPU before, {fmt(r.others_during, '.0%')} during"
            note = f"DISTURBED: {shares}" + ("; " + note if note else "")
        print(
            f"{r.peer:<14}{fmt(r.rps):>10}{fmt(r.rps_per_cpu):>11}"
            f"{fmt(r.p50_ms, '.2f', 'ms'):>10}{fmt(r.p99_ms, '.2f', 'ms'):>10}"
            f"{r.errors if r.rps is not None else '-':>8}{fmt(r.rss_mb, '.1f'):>9}  {note}"
        )
    print_details([(f"{r.peer} {r.handler}", r.reason) for r in rows])


def print_details(reasons: list[tuple[str, str | None]]) -> None:
    """The full text of multi-line failure reasons (server log tails), below a table."""
    for label, reason in reasons:
        if reason and "\n" in reason:
            print(f"  -- {label}:")
            print("\n".join(f"     {line}" for line in reason.splitlines()[:20]))


def print_cold_starts(colds: list[ColdStart]) -> None:
    if not colds:
        return
    print("\n== cold start (spawn -> first 200, median, module cache warm) ==")
    for c in colds:
        samples = ", ".join(f"{s:.0f}" for s in c.samples_ms)
        detail = f"({samples})" if c.reason is None else c.reason.splitlines()[0][:100]
        print(f"{c.peer:<14}{fmt(c.median_ms, '.0f', ' ms'):>10}  {detail}")
    print_details([(f"{c.peer} cold start", c.reason) for c in colds])


def rps_of(rows: list[Row], peer: str, handler: str, per_cpu: bool = False) -> float | None:
    for r in rows:
        if r.peer == peer and r.handler == handler and r.ok:
            return r.rps_per_cpu if per_cpu else r.rps
    return None


def ratio(rows: list[Row], handler: str, peer: str, per_cpu: bool = False, mine: str = "zigttp") -> float | None:
    ours, theirs = rps_of(rows, mine, handler, per_cpu), rps_of(rows, peer, handler, per_cpu)
    return ours / theirs if ours and theirs else None


def print_ratios(rows: list[Row], handlers: list[str], peers: list[str]) -> None:
    ours = [p for p in ("zigttp", "zigttp-1w") if p in peers]
    others = [p for p in peers if p not in ("zigttp", "zigttp-1w")]
    if not ours or not others:
        return
    for per_cpu, unit in ((True, "requests per CPU-second: the headline"), (False, "req/s")):
        print(f"\n== ratio zigttp/peer ({unit}) ==")
        print(f"{'handler':<10}{'zigttp':<11}" + "".join(f"{p:>14}" for p in others))
        for h in handlers:
            for mine in ours:
                cells = "".join(f"{fmt(ratio(rows, h, p, per_cpu, mine), '.2f', 'x'):>14}" for p in others)
                print(f"{h:<10}{'2 workers' if mine == 'zigttp' else '1 worker':<11}{cells}")


def verdict(value: float | None, ok: Callable[[float], bool]) -> str:
    return "N/A " if value is None else ("PASS" if ok(value) else "MISS")


@dataclass
class TracePair:
    """zigttp serve and zigttp serve --trace on one handler, measured back to back."""

    handler: str
    plain: Row
    traced: Row

    def ratio(self, per_cpu: bool = False) -> float | None:
        mine = self.traced.rps_per_cpu if per_cpu else self.traced.rps
        base = self.plain.rps_per_cpu if per_cpu else self.plain.rps
        return mine / base if self.plain.ok and self.traced.ok and mine and base else None


def median_ratio(pairs: list[TracePair], handler: str, per_cpu: bool = False) -> float | None:
    values = [v for p in pairs if p.handler == handler and (v := p.ratio(per_cpu)) is not None]
    return statistics.median(values) if values else None


def measure_trace_pairs(args: argparse.Namespace, plain: Peer, traced: Peer,
                        handlers: dict[str, Handler]) -> list[TracePair]:
    """--trace-pairs pairs per handler, alternating which runs first so a drifting machine favours neither."""
    pairs = []
    for name in args.handlers:
        if name not in dict(TRACE_TARGETS):
            continue
        for i in range(args.trace_pairs):
            order = (plain, traced) if i % 2 == 0 else (traced, plain)
            got = {peer.name: measure_with_retries(args, peer, handlers[name]) for peer in order}
            pairs.append(TracePair(name, got[plain.name], got[traced.name]))
    return pairs


def print_trace_pairs(pairs: list[TracePair]) -> None:
    if not pairs:
        return
    print("\n== tracing cost: zigttp serve --trace / zigttp serve, measured in pairs ==")
    print(f"{'handler':<10}{'plain req/s':>13}{'traced':>10}{'ratio':>8}"
          f"{'plain req/CPU-s':>17}{'traced':>10}{'ratio':>8}")
    for p in pairs:
        print(f"{p.handler:<10}{fmt(p.plain.rps):>13}{fmt(p.traced.rps):>10}{fmt(p.ratio(), '.2f', 'x'):>8}"
              f"{fmt(p.plain.rps_per_cpu):>17}{fmt(p.traced.rps_per_cpu):>10}{fmt(p.ratio(True), '.2f', 'x'):>8}")
    for handler in dict.fromkeys(p.handler for p in pairs):
        print(f"{handler:<10} median of {sum(p.handler == handler for p in pairs)} pairs: "
              f"{fmt(median_ratio(pairs, handler), '.2f', 'x')} req/s, "
              f"{fmt(median_ratio(pairs, handler, True), '.2f', 'x')} per CPU-second")


def trace_targets(pairs: list[TracePair]) -> list[dict[str, Any]]:
    out = []
    for handler, need in TRACE_TARGETS:
        if not any(p.handler == handler for p in pairs):
            continue
        for per_cpu, unit in ((False, "req/s"), (True, "req per CPU-second")):
            value = median_ratio(pairs, handler, per_cpu)
            out.append({"target": f"{handler} --trace >= {need:.1f} x untraced ({unit}, median of pairs)",
                        "value": value, "status": verdict(value, lambda v, n=need: v >= n)})
    return out


def targets(rows: list[Row], colds: list[ColdStart], costs: dict[str, float] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for handler, peer, need, unit in RATIO_TARGETS:
        value = ratio(rows, handler, peer, per_cpu=unit != "req/s")
        noisy = any(r.disturbed for r in rows if r.handler == handler and r.peer in ("zigttp", peer))
        out.append(
            {
                "target": f"{handler} >= {need:.2f} x {peer} ({unit})",
                "value": value,
                "status": verdict(value, lambda v, n=need: v >= n),
                "disturbed": noisy,
            }
        )
    pooled_us = costs["pooled_ms"] * 1000 if costs else None
    out.append(
        {
            "target": f"pooled hello in process <= {POOLED_HELLO_TARGET_US:.0f} µs",
            "value": pooled_us,
            "status": verdict(pooled_us, lambda v: v <= POOLED_HELLO_TARGET_US),
        }
    )
    fresh = costs["fresh_ms"] - costs["pooled_ms"] if costs else None
    out.append(
        {
            "target": f"fresh - pooled <= {FRESH_OVER_POOLED_TARGET_MS} ms/request",
            "value": fresh,
            "status": verdict(fresh, lambda v: v <= FRESH_OVER_POOLED_TARGET_MS),
        }
    )
    cold = next((c.median_ms for c in colds if c.peer == "zigttp"), None)
    out.append(
        {
            "target": f"zigttp cold start (2 workers) <= {COLD_START_TARGET_MS:.0f} ms",
            "value": cold,
            "status": verdict(cold, lambda v: v <= COLD_START_TARGET_MS),
        }
    )
    workers = [w for r in rows if r.peer == "zigttp" and r.rps is not None for w in r.worker_rss_mb]
    worst = max(workers) if workers else None
    out.append(
        {
            "target": f"zigttp RSS per worker <= {WORKER_RSS_TARGET_MB:.0f} MB",
            "value": worst,
            "status": verdict(worst, lambda v: v <= WORKER_RSS_TARGET_MB),
        }
    )
    return out


def print_targets(lines: list[dict[str, Any]]) -> None:
    print("\n== targets ==")
    for t in lines:
        mark = "  (a run was DISTURBED by other processes)" if t.get("disturbed") else ""
        print(f"  {t['status']}  {t['target']:<40} {fmt(t['value'], '.2f')}{mark}")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    p.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    p.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    p.add_argument("--only", default=",".join(PEER_ORDER), help=f"peers, comma-separated ({','.join(PEER_ORDER)})")
    p.add_argument("--handlers", default=",".join(HANDLER_ORDER), help="handlers (hello,compute,echo)")
    p.add_argument("--warmup", type=int, default=2, help="unmeasured wrk seconds before each run (default 2)")
    p.add_argument(
        "--wait-quiet",
        type=float,
        default=30,
        help=f"wait up to this many seconds for other processes to use < {round(BUSY_WARN * 100)}%% CPU before a run",
    )
    p.add_argument("--retries", type=int, default=0, help="re-measure a run disturbed by other processes up to N times")
    p.add_argument("--quick", action="store_true", help="2 s runs, 1 s warm-up, 1 cold start (development)")
    p.add_argument("--check-only", action="store_true", help="check the answers, measure nothing")
    p.add_argument("--cold-runs", type=int, default=3, help="measured cold starts per peer (median)")
    p.add_argument("--no-cold", action="store_true", help="skip cold starts")
    p.add_argument("--isolation", choices=("pooled", "fresh"), help="pass --isolation to zigttp serve")
    p.add_argument("--zigttp", help="zigttp executable (default: <repo>/.venv/bin/zigttp)")
    p.add_argument("--zigttp-log", action="store_true", help="run zigttp serve without -q (logs in the log dir)")
    p.add_argument("--no-install", action="store_true", help="do not npm-install deno/workerd when missing")
    p.add_argument("--json", type=Path, help="write the raw results to this file")
    p.add_argument("--trace", action="store_true",
                   help="also measure zigttp serve --trace (peer zigttp-trace), in pairs with zigttp serve")
    p.add_argument("--trace-pairs", type=int, default=3, metavar="N",
                   help="with --trace: untraced/traced pairs per handler, order alternating (default 3)")
    args = p.parse_args(argv)
    if args.trace:
        args.only += ",zigttp,zigttp-trace"
    if not args.trace:
        args.only = ",".join(n for n in args.only.split(",") if n.strip() != "zigttp-trace")
    args.only = _pick(p, args.only, PEER_ORDER, "--only")
    args.handlers = _pick(p, args.handlers, HANDLER_ORDER, "--handlers")
    if args.quick:
        args.duration, args.warmup, args.cold_runs = 2, 1, 1
    return args


def _pick(p: argparse.ArgumentParser, value: str, allowed: tuple[str, ...], flag: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown:
        p.error(f"{flag}: unknown {', '.join(unknown)} (choose from {', '.join(allowed)})")
    return [n for n in allowed if n in names]


def describe(args: argparse.Namespace, peers: list[Peer], handlers: dict[str, Handler]) -> None:
    print(
        f"zigttp bench {datetime.date.today()} on {platform.node()}: {os.cpu_count()} cores, "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency, one run "
        f"after {args.warmup} s of unmeasured warm-up, {HOST}"
    )
    print(f"echo body: {len(handlers['echo'].body or b'')} bytes of JSON; server logs in {LOG_DIR}")
    for peer in peers:
        state = f"SKIP: {peer.skip_reason}" if peer.skip_reason else peer.version
        print(f"  {peer.name:<13} {peer.workers:<20} {state}")
        if not peer.skip_reason:
            print(f"  {'':<13} $ {' '.join(peer.argv(handlers['hello'], 'PORT'))}")


def measure_with_retries(args: argparse.Namespace, peer: Peer, handler: Handler) -> Row:
    """measure(); again (up to --retries times) while other processes disturbed it. Keeps the quietest."""
    best: Row | None = None
    for attempt in range(args.retries + 1):
        print(f"... {peer.name} {handler.name}" + (f" (retry {attempt})" if attempt else ""), flush=True)
        row = measure(args, peer, handler)
        if best is None or (row.others_during or 0) < (best.others_during or 0):
            best = row
        if not row.disturbed or not row.ok:
            break
    assert best is not None
    return best


def measure_cold_start(args: argparse.Namespace, peer: Peer, handler: Handler, rows: list[Row]) -> ColdStart:
    if not any(r.ok for r in rows if r.peer == peer.name):
        return ColdStart(peer.name, reason="not measured: no handler of this peer ran")
    print(f"... {peer.name} cold start", flush=True)
    wait_quiet(args.wait_quiet)
    return cold_start(peer, handler, args.cold_runs)


def trace_pairs(args: argparse.Namespace, active: list[Peer], handlers: dict[str, Handler]) -> list[TracePair]:
    by_name = {p.name: p for p in active}
    if args.check_only or "zigttp-trace" not in by_name or "zigttp" not in by_name:
        return []
    return measure_trace_pairs(args, by_name["zigttp"], by_name["zigttp-trace"], handlers)


def bench(args: argparse.Namespace) -> int:
    if not args.check_only and shutil.which("wrk") is None:
        print(
            "wrk not found: install it with `apt-get update && apt-get install -y wrk` (or run with --check-only)",
            file=sys.stderr,
        )
        return 2
    handlers = make_handlers()
    peers = build_peers(args)
    describe(args, peers, handlers)
    active = [p for p in peers if p.skip_reason is None]
    rows: list[Row] = []
    colds: list[ColdStart] = []
    for peer in active:
        if peer.name == "zigttp-trace" and not args.check_only:
            continue  # measured in pairs with zigttp below
        for name in args.handlers:
            rows.append(measure_with_retries(args, peer, handlers[name]))
        if not (args.check_only or args.no_cold):
            colds.append(measure_cold_start(args, peer, handlers["hello"], rows))
    pairs = trace_pairs(args, active, handlers)
    rows += [p.traced for i, p in enumerate(pairs) if i % args.trace_pairs == 0]
    for name in args.handlers:
        print_handler_table(name, [r for r in rows if r.handler == name])
    print_cold_starts(colds)
    print_ratios(rows, args.handlers, [p.name for p in active if p.name != "zigttp-trace"])
    print_trace_pairs(pairs)
    costs = None if args.check_only else inprocess_costs()
    goals = [] if args.check_only else targets(rows, colds, costs) + trace_targets(pairs)
    if goals:
        print_targets(goals)
    disturbed = [f"{r.peer}/{r.handler}" for r in rows if r.disturbed]
    if disturbed:
        print(f"\nWARNING: other processes were using the CPUs around {', '.join(disturbed)}: rerun when quiet")
    if args.json:
        write_json(args, peers, handlers, rows, colds, costs, goals, pairs)
    return 0 if all(r.ok for r in rows) else 1


def peer_doc(peer: Peer, handler: Handler) -> dict[str, Any]:
    argv = peer.argv(handler, "PORT") if peer.skip_reason is None else None
    return {
        "name": peer.name,
        "workers": peer.workers,
        "version": peer.version,
        "skip_reason": peer.skip_reason,
        "argv_hello": argv,
    }


def write_json(
    args: argparse.Namespace,
    peers: list[Peer],
    handlers: dict[str, Handler],
    rows: list[Row],
    colds: list[ColdStart],
    costs: dict[str, float] | None,
    goals: list[dict[str, Any]],
    pairs: list[TracePair],
) -> None:
    doc = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "wrk": {"threads": args.threads, "connections": args.connections, "duration_s": args.duration},
        "echo_body_bytes": len(handlers["echo"].body or b""),
        "peers": [peer_doc(p, handlers["hello"]) for p in peers],
        "runs": [{**asdict(r), "errors": r.errors} for r in rows],
        "cold_starts": [asdict(c) for c in colds],
        "inprocess_costs": costs,
        "targets": goals,
        "trace_pairs": [{"handler": p.handler, "plain": asdict(p.plain), "traced": asdict(p.traced),
                         "ratio": p.ratio(), "ratio_per_cpu": p.ratio(True)} for p in pairs],
    }
    args.json.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"\nraw results written to {args.json}")


def _raise_on_term(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored
    signal.signal(signal.SIGTERM, _raise_on_term)
    signal.signal(signal.SIGHUP, _raise_on_term)
    try:
        return bench(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        Server.stop_all()


if __name__ == "__main__":
    sys.exit(main())
