"""Safety at the boundary: every export checks its arguments, nothing Python escapes, sizes are bounded,
and nothing that reads the outside world runs at module scope (it would be frozen into the snapshot)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest

from zigttp_host import Bundle, HandlerLoadError, Host
from zigttp_host.modules import REGISTRY
from zigttp_host.registry import Export

from .support import LIMITS, Probe

# zigttp:durable refuses bad arguments with an uncatchable error by design (the seed's table), so the probe
# cannot observe them as a thrown value: tests/durable/test_runs.py checks its messages.
CALLABLE = [e for e in REGISTRY if e.impl is not None and e.module not in ("zigttp:io", "zigttp:durable")]
GARBAGE = [[], [1], [True, False], [{}], [[]], ["x"] * 6, [{"$bytes": 5}], [{"a": {"b": [None, {"c": 1.5}]}}],
           ["\u0000\uffff", -1e308], [None, None, None]]


def _wrong_value(type_text: str) -> object:
    """A value the parameter's declared type does not admit."""
    if type_text.startswith("number"):
        return "not a number"
    if "string" in type_text.split("|")[0] or type_text.startswith("string"):
        return 12345
    return 12345


@pytest.mark.parametrize("export", CALLABLE, ids=lambda e: f"{e.module}.{e.name}")
def test_garbage_never_escapes_as_a_python_error(probe: Probe, export: Export,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="zigttp.guest")
    for args in GARBAGE:
        out = probe.raw(export.module, export.name, *args)
        if "threw" in out:
            assert out["threw"] in ("TypeError", "RangeError", "InternalError"), (args, out)
            assert not re.search(r"\(\) failed: \w+$", out["message"]), (args, out)
    assert [r for r in caplog.records if r.name == "zigttp.guest"] == []
    assert probe.call("zigttp:crypto", "sha256", "") == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


TYPED_FIRST = [e for e in CALLABLE if e.params and e.params[0].type in ("string", "number", "string | Uint8Array")]


@pytest.mark.parametrize("export", TYPED_FIRST, ids=lambda e: f"{e.module}.{e.name}")
def test_a_wrong_first_argument_is_a_type_error_naming_function_and_parameter(probe: Probe, export: Export) -> None:
    first = export.params[0]
    args = [_wrong_value(first.type)] + ["x"] * (export.required - 1)
    kind, message = probe.throws(export.module, export.name, *args)
    assert kind == "TypeError", message
    assert message.startswith(f"{export.name}(") and f"'{first.name}'" in message, message


def test_too_many_arguments(probe: Probe) -> None:
    assert probe.throws("zigttp:id", "uuid", 1) == ("TypeError", "uuid() takes at most 0 arguments, got 1")


def test_sizes_are_bounded(probe: Probe) -> None:
    big = "x" * ((1 << 20) + 1)
    assert probe.throws("zigttp:cache", "cacheSet", "ns", "k", big)[0] == "RangeError"
    kind, message = probe.throws("zigttp:cache", "cacheGet", "n" * 200, "k")
    assert (kind, message) == ("RangeError", "cacheGet(): parameter 'namespace' is longer than 128 characters")
    assert probe.throws("zigttp:auth", "jwtVerify", "t", "k" * (65 << 10))[0] == "RangeError"


@pytest.mark.parametrize(("module_scope", "message"), [
    ("import { env } from 'zigttp:env'; const key = env('HOME');",
     "InternalError: env('HOME') cannot run at module scope: the module scope runs once, into the snapshot every "
     "instance starts from; call it inside the handler"),
    ("import { cacheGet } from 'zigttp:cache'; const v = cacheGet('ns', 'k');",
     "InternalError: cacheGet('ns') cannot run at module scope"),
    ("import { uuid } from 'zigttp:id'; const instanceId = uuid();",
     "InternalError: uuid() cannot run at module scope"),
    ("import { fetch } from 'zigttp:fetch'; fetch('http://127.0.0.1:1/');",
     "InternalError: fetch('http://127.0.0.1:1/') cannot run at module scope"),
    ("const r = fetchSync('http://127.0.0.1:1/');", "InternalError: fetch('http://127.0.0.1:1/') cannot run"),
    ("import { jwtVerify } from 'zigttp:auth'; jwtVerify('a.b.c', 'k');",
     "InternalError: jwtVerify() cannot run at module scope"),
])
def test_the_outside_world_is_not_read_at_module_scope(hosts: Callable[..., Host], module_scope: str,
                                                       message: str) -> None:
    src = f"{module_scope}\nexport function handler(req) {{ return Response.text('x'); }}\n"
    with pytest.raises(HandlerLoadError) as info:
        hosts(env={"HOME": "/root"}).load(Bundle(src, "scope.js"), LIMITS)
    assert info.value.message.startswith(message), info.value.message
    assert info.value.at == "scope.js:1:1" or info.value.at is not None


def test_pure_and_registration_exports_work_at_module_scope(hosts: Callable[..., Host]) -> None:
    lines: list[str] = []
    src = ("import { sha256 } from 'zigttp:crypto'; import { logInfo } from 'zigttp:log';\n"
           "import { slugify } from 'zigttp:text';\n"
           "const digest = sha256('abc'); const slug = slugify('Hello World'); logInfo('loaded');\n"
           "export function handler(req) { return Response.json({ digest, slug }); }\n")
    h = hosts(log_sink=lines.append).load(Bundle(src, "pure.js"), LIMITS)
    from zigttp_host import HttpRequest

    assert h.handle(HttpRequest("GET", "/")).body.startswith(b'{"digest":"ba7816bf')
