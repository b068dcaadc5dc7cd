"""A local HTTP server on 127.0.0.1 standing in for upstream services (never any other address)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class Upstream:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.port = server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.active = 0
        self.max_active = 0

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.active = self.max_active = 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # one segment per write: no 40 ms delayed-ACK stalls
    upstream: Upstream

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json", extra: dict[str, str] | None = None,
              ) -> None:
        self.send_response(status)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _handle(self) -> None:
        up = self.upstream
        parts = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        with up.lock:
            up.requests.append({"method": self.command, "path": self.path, "host": self.headers.get("host")})
            up.active += 1
            up.max_active = max(up.max_active, up.active)
        try:
            if parts.path == "/json":
                self._send(200, b'{"hello":"world"}')
            elif parts.path == "/echo":
                self._send(200, json.dumps({"method": self.command, "path": self.path, "body": body.hex(),
                                            "headers": {k.lower(): v for k, v in self.headers.items()}}).encode())
            elif parts.path == "/slow":
                time.sleep(int(q.get("ms", "100")) / 1000)
                self._send(200, json.dumps({"slept": int(q.get("ms", "100")), "tag": q.get("tag")}).encode())
            elif parts.path == "/big":
                self._send(200, b"x" * int(q["n"]), "text/plain")
            elif parts.path == "/status":
                self._send(int(q["code"]), json.dumps({"code": int(q["code"])}).encode())
            elif parts.path == "/redirect":
                self._send(int(q.get("code", "302")), b"", extra={"location": q["to"]})
            elif parts.path == "/loop":
                self._send(302, b"", extra={"location": "/loop"})
            elif parts.path == "/latin1":
                self._send(200, "café".encode("latin-1"), "text/plain; charset=iso-8859-1")
            else:
                self._send(404, b'{"error":"not found"}')
        finally:
            with up.lock:
                up.active -= 1

    def _safe(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            self._handle()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _safe


@contextmanager
def upstream() -> Iterator[Upstream]:
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    up = Upstream(server)
    handler.upstream = up
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield up
    finally:
        server.shutdown()
        server.server_close()
