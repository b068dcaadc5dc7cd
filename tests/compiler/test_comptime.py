from __future__ import annotations

import pytest
from zts_helpers import compile_ok, errors

CASES = [
    ("1 + 2 * 3", "7"),
    ("'a' + 1 + 2", '"a12"'),
    ("`v${1 + 1}-${'x'.repeat(2)}`", '"v2-xx"'),
    ("Math.max(1, 5, 3) + Math.floor(Math.PI)", "8"),
    ("[1, 2, ...[3]].join('-')", '"1-2-3"'),
    ("({ a: 1, b: [true, undefined], ...{ c: 'x' } })", '({"a": 1, "b": [true, undefined], "c": "x"})'),
    ("parseInt('42px') + parseFloat('0.5')", "42.5"),
    ("JSON.parse('{\"k\": [1, null]}')", '({"k": [1, null]})'),
    ("JSON.stringify({ a: 1, b: undefined })", '"{\\"a\\":1}"'),
    ("hash('hello')", '"4f9f2cab"'),
    ("'Hello'.toUpperCase().padEnd(7, '!')", '"HELLO!!"'),
    ("null ?? 'd'", '"d"'),
    ("1 / 0", "Infinity"),
    ("-(2 ** 3)", "(-8)"),
    ("0.1 + 0.2", "0.30000000000000004"),
    ("7 % 3 === 1 ? 'odd' : 'even'", '"odd"'),
    ("~5 >>> 28", "15"),
]


@pytest.mark.parametrize(("expression", "literal"), CASES)
def test_folds_to_literal(expression: str, literal: str) -> None:
    js = compile_ok(f"const K = comptime({expression});\nfunction handler(req: Request) {{ return K; }}").js
    assert js.startswith(f"const K = {literal};")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            "x + 1",
            "comptime cannot read variable 'x'; only literals and whitelisted builtins are available at compile time",
        ),
        ("Date.now()", "'Date.now' is not deterministic and cannot be used in comptime"),
        ("Math.random()", "'Math.random' is not deterministic and cannot be used in comptime"),
        (
            "fetchSync('x')",
            "'fetchSync' cannot be called at compile time; comptime allows Math, string methods, "
            "parseInt/parseFloat/JSON.parse and hash()",
        ),
        ("'x'.repeat(10000)", "repeat count is out of range at compile time"),
    ],
)
def test_rejects_non_constants(expression: str, message: str) -> None:
    found = errors(f"const K = comptime({expression});")
    assert found[0][0] == "ZTS044" and found[0][1] == message


def test_env_and_build_constants(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZT_TEST_VALUE", "abc")
    js = compile_ok(
        "const a = comptime(Env.ZT_TEST_VALUE);\nconst b = comptime(Env.ZT_UNSET_VALUE);\n"
        "const v = comptime(__VERSION__);\nfunction handler() { return a; }"
    ).js
    assert 'const a = "abc";' in js and "const b = undefined;" in js and 'const v = "0.1.0";' in js


def test_size_limit() -> None:
    found = errors("const K = comptime('x'.repeat(8000) + 'y'.repeat(8000));")
    assert found[0][1] == "comptime result is larger than 8 KB; compute it at run time instead"


def test_null_allowed_inside_comptime_only() -> None:
    assert errors("const K = comptime([null]);\nfunction handler() { return K; }") == []
    assert errors("const K = [null];")[0][0] == "ZTS001"
