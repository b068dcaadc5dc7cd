"""The one table of known globals (`zigttp.verifier.builtins.KNOWN_GLOBALS`) against the real guest and prelude."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from zigttp.verifier.builtins import KNOWN_GLOBALS, PRELUDE_GLOBALS, global_types
from zigttp_host import Bundle, Grants, Host, HttpRequest, Limits
from zigttp_host.paths import PRELUDE_JS

ABSENT = ("TextEncoder", "TextDecoder", "structuredClone", "URL", "setTimeout", "httpRequest", "require", "process")


@pytest.fixture(scope="module")
def guest_globals() -> Iterator[dict[str, bool]]:
    names = sorted(KNOWN_GLOBALS) + list(ABSENT)
    probes = "".join(f"out[{json.dumps(n)}] = {json.dumps(n)} in globalThis;" for n in names)
    source = (f"function handler(req) {{ const out = {{}}; {probes} return Response.json(out); }}\n"
              "export { handler };\n")
    host = Host()
    try:
        handler = host.load(Bundle(source, "globals.js"), Limits(fuel=10**9, timeout_ms=10_000),
                            grants=Grants.unrestricted_unsafe())
        response = handler.handle(HttpRequest("GET", "/", [], b""))
        assert response.status == 200, response.body
        yield json.loads(response.body)
    finally:
        host.functions.runtime.close()
        host.engine.close()


def test_every_known_global_exists_in_the_guest(guest_globals: dict[str, bool]) -> None:
    assert sorted(n for n in KNOWN_GLOBALS if not guest_globals[n]) == []


def test_names_the_guest_lacks_are_not_known(guest_globals: dict[str, bool]) -> None:
    assert [n for n in ABSENT if guest_globals[n]] == []
    assert not set(ABSENT) & KNOWN_GLOBALS


def test_every_prelude_global_is_known() -> None:
    text = PRELUDE_JS.read_text(encoding="utf-8")
    found = re.search(r"const globals = \{([^}]*)\}", text)
    assert found is not None
    defined = {name.strip() for name in found.group(1).split(",")}
    defined |= set(re.findall(r"globals\.(\w+) =", text))
    assert defined == set(PRELUDE_GLOBALS)


def test_every_typed_global_is_known_or_absent_from_the_guest() -> None:
    """The analysis types only globals that exist (httpRequest is typed but is not in this guest)."""
    assert set(global_types()) - KNOWN_GLOBALS <= {"httpRequest"}
