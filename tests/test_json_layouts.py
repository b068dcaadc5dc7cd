"""JSON.parse makes an object whose keys repeat an earlier object's on that object's shape (qjs_unity.c
fp_make_object): records of an array, and request bodies of one form, share one layout.

Whatever happens to one object afterwards must leave every other object, and every later parse, alone;
and an object on a kept layout must be exactly the object QuickJS builds key by key: same keys in the
same order (array-index keys first), same attributes, same prototype, extensible, a repeated key's last
value at its first place.
"""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from zigttp_host import Bundle, Host, HttpRequest

SOURCE = r"""
function describe(o) {
  return {
    own: Reflect.ownKeys(o).map((k) => {
      const d = Object.getOwnPropertyDescriptor(o, k);
      return [String(k), JSON.stringify(d.value) ?? "undefined", d.writable, d.enumerable, d.configurable];
    }),
    plain: Object.getPrototypeOf(o) === Object.prototype, extensible: Object.isExtensible(o),
  };
}
export function handler(req) {
  const text = req.text();
  const first = JSON.parse(text), second = JSON.parse(text);
  const before = [first, second].map((v) => v.map(describe));
  // change the first parse's objects every way there is; the second parse's must not move
  first.forEach((o, i) => {
    if (i % 5 === 0) o.added = i;
    if (i % 5 === 1) delete o[Object.keys(o)[0]];
    if (i % 5 === 2) Object.freeze(o);
    if (i % 5 === 3) Object.setPrototypeOf(o, null);
    if (i % 5 === 4) Object.defineProperty(o, Object.keys(o)[0] ?? "k", { get() { return 1; } });
  });
  const third = JSON.parse(text);
  return Response.json({ before, second: second.map(describe), third: third.map(describe) });
}
"""


def _run(host: Host, records: list[str]) -> dict[str, object]:
    handler = host.load(Bundle(SOURCE, "layouts.js"))
    body = ("[" + ",".join(records) + "]").encode()
    first = orjson.loads(handler.handle(HttpRequest("POST", "/", [], body)).body)
    again = orjson.loads(handler.handle(HttpRequest("POST", "/", [], body)).body)  # layouts kept from before
    assert again == first
    return first


def _described(obj: dict[str, object]) -> dict[str, object]:
    def is_index(k: str) -> bool:
        return k.isdigit() and str(int(k)) == k and int(k) < 2**32 - 1

    keys = sorted((k for k in obj if is_index(k)), key=int) + [k for k in obj if not is_index(k)]
    return {"own": [[k, orjson.dumps(obj[k]).decode(), True, True, True] for k in keys], "plain": True,
            "extensible": True}


def test_objects_on_one_layout_change_alone(host: Host) -> None:
    records = [f'{{"id":{i},"name":"n{i}","tags":["a"],"on":true}}' for i in range(10)]
    got = _run(host, records)
    want = [_described(orjson.loads(r)) for r in records]
    assert got["before"] == [want, want]
    assert got["second"] == want and got["third"] == want


def test_keys_that_repeat_index_keys_and_proto_keep_their_meaning(host: Host) -> None:
    records = ['{"a":1,"b":2,"a":3}', '{"b":1,"1":2,"0":3}', '{"__proto__":5,"x":1}', '{"__proto__":{"y":2}}',
               "{" + ",".join(f'"k{i}":{i}' for i in range(40)) + "}", "{}",
               "{" + ",".join(f'"w{i}":{i}' for i in range(200)) + "}"]  # too many keys to keep its layout
    got = _run(host, records * 3)
    want = [_described({"a": 3, "b": 2}), _described({"b": 1, "1": 2, "0": 3}),
            _described({"__proto__": 5, "x": 1}), _described({"__proto__": {"y": 2}}),
            _described({f"k{i}": i for i in range(40)}), _described({}), _described({f"w{i}": i for i in range(200)})]
    assert got["second"] == want * 3 and got["third"] == want * 3


_KEYS = st.sampled_from(["a", "b", "c", "id", "name", "0", "1", "10", "__proto__", "constructor", "é", ""])
_RECORDS = st.lists(st.lists(st.tuples(_KEYS, st.integers(-3, 3)), max_size=5), min_size=1, max_size=30)


@settings(max_examples=15, deadline=None)
@given(_RECORDS)
def test_generated_records_parse_as_quickjs_builds_them(records: list[list[tuple[str, int]]]) -> None:
    host = Host()
    try:
        texts = ["{" + ",".join(f"{orjson.dumps(k).decode()}:{v}" for k, v in pairs) + "}" for pairs in records]
        got = _run(host, texts)
        want = [_described(orjson.loads(t)) for t in texts]  # a repeated key: last value, first place
        assert got["second"] == want and got["third"] == want
    finally:
        host.engine.close()
