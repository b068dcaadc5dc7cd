"""AWS Lambda entry point: serves API Gateway events through the sandbox, confined to the contract.

`zigttp build HANDLER -Ddeploy=aws` writes a Lambda package holding this
package (zigttp_host), the verified bundle (handler.js) and its
contract.json; its SAM template names `zigttp_host.aws_lambda.handler` as the
function's handler. Nothing here needs the zigttp toolchain.

At start (the function's init phase) the bundle is loaded once with the
contract's grants (`Grants.from_contract`): env() reads only the names the
contract lists, from the function's environment; fetch reaches only its
egress hosts; a handler without a contract.json gets nothing. Every
invocation is one request:

* API Gateway HTTP API events (payload format 2.0) and REST API / payload
  1.0 events are accepted; anything else answers 400 with a JSON body.
* A response body that is not UTF-8 text is returned base64-encoded.
* A bundle that cannot load makes every invocation answer 500 with the
  reason (and it is logged once), instead of failing the init phase in a
  loop.

Settings, from the function's environment: ZIGTTP_TASK_ROOT (the folder
with handler.js and contract.json; default LAMBDA_TASK_ROOT), ZIGTTP_SQLITE
(a SQLite file for zigttp:sql, e.g. on EFS; without it SQL calls fail),
ZIGTTP_CACHE_ROOT (compiled-module cache; default /tmp/zigttp-cache, the
only writable place on Lambda, seeded at start from the package's
zigttp-cache/ that the build compiled ahead).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import urllib.parse
from pathlib import Path
from typing import Any

from .bundle import Bundle
from .grants import Grants
from .handler import Handler
from .host import Host
from .http import HttpRequest, HttpResponse
from .virtual_modules.config import ModuleConfig

log = logging.getLogger("zigttp.lambda")
PACKAGED_CACHE = "zigttp-cache"


class BadEvent(ValueError):
    """An invocation event that is not an API Gateway HTTP request."""


def task_root() -> Path:
    return Path(os.environ.get("ZIGTTP_TASK_ROOT") or os.environ.get("LAMBDA_TASK_ROOT") or Path.cwd())


def writable_cache(root: Path) -> Path:
    """ZIGTTP_CACHE_ROOT, or /tmp/zigttp-cache seeded with the package's precompiled modules."""
    configured = os.environ.get("ZIGTTP_CACHE_ROOT")
    if configured:
        return Path(configured)
    cache = Path("/tmp/zigttp-cache")
    packaged = root / PACKAGED_CACHE
    if packaged.is_dir():
        try:
            shutil.copytree(packaged, cache, dirs_exist_ok=True)
        except OSError as e:  # only costs a compile
            log.warning("zigttp: cannot seed %s from the package: %s", cache, e)
    return cache


def load(root: Path, cache_root: Path | None = None) -> Handler:
    """The bundle in `root`, loaded with its contract's grants (nothing when there is no contract)."""
    source = (root / "handler.js").read_text(encoding="utf-8")
    contract_path = root / "contract.json"
    contract = json.loads(contract_path.read_text(encoding="utf-8")) if contract_path.exists() else None
    grants = Grants() if contract is None else Grants.from_contract(contract, handler="handler.js")
    modules = ModuleConfig(env_from_process=True, env_allow=tuple(sorted(grants.env)),
                           outbound_hosts=tuple(sorted(grants.egress)),
                           sqlite_path=os.environ.get("ZIGTTP_SQLITE") or None)
    host = Host(modules=modules, cache_root=cache_root or writable_cache(root))
    return host.load(Bundle(source, "handler.js"), isolation="pooled", grants=grants)


class LambdaApp:
    """One loaded handler (or the reason it could not load) answering invocation events."""

    def __init__(self, root: Path) -> None:
        self.handler: Handler | None = None
        self.load_error: str | None = None
        try:
            self.handler = load(root)
        except Exception as e:  # answered on every invocation; the init phase must not crash-loop
            self.load_error = f"{type(e).__name__}: {e}"
            log.error("zigttp: the handler in %s cannot be loaded: %s", root, self.load_error)

    def __call__(self, event: Any, context: Any = None) -> dict[str, Any]:
        version = "2.0" if isinstance(event, dict) and event.get("version") == "2.0" else "1.0"
        if self.handler is None:
            return error_result(version, 500, "handler_not_loaded", self.load_error or "")
        try:
            request = request_from_event(event)
        except BadEvent as e:
            return error_result(version, 400, "bad_request", str(e))
        return result_from_response(self.handler.handle(request), version)


