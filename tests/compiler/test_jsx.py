from __future__ import annotations

from zts_helpers import compile_ok, needs_node, request, run_js


def emit_tsx(body: str) -> str:
    return compile_ok(body + "\nfunction handler(req: Request) { return Response.text('x'); }\n", "page.tsx").js


def test_intrinsic_component_and_fragment_tags() -> None:
    js = emit_tsx("const a = <div />;\nconst b = <Card title='x' />;\nconst c = <>x</>;\nconst d = <ui.Panel />;")
    assert 'const a = h("div", null);' in js
    assert 'const b = h(Card, { title: "x" });' in js
    assert 'const c = h(Fragment, null, "x");' in js
    assert "const d = h(ui.Panel, null);" in js


def test_attributes_spread_boolean_and_dashed_names() -> None:
    js = emit_tsx('const a = <button hx-post="/x" disabled {...rest} onClick={go} data-n={1}>Go</button>;')
    assert 'h("button", { "hx-post": "/x", disabled: true, ...rest, onClick: go, "data-n": 1 }, "Go")' in js


def test_children_text_expressions_and_comments() -> None:
    js = emit_tsx("const a = (\n  <p>\n    Hello {name}!\n    {/* comment */}\n    <b>bold</b>\n  </p>\n);")
    assert js.startswith('const a = (h("p", null, \n\n    "Hello ", name, "!", \n\n    h("b", null, "bold")));')


def test_entities_decoded_and_jsx_strings_have_no_escapes() -> None:
    js = emit_tsx('const a = <p title="a\\b &amp; c">x &lt; y &copy;</p>;')
    assert 'h("p", { title: "a\\\\b & c" }, "x < y \u00a9")' in js


def test_closing_tag_and_greater_comparison_in_tsx() -> None:
    js = emit_tsx("const ok = (n: number) => n >= 1 && n <= 3;\nconst a = <ul>{[1].map((i) => <li>{i}</li>)}</ul>;")
    assert 'h("ul", null, [1].map((i) => h("li", null, i)))' in js


@needs_node
def test_rendering_rules_with_the_prelude_stand_in() -> None:
    js = compile_ok(
        "function Badge(props: { label: string; children?: unknown }) {\n"
        '  return <span className="badge">{props.label}: {props.children}</span>;\n'
        "}\n"
        "export function handler(req: Request): Response {\n"
        "  const page = (\n"
        "    <div id=\"x\" title={'a\"b\\'c'} hidden={false} checked onClick={() => 1}>\n"
        '      <Badge label="<n>">{3}{true}{undefined}</Badge>\n'
        '      <img src="/a.png" />\n'
        "      <style>{'a > b {}'}</style>\n"
        "      {['x', ['y']]}\n"
        "    </div>\n"
        "  );\n"
        "  return Response.html(renderToString(page));\n"
        "}\n",
        "page.tsx",
    ).js
    out = run_js(js, request("/"))
    assert out["response"]["body"] == (
        '<div id="x" title="a&quot;b&#x27;c" checked><span class="badge">&lt;n&gt;: 3</span>'
        '<img src="/a.png" /><style>a > b {}</style>xy</div>'
    )


def test_single_space_between_elements_is_kept_once() -> None:
    js = emit_tsx("const a = <p><b>x</b> <i>y</i>{' '}<u>z</u></p>;")
    assert 'h("p", null, h("b", null, "x"), " ", h("i", null, "y"), \' \', h("u", null, "z"))' in js
