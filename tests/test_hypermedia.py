"""`resource(data, affordances)` through the real guest: HAL for services, HTMX for browsers (upstream §2.6)."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from zigttp_host import Bundle, Grants, Handler, Host, HttpRequest, Limits

ORDER = """
function handler(req) {
  const order = { id: 42, total: 1999, status: "pending", lines: [1, 2] };
  return resource(order, {
    self: { href: "/orders/42" },
    pay: { href: "/orders/42/pay", method: "POST", title: "Pay <now>", target: "#order", swap: "outerHTML",
           fields: { card: { type: "string" } } },
    cancel: { href: "/orders/42", method: "DELETE", title: "Cancel" },
  });
}
export { handler };
"""


@pytest.fixture(scope="module")
def order() -> Iterator[Handler]:
    host = Host()
    try:
        yield host.load(Bundle(ORDER, "order.js"), Limits(fuel=10**9, timeout_ms=10_000),
                        grants=Grants.unrestricted_unsafe())
    finally:
        host.functions.runtime.close()
        host.engine.close()


def _get(handler: Handler, *headers: tuple[str, str]) -> tuple[int, dict[str, str], bytes]:
    r = handler.handle(HttpRequest("GET", "/orders/42", list(headers), b""))
    return r.status, dict(r.headers), r.body


def test_hal_document_for_services(order: Handler) -> None:
    status, headers, body = _get(order, ("accept", "application/hal+json"))
    assert status == 200 and headers["content-type"] == "application/hal+json"
    assert headers["vary"] == "accept, hx-request"
    assert orjson.loads(body) == {
        "id": 42, "total": 1999, "status": "pending", "lines": [1, 2],
        "_links": {"self": {"href": "/orders/42"}},
        "_templates": {
            "pay": {"method": "POST", "target": "/orders/42/pay", "title": "Pay <now>",
                    "properties": {"card": {"type": "string"}}},
            "cancel": {"method": "DELETE", "target": "/orders/42", "title": "Cancel"},
        },
    }


def test_plain_json_and_no_accept_get_the_hal_document(order: Handler) -> None:
    _, headers, body = _get(order, ("accept", "application/json"))
    assert headers["content-type"] == "application/json" and orjson.loads(body)["id"] == 42
    _, headers, _ = _get(order)
    assert headers["content-type"] == "application/hal+json"


def test_htmx_fragment_for_htmx_requests(order: Handler) -> None:
    status, headers, body = _get(order, ("accept", "text/html"), ("hx-request", "true"))
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert body.decode() == (
        "<dl><dt>id</dt><dd>42</dd><dt>total</dt><dd>1999</dd><dt>status</dt><dd>pending</dd></dl>"
        '<a rel="self" href="/orders/42">self</a>'
        '<button hx-post="/orders/42/pay" hx-target="#order" hx-swap="outerHTML">Pay &lt;now&gt;</button>'
        '<button hx-delete="/orders/42">Cancel</button>'
    )


def test_full_page_for_browsers(order: Handler) -> None:
    _, headers, body = _get(order, ("accept", "text/html,application/xhtml+xml"))
    page = body.decode()
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert page.startswith("<!doctype html>") and "htmx.org" in page
    assert '<button hx-delete="/orders/42">Cancel</button>' in page
