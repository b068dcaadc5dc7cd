"""Content negotiation for `resource(data, affordances)` (the prelude's hypermedia global).

The guest renders both representations of a resource (the HAL document and
the HTMX fragment) under one private media type, because the request's
headers are not visible where the guest encodes a response. Here, with the
request at hand, one of them becomes the response:

* `Accept: text/html` with `HX-Request: true` → the fragment;
* `Accept: text/html` otherwise → the fragment inside a page that loads htmx;
* anything else → the HAL document (`application/hal+json`, or
  `application/json` when that is asked for and HAL is not).
"""

from __future__ import annotations

import orjson

from .http import HttpRequest, HttpResponse

RESOURCE_TYPE = "application/vnd.zigttp.resource+json"
HTMX_SRC = "https://unpkg.com/htmx.org@2.0.4"
_PAGE = ('<!doctype html>\n<html><head><meta charset="utf-8"><script src="' + HTMX_SRC
         + '"></script></head>\n<body>{fragment}</body></html>\n')


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return ", ".join(v for k, v in headers if k.lower() == name)


def negotiate(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The representation `request` asks for, when `response` is a resource; otherwise `response` unchanged."""
    # every response passes here: one comparison per header value, nothing else, unless it is a resource
    # (a plain loop: a generator here cost as much as the rest of the function)
    if response.failure is not None:
        return response
    for _, value in response.headers:
        if value == RESOURCE_TYPE:
            break
    else:
        return response
    if _header(response.headers, "content-type") != RESOURCE_TYPE:
        return response
    try:
        both = orjson.loads(response.body)
        hal, fragment = both["hal"], both["html"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return response
    accept = _header(request.headers, "accept").lower()
    if "text/html" in accept and isinstance(fragment, str):
        htmx = _header(request.headers, "hx-request").strip().lower() == "true"
        body, media = fragment if htmx else _PAGE.format(fragment=fragment), "text/html; charset=utf-8"
        payload = body.encode()
    else:
        media = "application/json" if "application/json" in accept and "hal+json" not in accept \
            else "application/hal+json"
        payload = orjson.dumps(hal)
    headers = [(k, v) for k, v in response.headers if k.lower() != "content-type"]
    headers += [("content-type", media), ("vary", "accept, hx-request")]
    return HttpResponse(response.status, headers, payload)
