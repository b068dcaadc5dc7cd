"""A real `zigttp serve` process on 127.0.0.1 for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
def serve(handler: str | Path, *args: str, workers: int = 1, timeout: float = 60) -> Iterator[Server]:
    """Starts `zigttp serve HANDLER` and waits for /_health; kills the process tree afterwards."""
    port = free_port()
    log_path = Path(os.environ.get("PYTEST_TMPDIR", "/tmp")) / f"zigttp-serve-{port}.log"
    log_file = log_path.open("w")
    cmd = [*ZIGTTP, "serve", str(handler), "--port", str(port), "--workers", str(workers), *args]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log_file, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    server = Server(proc, port, log_path)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"zigttp serve exited with {proc.returncode}:\n{server.log()}")
            try:
                if httpx.get(f"{server.url}/_health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"zigttp serve did not become healthy:\n{server.log()}")
            time.sleep(0.05)
        yield server
    finally:
        server.client.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log_file.close()


def run_cli(*args: str, timeout: float = 120, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ZIGTTP, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          input=input)
