"""A small runner for the declarative JSONL test files (upstream-spec §7.3) of examples/modules.

Each case gets a fresh instance; its `io` lines stub the traced host calls in order (the stub's
`result` is what the host answers). Unstubbed calls run for real when the export has no effect
(pure functions, like upstream's replay-pure ones) and answer undefined otherwise; registrations
(`sql`, `schemaCompile`) and `log*` are not traced and always run for real. Only the assertions
matter, as in upstream's test mode.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zigttp_host import Bundle, Grants, Host, HttpRequest, ModuleConfig
from zigttp_host.modules import REGISTRY, builtin_functions
from zigttp_host.registry import Export, HostFunction, HostFunctions
from zigttp_host.virtual_modules.io import collector


@dataclass
class Case:
    name: str
    request: dict[str, Any] | None = None
    io: list[dict[str, Any]] = field(default_factory=list)
    expect: list[dict[str, Any]] = field(default_factory=list)


def parse(path: Path) -> list[Case]:
    cases: list[Case] = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        entry = json.loads(line)
        kind = entry.get("type")
        if kind == "test":
            cases.append(Case(entry["name"]))
        elif not cases:
            raise ValueError(f"{path}:{n}: a {kind!r} line before the first test")
        elif kind == "request":
            cases[-1].request = entry
        elif kind == "io":
            cases[-1].io.append(entry)
        elif kind == "expect":
            cases[-1].expect.append(entry)
        else:
            raise ValueError(f"{path}:{n}: unknown line type {kind!r}")
    return cases


class Stubs:
    def __init__(self) -> None:
        self.queue: list[dict[str, Any]] = []

    def take(self, export: Export) -> tuple[bool, Any]:
        for i, line in enumerate(self.queue):
            if (line["module"], line["fn"]) == (export.trace_module, export.name):
                del self.queue[i]
                return True, line["result"]
        return False, None


def stubbed_functions(stubs: Stubs, config: ModuleConfig) -> HostFunctions:
    functions = builtin_functions(config)
    by_name = {f"{e.module}.{e.name}": e for e in REGISTRY}
    for fn_id, (label, impl) in list(functions.by_id.items()):
        export = by_name.get(label)
        if export is None or not export.traced:
            continue
        functions.by_id[fn_id] = (label, _stub(stubs, export, impl))
    return functions


def _stub(stubs: Stubs, export: Export, impl: HostFunction) -> HostFunction:
    def call(ctx: Any, args: list[Any]) -> Any:
        # parallel()/race(): the collection runs for real (fetch inside a thunk only records the
        # request); the stubbed result is the one of the final "run" call.
        if export.module == "zigttp:io" and args[:1] != ["run"]:
            return impl(ctx, args)
        if export.module == "zigttp:fetch" and collector(ctx) is not None:
            return impl(ctx, args)
        if export.module == "zigttp:io":
            ctx.state.pop("io", None)
        found, result = stubs.take(export)
        if found:
            return result
        return impl(ctx, args) if export.effect == "none" else None

    return call


def failures(host: Host, bundle: Bundle, stubs: Stubs, case: Case) -> list[str]:
    if case.request is None:
        return ["no request defined"]
    req = case.request
    body = req.get("body")
    headers = [(k.lower(), v) for k, v in (req.get("headers") or {}).items()]
    stubs.queue = list(case.io)
    # the stubs stand in for the outside world: the example is granted all of it
    handler = host.load(bundle, isolation="fresh", grants=Grants.unrestricted_unsafe())
    r = handler.handle(HttpRequest(req.get("method", "GET"), req.get("url", "/"), headers,
                                   b"" if body is None else body.encode()))
    text = r.body.decode(errors="replace")
    problems = []
    got = {k.lower(): v for k, v in r.headers}
    for e in case.expect:
        if "status" in e and e["status"] != r.status:
            problems.append(f"expected status: {e['status']}, actual status: {r.status} ({text[:200]})")
        if "body" in e and e["body"] != text:
            problems.append(f"body mismatch: expected {e['body']!r}, got {text!r}")
        if "bodyContains" in e and e["bodyContains"] not in text:
            problems.append(f"body does not contain: {e['bodyContains']} (got {text!r})")
        for k, v in (e.get("headers") or {}).items():
            if got.get(k.lower()) != v:
                problems.append(f"missing header: {k}: {v} (got {got.get(k.lower())!r})")
    return problems