def request_from_event(event: Any) -> HttpRequest:
    """The HTTP request an API Gateway event carries (payload format 2.0 or 1.0)."""
    if not isinstance(event, dict):
        raise BadEvent("the event is not a JSON object")
    if event.get("version") == "2.0":
        return _request_v2(event)
    if isinstance(event.get("httpMethod"), str):
        return _request_v1(event)
    raise BadEvent("not an API Gateway HTTP event (payload format 2.0 or 1.0)")


def _request_v2(event: dict[str, Any]) -> HttpRequest:
    http = (event.get("requestContext") or {}).get("http") or {}
    method, path = http.get("method"), event.get("rawPath")
    if not isinstance(method, str) or not isinstance(path, str):
        raise BadEvent("a payload 2.0 event needs requestContext.http.method and rawPath")
    query = event.get("rawQueryString") or ""
    headers = _header_pairs(event.get("headers"))
    cookies = event.get("cookies")
    if isinstance(cookies, list) and cookies:
        headers.append(("cookie", "; ".join(str(c) for c in cookies)))
    url = path + ("?" + query if query else "")
    return HttpRequest(method.upper(), url, headers, _body(event))


def _request_v1(event: dict[str, Any]) -> HttpRequest:
    path = event.get("path")
    if not isinstance(path, str):
        raise BadEvent("a payload 1.0 event needs a path")
    multi = event.get("multiValueQueryStringParameters") or {}
    single = event.get("queryStringParameters") or {}
    pairs = [(k, v) for k, vs in multi.items() for v in (vs or [])] if multi else list(single.items())
    query = urllib.parse.urlencode(pairs)
    multi_headers = event.get("multiValueHeaders") or {}
    if multi_headers:
        headers = [(k.lower(), str(v)) for k, vs in multi_headers.items() for v in (vs or [])]
    else:
        headers = _header_pairs(event.get("headers"))
    url = path + ("?" + query if query else "")
    return HttpRequest(str(event["httpMethod"]).upper(), url, headers, _body(event))


def _header_pairs(raw: Any) -> list[tuple[str, str]]:
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise BadEvent("headers must be an object")
    return [(str(k).lower(), str(v)) for k, v in raw.items()]


def _body(event: dict[str, Any]) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise BadEvent("body must be a string")
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except ValueError:
            raise BadEvent("isBase64Encoded is set but the body is not base64") from None
    return body.encode()


def result_from_response(response: HttpResponse, version: str) -> dict[str, Any]:
    """The Lambda proxy result API Gateway turns into the HTTP response."""
    try:
        body, encoded = response.body.decode(), False
    except UnicodeDecodeError:
        body, encoded = base64.b64encode(response.body).decode(), True
    result: dict[str, Any] = {"statusCode": response.status, "body": body, "isBase64Encoded": encoded}
    if version == "2.0":
        headers: dict[str, str] = {}
        cookies = []
        for name, value in response.headers:
            if name == "set-cookie":
                cookies.append(value)
            else:
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
        result["headers"] = headers
        if cookies:
            result["cookies"] = cookies
    else:
        multi: dict[str, list[str]] = {}
        for name, value in response.headers:
            multi.setdefault(name, []).append(value)
        result["multiValueHeaders"] = multi
    return result


def error_result(version: str, status: int, kind: str, message: str) -> dict[str, Any]:
    body = json.dumps({"error": kind, "message": message})
    return result_from_response(HttpResponse(status, [("content-type", "application/json")], body.encode()), version)


_app: LambdaApp | None = None


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    """The function's handler (`zigttp_host.aws_lambda.handler`): loads the bundle on first use."""
    global _app
    if _app is None:
        _app = LambdaApp(task_root())
    return _app(event, context)


if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):  # on Lambda: load during the init phase, before the first event
    _app = LambdaApp(task_root())
