"""`zigttp admin`: inspect durable runs and deliver signals, against the store `serve --durable` uses.

Routes (JSON in and out):

    GET  /_zigttp/durable/contract                    the contract's durable section (with --contract)
    GET  /_zigttp/durable/runs                        every run: status, why it waits, dead-run reason
    GET  /_zigttp/durable/runs/:key                   one run: state and its history of events
    POST /_zigttp/durable/runs/:key/signals/:name     deliver a signal (the body is its JSON payload)
    POST /_zigttp/durable/dead-runs/:key/replay       retry a dead run (the scheduler picks it up)
    POST /_zigttp/durable/dead-runs/:key/discard      keep it dead for good

Keys and names are percent-encoded path segments (`order%3A42`). With a
token, every request needs `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import hmac
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import orjson

from zigttp_host.durable.store import DurableStore, StoreUnavailable

from . import status

PREFIX = "/_zigttp/durable"
MAX_BODY = 1 << 20


class AdminServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: DurableStore, contract: dict[str, Any] | None,
                 token: str | None) -> None:
        super().__init__(address, AdminRequest)
        self.store = store
        self.contract = contract
        self.token = token


class AdminRequest(BaseHTTPRequestHandler):
    server: AdminServer
    server_version = "zigttp-admin"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status_code: int, body: Any) -> None:
        data = orjson.dumps(body)
        self.send_response(status_code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":  # a HEAD answer has headers only
            self.wfile.write(data)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a bad request line, an unknown method, a URI too long) answer JSON too."""
        phrase = self.responses.get(code, ("error",))[0]
        self.close_connection = True  # what was left of the request cannot be read past
        self._send(code, {"error": re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_"),
                          "message": message or phrase})

    def _authorised(self) -> bool:
        token = self.server.token
        if token is None:
            return True
        given = self.headers.get("authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
            return True
        self._send(401, {"error": "unauthorized", "message": "send Authorization: Bearer <token>"})
        return False

    def _parts(self) -> list[str] | None:
        path = self.path.split("?", 1)[0]
        if not path.startswith(PREFIX + "/"):
            return None
        return [unquote(p) for p in path[len(PREFIX) + 1:].split("/")]

    def do_GET(self) -> None:
        self._answering(self._get)

    def do_POST(self) -> None:
        self._answering(self._post)

    def _answering(self, route: Any) -> None:
        """A store out of reach (PostgreSQL down) answers 503 with JSON, never a dropped connection."""
        try:
            route()
        except OSError as e:
            self._send(503, {"error": "durable_unavailable", "message": str(e)})
        except Exception as e:  # a hand-edited file the store did not expect: an answer, not a dropped connection
            self._send(500, {"error": "internal_error", "message": f"{type(e).__name__}: {e}"})

    def _get(self) -> None:
        if not self._authorised():
            return
        parts = self._parts()
        store = self.server.store
        if parts == ["contract"]:
            contract = self.server.contract
            if contract is None:
                self._send(404, {"error": "not_found", "message": "start zigttp admin with --contract FILE"})
            else:
                self._send(200, contract.get("durable") or {"message": "the contract has no durable section"})
        elif parts == ["runs"]:
            self._send(200, {"runs": status.runs(store)})
        elif parts is not None and len(parts) == 2 and parts[0] == "runs":
            self._one_run(parts[1])
        else:
            self._send(404, {"error": "not_found"})

    def _one_run(self, key: str) -> None:
        oplog, summary = status.read(self.server.store, key)
        if summary["status"] == "unknown":
            self._send(404, {"error": "unknown_run", "key": key})
        else:  # an unreadable oplog: its summary says why, with no events
            self._send(200, summary if oplog is None else {**summary, "events": status.events(oplog)})

    def _post(self) -> None:
        if not self._authorised():
            return
        parts = self._parts() or []
        if len(parts) == 4 and parts[0] == "runs" and parts[2] == "signals":
            self._signal(parts[1], parts[3])
        elif len(parts) == 3 and parts[0] == "dead-runs" and parts[2] in ("replay", "discard"):
            store = self.server.store
            done = store.revive(parts[1]) if parts[2] == "replay" else store.discard(parts[1])
            self._send(200 if done else 404, {"key": parts[1], "done": done})
        else:
            self._send(404, {"error": "not_found"})

    def _method_not_allowed(self) -> None:
        self._send(405, {"error": "method_not_allowed", "message": "the admin routes take GET and POST"})

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _method_not_allowed

    def _signal(self, key: str, name: str) -> None:
        if self.headers.get("transfer-encoding") is not None:  # unread, the body would be taken as a null payload
            self._send(411, {"error": "length_required", "message": "send the payload with a Content-Length"})
            self.close_connection = True
            return
        declared = self.headers.get("content-length") or "0"
        if not declared.isdigit():
            self._send(400, {"error": "bad_request", "message": "invalid Content-Length"})
            return
        length = int(declared)
        if length > MAX_BODY:
            self._send(413, {"error": "body_too_large", "limitBytes": MAX_BODY})
            return
        raw = self.rfile.read(length) if length else b""
        try:
            payload = orjson.loads(raw) if raw.strip() else None  # strict: no NaN, bounded nesting
        except orjson.JSONDecodeError as e:
            self._send(400, {"error": "bad_request", "message": f"the signal payload is not JSON: {e}"})
            return
        try:
            accepted = self.server.store.put_signal(key, name, payload)
        except StoreUnavailable as e:
            self._send(503, {"error": "durable_unavailable", "message": str(e)})
            return
        except OSError as e:
            self._send(500, {"error": "signal_write_failed",
                             "message": f"the signal could not be written: {e.strerror or e}"})
            return
        if not accepted:
            if status.summary(self.server.store, key)["status"] == "completed":
                self._send(409, {"error": "run_completed", "key": key,
                                 "message": "the run has completed: no waitSignal will take this signal"})
            else:
                self._send(404, {"error": "unknown_run", "key": key})
            return
        self._send(202, {"accepted": True, "key": key, "name": name})
