from __future__ import annotations

import re
from pathlib import Path

from zts_helpers import compile_ok, needs_node, request, run_js

from zigttp.compiler import compile_file

SOURCE = "type Req = Request;\n\nfunction handler(req: Req): Response {\n  const user = { name: 'x' } as unknown;\n"


def test_entry_positions_map_to_themselves() -> None:
    result = compile_ok(
        "type A = { a: number };\n"
        "function handler(req: Request): Response {\n"
        "  const value: number = compute(req.path);\n"
        "  return Response.json({ value });\n"
        "}\n"
    )
    js_lines = result.js.split("\n")
    line = js_lines[2]
    column = line.index("compute") + 1
    assert result.line_map.lookup(3, column) == ("handler.ts", 3, 25)
    path_column = line.index("path") + 1
    assert result.line_map.lookup(3, path_column) == ("handler.ts", 3, 37)
    assert result.line_map.lookup(4, 3) == ("handler.ts", 4, 3)


def test_positions_inside_dependencies_map_to_their_file(tmp_path: Path) -> None:
    (tmp_path / "dep.ts").write_text("export function f(x: number): number {\n  return g(x) * 2;\n}\n")
    (tmp_path / "handler.ts").write_text(
        "import { f } from './dep.ts';\nfunction handler(req: Request) { return f(1); }\n"
    )
    result = compile_file(tmp_path / "handler.ts")
    js_lines = result.js.split("\n")
    [index] = [i for i, text in enumerate(js_lines) if "return g(x)" in text]
    column = js_lines[index].index("g(x)") + 1
    assert result.line_map.lookup(index + 1, column) == (str(tmp_path / "dep.ts"), 2, 10)


def test_lookup_before_any_segment_and_empty_map() -> None:
    result = compile_ok("\n\nfunction handler(req: Request) { return 1; }")
    assert result.line_map.lookup(1, 1) is None
    assert result.line_map.lookup(3, 1) == ("handler.ts", 3, 1)
    assert result.line_map.lookup(99, 1) is not None


@needs_node
def test_node_runtime_error_maps_back_to_the_original_source(tmp_path: Path) -> None:
    (tmp_path / "dep.ts").write_text(
        "type T = { deep: { value: number } };\n"
        "export function read(x: T | undefined): number {\n"
        "  const v: number = x!.deep.value;\n"
        "  return v;\n"
        "}\n"
    )
    (tmp_path / "handler.tsx").write_text(
        "import { read } from './dep.ts';\n"
        "function handler(req: Request): Response {\n"
        "  return Response.text(`${read(undefined)}`);\n"
        "}\n"
    )
    result = compile_file(tmp_path / "handler.tsx")
    out = run_js(result.js, request())
    assert not out["ok"]
    frames = re.findall(r"\.mjs:(\d+):(\d+)", str(out["stack"]))
    line, column = (int(n) for n in frames[0])
    assert result.line_map.lookup(line, column) == (str(tmp_path / "dep.ts"), 3, 24)
    caller_line, caller_column = (int(n) for n in frames[1])
    assert result.line_map.lookup(caller_line, caller_column)[:2] == (str(tmp_path / "handler.tsx"), 3)


def test_to_dict_is_json_friendly() -> None:
    result = compile_ok("function handler(req: Request) { return 1; }")
    data = result.line_map.to_dict()
    assert data["files"] == ["handler.ts"]
    assert [1, 1, 0, 1, 1] in data["segments"]  # type: ignore[operator]
