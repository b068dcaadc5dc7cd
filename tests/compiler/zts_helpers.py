"""Test helpers for the compiler suite.

`run_js` executes emitted JavaScript under Node with a small stand-in for the
guest prelude (Response, h/Fragment/renderToString per upstream §2.5, range,
Result). It is a development aid only: guest execution through the real WASM
sandbox is tested by the host suite. Tests using it are skipped without node.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from zigttp.compiler import CompileResult, compile_source

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")

HANDLER_TAIL = '\nfunction handler(req) { return Response.text("ok"); }\n'

# the prelude joins into one line: no // comments. __zt_obj stands in for the guest prelude's maker of
# compiled object literals (guest/qjs_unity.c zigttp_object_like).
PRELUDE = r"""
const __zt_escape = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const __zt_escape_attr = (s) =>
  String(s).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
const __zt_void = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
  "param",
  "source", "track", "wbr"]);
function Fragment() {}
function __zt_obj(keeper, ...values) {
  const o = {}; Object.keys(keeper).forEach((k, i) => { o[k] = values[i]; }); return o;
}
function h(tag, props, ...children) { return { tag, props: props || {}, children }; }
function renderToString(node) {
  if (node === null || node === undefined || typeof node === "boolean") return "";
  if (typeof node === "string") return __zt_escape(node);
  if (typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(renderToString).join("");
  if (node.tag === Fragment) return renderToString(node.children);
  if (typeof node.tag === "function") {
    return renderToString(node.tag({ ...node.props, children: node.children }));
  }
  let attrs = "";
  for (const [key, value] of Object.entries(node.props)) {
    if (key === "children" || key.startsWith("on")) continue;
    if (value === false || value === undefined || value === null) continue;
    const name = key === "className" ? "class" : key;
    attrs += value === true ? ` ${name}` : ` ${name}="${__zt_escape_attr(value)}"`;
  }
  if (__zt_void.has(node.tag)) return `<${node.tag}${attrs} />`;
  const raw = node.tag === "script" || node.tag === "style";
  const inner = raw ? node.children.flat(Infinity).join("") : renderToString(node.children);
  return `<${node.tag}${attrs}>${inner}</${node.tag}>`;
}
function __zt_response(body, init, type) {
  const headers = { "content-type": type, ...((init && init.headers) || {}) };
  return { body, status: (init && init.status) || 200, headers };
}
const Response = {
  json: (data, init) =>
    __zt_response(JSON.stringify(data === undefined ? {} : data), init, "application/json"),
  text: (text, init) => __zt_response(String(text), init, "text/plain; charset=utf-8"),
  html: (html, init) => __zt_response(String(html), init, "text/html; charset=utf-8"),
  redirect: (url, status) => ({ body: "", status: status || 302, headers: { location: url } }),
};
function range(a, b, step) {
  const [start, end] = b === undefined ? [0, a] : [a, b];
  const out = [];
  for (let i = start; i < end; i += step || 1) out.push(i);
  return out;
}
"""

DRIVER = r"""
const __zt_req = REQUEST;
__zt_req.headers = { ...(__zt_req.headers || {}), get(name) { return this[name.toLowerCase()]; } };
try {
  const res = handler(__zt_req);
  console.log(JSON.stringify({ ok: true, response: res }));
} catch (error) {
  const message = String(error && error.message);
  console.log(JSON.stringify({ ok: false, error: message, stack: String(error && error.stack) }));
}
"""

_VIRTUAL_IMPORT = re.compile(r'import \{ ([^}]*) \} from "zigttp:(\w+)";')


def _replace_virtual_import(match: re.Match[str]) -> str:
    names = ", ".join(part.replace(" as ", ": ") for part in (p.strip() for p in match.group(1).split(",")) if part)
    return f"const {{ {names} }} = __zt_virtual[{json.dumps(match.group(2))}];"


def request(
    path: str = "/",
    method: str = "GET",
    headers: dict[str, str] | None = None,
    query: dict[str, object] | None = None,
) -> dict[str, object]:
    return {"method": method, "path": path, "url": path, "headers": headers or {}, "query": query or {}}


def run_js(js: str, req: dict[str, object] | None = None, virtual: str = "{}") -> dict[str, object]:
    """Run an emitted module's handler under Node; returns the parsed driver output.

    Virtual-module imports are rewritten to reads from `virtual`, a JS object
    literal such as `{ env: { env: (k) => "x" } }`. The prelude and the
    import stand-ins are put on the first line so emitted line numbers stay
    exact (the line map is tested against Node stack traces).
    """
    assert NODE is not None
    lines = js.split("\n")
    rewritten = [_VIRTUAL_IMPORT.sub(_replace_virtual_import, line) for line in lines]
    body = "\n".join(rewritten).replace("export {", "const __zt_exports = {").replace("export function", "function")
    body = re.sub(r"const __zt_exports = \{ ([^}]*) \};", lambda m: _export_aliases(m.group(1)), body)
    prelude = " ".join(line.strip() for line in PRELUDE.strip().splitlines())
    header = f"const __zt_virtual = {virtual}; {prelude}"
    driver = DRIVER.replace("REQUEST", json.dumps(req or request()))
    program = header + " " + body + "\n" + driver
    with tempfile.NamedTemporaryFile("w", suffix=".mjs", delete=False, encoding="utf-8") as handle:
        handle.write(program)
        path = handle.name
    try:
        completed = subprocess.run([NODE, path], capture_output=True, text=True, timeout=30, check=False)
    finally:
        os.unlink(path)
    if completed.returncode != 0:
        raise AssertionError(f"node failed:\n{completed.stderr}\n--- program ---\n{program}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _export_aliases(names: str) -> str:
    parts = []
    for part in (p.strip() for p in names.split(",")):
        if " as " in part:
            local, exported = (x.strip() for x in part.split(" as "))
            if exported != "default" and exported != local:
                parts.append(f"const {exported} = {local};")
    return " ".join(parts) or ";"


def compile_ok(source: str, filename: str = "handler.ts") -> CompileResult:
    result = compile_source(source, filename)
    assert result.ok, "\n" + result.render_text()
    assert not any(d.code == "ZTS999" for d in result.diagnostics)
    return result


def errors(source: str, filename: str = "handler.ts") -> list[tuple[str, str, int, int]]:
    """(code, full message, line, column) of every diagnostic except 'no handler'."""
    result = compile_source(source, filename)
    assert not any(d.code == "ZTS999" for d in result.diagnostics), result.render_text()
    return [(d.code, d.full_message, d.line, d.column) for d in result.diagnostics if d.code != "ZTS038"]
