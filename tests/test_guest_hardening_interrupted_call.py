"""A host call stopped by the request's deadline (CallStatus.INTERRUPTED) stops the guest like its own interrupt."""

from __future__ import annotations

import orjson

from zigttp_host import Bundle, Host, HttpRequest, Limits

TIMEOUT_MS = 200

# Host calls back to back: the deadline passes while the guest is making one,
# long before QuickJS would next poll its own interrupt handler.
HANDLER = """
import { schemaCompile } from "zigttp:validate";
import { decodeJson } from "zigttp:decode";
schemaCompile("any", {});
export function handler(req) {
  if (req.path === "/ok") return Response.json({ ok: true });
  for (;;) {
    try {
      decodeJson("any", "1");
    } catch (e) {
      return Response.json({ caught: String(e) });
    }
  }
}
"""


def test_an_interrupted_host_call_answers_the_timeout_and_cannot_be_caught(host: Host) -> None:
    h = host.load(Bundle(HANDLER, "interrupted_call.js"), Limits(timeout_ms=TIMEOUT_MS))
    r = h.handle(HttpRequest("GET", "/spin"))
    assert (r.status, orjson.loads(r.body)) == (504, {"error": "timeout", "limitMs": TIMEOUT_MS})
    assert h.instances_discarded == 0
    assert h.handle(HttpRequest("GET", "/ok")).status == 200
