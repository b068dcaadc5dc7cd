from __future__ import annotations

from zts_helpers import compile_ok, needs_node, request, run_js


def emit(source: str, filename: str = "handler.ts") -> str:
    return compile_ok(source, filename).js


def test_types_are_erased_and_lines_preserved() -> None:
    js = emit(
        "type T = { a: string };\n"
        "interface U { b: number }\n"
        "function handler(req: Request): Response {\n"
        "  const x: number = f<string>(1)!;\n"
        "  return Response.json({ x });\n"
        "}\n"
    )
    lines = js.split("\n")
    assert lines[2] == "function handler(req) {"
    assert lines[3] == "  const x = f(1);"
    assert "type" not in js and "interface" not in js and "number" not in js
    assert "export { handler };" in js


def test_entry_forms_export_handler() -> None:
    assert "export function handler(req)" in emit("export function handler(req: Request) { return 1; }")
    default = emit("export default function handler(req: Request) { return 1; }")
    assert "export { handler, handler as default };" in default and "function handler(req)" in default
    named_default = emit("export default function main(req: Request) { return 1; }")
    assert "export { main as handler, main as default };" in named_default
    assert "export const handler = " in emit("export const handler = (req: Request) => 1;")


def test_missing_handler_is_an_error() -> None:
    from zigttp.compiler import compile_source

    result = compile_source("function main() {}")
    assert not result.ok and result.js == ""
    assert result.diagnostics[0].code == "ZTS038"


def test_virtual_imports_kept_type_imports_erased() -> None:
    js = emit(
        'import { env, type Secret } from "zigttp:env";\n'
        'import type { Spec } from "zigttp:types";\n'
        'import { guard } from "zigttp:compose";\n'
        'import { sha256 as hash } from "zigttp:crypto";\n'
        "function handler(req: Request): Response { return Response.text(hash(env('A') ?? '')); }\n"
    )
    assert js.startswith('import { env } from "zigttp:env";\n\n\nimport { sha256 as hash } from "zigttp:crypto";')
    assert "zigttp:types" not in js and "zigttp:compose" not in js


def test_pipe_desugars_to_calls() -> None:
    js = emit("function handler(req: Request) { return req |> f |> ((x) => g(x)) |> obj.m; }")
    assert "return obj.m(((x) => g(x))(f(req)));" in js


def test_pipe_call_desugars_to_nested_calls() -> None:
    js = emit("function handler(req: Request) { return pipe(a, b, c); }")
    assert "return c(b(a()));" in js


def test_guard_chain_is_one_flat_function() -> None:
    js = emit('import { guard } from "zigttp:compose";\nconst handler = guard(a) |> guard(b) |> route |> guard(c);')
    assert (
        "const handler = ((__zt_req) => { const __zt_g0 = a(__zt_req); if (__zt_g0 !== undefined) return __zt_g0; "
        "const __zt_g1 = b(__zt_req); if (__zt_g1 !== undefined) return __zt_g1; const __zt_res = route(__zt_req); "
        "const __zt_p0 = c(__zt_res); if (__zt_p0 !== undefined) return __zt_p0; return __zt_res; });"
    ) in js


def test_guard_chain_with_computed_guards_evaluates_them_once() -> None:
    js = emit("const handler = guard(role('admin')) |> route;")
    assert "((__zt_f0, __zt_f1) => (__zt_req) => {" in js and ")(role('admin'), route);" in js


def test_match_desugars_to_conditional_chain() -> None:
    js = emit(
        "function handler(req: Request) {\n"
        "  return match (req) {\n"
        "    when { method: 'GET', path: '/a' }: 1\n"
        "    when { tags: ['x', _] }: 2\n"
        "    default: 3\n"
        "  };\n"
        "}\n"
    )
    assert (
        '((__zt_m0) => (__zt_m0 != null && __zt_m0.method === "GET" && __zt_m0.path === "/a") ? (1) : '
        "(__zt_m0 != null && (Array.isArray(__zt_m0.tags) && __zt_m0.tags.length === 2 && "
        '__zt_m0.tags[0] === "x")) ? (2) : (3))(req)'
    ) in js


def test_match_without_default_raises_at_runtime_helper() -> None:
    js = emit("function handler(req: Request) { return match (req.path) { when '/a': 1 }; }")
    assert '__zt_match_fail("handler.ts:1:41")' in js
    assert 'function __zt_match_fail(at) { throw new Error("match: no arm matched at " + at); }' in js


def test_assert_forms() -> None:
    js = emit("function handler(req: Request) {\n  assert req.ok;\n  assert req.x, Response.text('no');\n}")
    assert 'if (!(req.ok)) throw new Error("assertion failed: req.ok at handler.ts:2:3");' in js
    assert "if (!(req.x)) return Response.text('no');" in js


