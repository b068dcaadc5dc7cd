"""Nothing random runs at module scope: it would be baked into the snapshot every instance starts from."""

from __future__ import annotations

import orjson
import pytest

from zigttp_host import Bundle, Host, HttpRequest
from zigttp_host.handler import HandlerLoadError

RANDOM_MESSAGE = ("Math.random() cannot run at module scope: the module scope runs once, into the snapshot every "
                  "instance starts from; call it inside the handler")


def test_math_random_at_module_scope_is_refused_with_its_location(host: Host) -> None:
    source = ("const seed = 1;\nconst r = Math.random();\n"
              "export function handler(req) { return Response.json({ r }); }\n")
    with pytest.raises(HandlerLoadError) as info:
        host.load(Bundle(source, "random_at_load.js"))
    assert info.value.message == f"Error: {RANDOM_MESSAGE}"
    assert info.value.at == "random_at_load.js:2:16"


def test_math_random_kept_by_the_module_scope_works_in_requests(host: Host) -> None:
    source = """
const random = Math.random;
export function handler(req) {
  return Response.json({ a: Math.random(), b: random() });
}
"""
    h = host.load(Bundle(source, "random_in_handler.js"))
    r = h.handle(HttpRequest("GET", "/"))
    assert r.status == 200, r.body
    values = orjson.loads(r.body)
    assert 0 <= values["a"] < 1 and 0 <= values["b"] < 1 and values["a"] != values["b"]
    # the snapshot does not fix the sequence: every instance is reseeded
    other = host.load(Bundle(source, "random_in_handler.js"), isolation="fresh")
    assert orjson.loads(other.handle(HttpRequest("GET", "/")).body) != values


@pytest.mark.parametrize("call", ["uuid()", "ulid()", "nanoid()"])
def test_random_ids_at_module_scope_are_refused(host: Host, call: str) -> None:
    name = call.split("(")[0]
    source = f'import {{ {name} }} from "zigttp:id";\nconst id = {call};\n' \
             "export function handler(req) { return Response.json({ id }); }\n"
    with pytest.raises(HandlerLoadError) as info:
        host.load(Bundle(source, f"id_at_load_{name}.js"))
    assert "cannot run at module scope" in info.value.message
    assert info.value.at is not None and info.value.at.startswith(f"id_at_load_{name}.js:2:")
