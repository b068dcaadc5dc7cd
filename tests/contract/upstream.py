"""A local HTTP server the hostile handlers try to reach: /ok, /redirect?to=URL, and /evil (must never be hit)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Upstream:
    port: int
    hits: list[tuple[str, str]] = field(default_factory=list)  # (Host header, path)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def evil_hits(self) -> list[tuple[str, str]]:
        return [h for h in self.hits if h[1].startswith("/evil")]


@contextmanager
def upstream() -> Iterator[Upstream]:
    state = Upstream(0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append((self.headers.get("host", ""), self.path))
            parts = urlsplit(self.path)
            if parts.path == "/redirect":
                self.send_response(302)
                self.send_header("location", parse_qs(parts.query)["to"][0])
                self.send_header("content-length", "0")
                self.end_headers()
                return
            body = b"pwned" if parts.path == "/evil" else b"ok"
            self.send_response(200)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