def test_comptime_and_distinct_type() -> None:
    js = emit(
        "distinct type UserId = string;\nconst K = comptime([1, 2].length * 10);\n"
        "const O = comptime({ a: -1 });\nfunction handler(req: Request) { return UserId('u' + K); }"
    )
    assert "function UserId(value) { return value; }" in js
    assert "const K = 20;" in js
    assert 'const O = ({"a": (-1)});' in js


def test_unary_minus_spacing_and_object_arrow_body() -> None:
    js = emit("function handler(req: Request) { const a = - -1; const f = () => ({ ...a }); return f; }")
    assert "const a = - -1;" in js and "const f = () => ({ ...a });" in js


@needs_node
def test_semantics_under_node() -> None:
    js = emit(
        "import { guard } from 'zigttp:compose';\n"
        "function deny(req: Request): Response | undefined {\n"
        "  return req.path === '/deny' ? Response.text('denied', { status: 403 }) : undefined;\n"
        "}\n"
        "function stamp(res: Response): Response | undefined { res.headers['x-stamp'] = '1'; return undefined; }\n"
        "function route(req: Request): Response {\n"
        "  const kind = match ({ m: req.method, p: req.path }) {\n"
        "    when { m: 'GET', p: '/a' }: 'a'\n"
        "    when { m: 'POST' }: 'post'\n"
        "    default: 'other'\n"
        "  };\n"
        "  const total = [1, 2, 3] |> ((xs: number[]) => xs.reduce((s, x) => s + x, 0));\n"
        "  assert total === 6, Response.text('bad', { status: 500 });\n"
        "  return Response.json({ kind, total, k: comptime(2 ** 10) });\n"
        "}\n"
        "const handler = guard(deny) |> route |> guard(stamp);\n"
    )
    out = run_js(js, request("/a"))
    assert out["ok"] and out["response"]["body"] == '{"kind":"a","total":6,"k":1024}'
    assert out["response"]["headers"]["x-stamp"] == "1"
    denied = run_js(js, request("/deny"))
    assert denied["response"]["status"] == 403 and "x-stamp" not in denied["response"]["headers"]


@needs_node
def test_match_fall_through_and_assert_halt_throw_at_runtime() -> None:
    js = emit(
        "function handler(req: Request) {\n  const v = match (req.path) { when '/a': 1 };\n"
        "  assert v > 5;\n  return Response.text('x');\n}"
    )
    out = run_js(js, request("/b"))
    assert out == {"ok": False, "error": "match: no arm matched at handler.ts:2:13", "stack": out["stack"]}
    out = run_js(js, request("/a"))
    assert out["error"] == "assertion failed: v > 5 at handler.ts:3:3"


def test_plain_object_literals_are_made_on_kept_layouts() -> None:
    js = emit(
        "function handler(req: Request): Response {\n"
        "  const a = { id: 1, 'content-type': 'x' };\n"
        "  const b = { id: 2, 'content-type': 'y' };\n"
        "  const c = { 'content-type': 'z', id: 3 };\n"
        "  return Response.json({ a, b, c, n: { ...a } });\n"
        "}\n"
    )
    lines = js.split("\n")
    # the keepers go first on line 1, one per key order; every later line stays where it was
    assert lines[0] == ('const __zt_new = __zt_obj, __zt_shape1 = { id: 0, "content-type": 0 }, '
                        '__zt_shape2 = { "content-type": 0, id: 0 }, __zt_shape3 = { a: 0, b: 0, c: 0, n: 0 }; '
                        'function handler(req) {')
    assert lines[1] == "  const a = __zt_new(__zt_shape1, 1, 'x');"
    assert lines[2] == "  const b = __zt_new(__zt_shape1, 2, 'y');"
    assert lines[3] == "  const c = __zt_new(__zt_shape2, 'z', 3);"
    assert lines[4] == "  return Response.json(__zt_new(__zt_shape3, a, b, c, { ...a })); }"


def test_columns_on_line_one_map_past_the_keepers() -> None:
    source = "function handler(req: Request) { return Response.json({ v: compute(req.path) }); }\n"
    result = compile_ok(source)
    line = result.js.split("\n")[0]
    assert line.startswith("const __zt_new = __zt_obj, __zt_shape1 = { v: 0 }; ")
    assert result.line_map.lookup(1, line.index("compute") + 1) == ("handler.ts", 1, source.index("compute") + 1)


def test_a_module_without_plain_literals_has_no_keepers() -> None:
    js = emit("function handler(req: Request) { const k = 'a'; return Response.json({ [k]: 1, ...{} }); }")
    assert "__zt_" not in js.replace("__zt_exports", "")
