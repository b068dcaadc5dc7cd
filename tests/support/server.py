"""A real `zigttp serve` process on 127.0.0.1 for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
ZIGTTP = [sys.executable, "-m", "zigttp.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, proc: subprocess.Popen[str], port: int, log_path: Path) -> None:
        self.proc = proc
        self.port = port
        self.log_path = log_path
        self.url = f"http://127.0.0.1:{port}"
        self.client = httpx.Client(base_url=self.url, timeout=30)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str, **kw: object) -> httpx.Response:
        return self.client.get(path, **kw)  # type: ignore[arg-type]

    def post(self, path: str, **kw: object) -> httpx.Response:
        return self.client.post(path, **kw)  # type: ignore[arg-type]


@contextmanager
def spawned(cmd: list[str], ready_url: str, log_path: Path, *, timeout: float = 60,
            env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    """Starts `cmd` in its own session, waits until `ready_url` answers 200; kills the process tree afterwards."""
    log_file = log_path.open("w")
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log_file, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env=env)
    name = f"zigttp {cmd[3]}" if cmd[1:3] == ["-m", "zigttp.cli"] else Path(cmd[1]).name
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log_path.read_text(errors='replace')}")
            try:
                if httpx.get(ready_url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not become healthy:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.05)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log_file.close()


@contextmanager
def serve(handler: str | Path, *args: str, workers: int = 1, timeout: float = 60) -> Iterator[Server]:
    """Starts `zigttp serve HANDLER` and waits for /_health; kills the process tree afterwards."""
    port = free_port()
    log_path = Path(os.environ.get("PYTEST_TMPDIR", "/tmp")) / f"zigttp-serve-{port}.log"
    cmd = [*ZIGTTP, "serve", str(handler), "--port", str(port), "--workers", str(workers), *args]
    with spawned(cmd, f"http://127.0.0.1:{port}/_health", log_path, timeout=timeout) as proc:
        server = Server(proc, port, log_path)
        try:
            yield server
        finally:
            server.client.close()


@contextmanager
def admin(durable: str | Path, *extra: str) -> Iterator[str]:
    """`zigttp admin --durable DURABLE` (a folder or a postgresql:// URL) on a free port; its base URL."""
    port = free_port()
    proc = subprocess.Popen([*ZIGTTP, "admin", "--durable", str(durable), "--port", str(port), *extra],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/_zigttp/durable/runs", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


@contextmanager
def admin_in_thread(store: Any) -> Iterator[str]:
    """`zigttp admin`'s server over `store`, in this process on a free port; its base URL (http://HOST:PORT)."""
    import threading

    from zigttp.durable.admin import AdminServer

    server = AdminServer(("127.0.0.1", 0), store, None, None)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def raw_http(url: str, request: bytes, timeout: float = 5) -> bytes:
    """Sends `request` as written to the server of `url` (http://HOST:PORT/...), closes the sending side and
    reads the whole answer: for requests a client library will not send."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def wait_until(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Polls `check` every 0.1 s until it returns something truthy (returned), or fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def spread(server: Server, path: str, n: int = 48) -> list[dict]:
    """n GETs on fresh connections from 8 threads, so every worker takes some; each must answer 200."""
    def one(_: int) -> dict:
        r = httpx.get(f"{server.url}{path}", timeout=30)
        assert r.status_code == 200, r.text
        return r.json()

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(n)))


def run_cli(*args: str, timeout: float = 120, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ZIGTTP, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          input=input)
