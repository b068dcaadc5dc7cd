from __future__ import annotations

from pathlib import Path

from zts_helpers import needs_node, request, run_js

from zigttp.compiler import compile_file, compile_source


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_local_imports_are_bundled_in_dependency_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "handler.ts": "import { b } from './b.ts';\nimport { a } from './lib/a';\n"
            "export function handler(req: Request) { return Response.text(a() + b()); }\n",
            "b.ts": "import { a } from './lib/a.ts';\nexport function b(): string { return 'b' + a(); }\n",
            "lib/a.ts": "import { env } from 'zigttp:env';\nexport const a = (): string => env('A') ?? 'a';\n"
            "export type Unused = number;\n",
        },
    )
    result = compile_file(tmp_path / "handler.ts")
    assert result.ok, result.render_text()
    assert result.files == [str(tmp_path / "handler.ts"), str(tmp_path / "b.ts"), str(tmp_path / "lib/a.ts")]
    program = result.program
    assert [Path(m.path).name for m in program.modules] == ["a.ts", "b.ts", "handler.ts"]  # type: ignore[attr-defined]
    js = result.js
    # Virtual imports needed only by dependencies share line 1 with the entry's first line.
    assert js.startswith(
        'import { env as __zt_v_env__env } from "zigttp:env"; const { b } = __zt_load_2();\n'
        "const { a } = __zt_load_1();\n"
    )
    assert "const env = __zt_v_env__env;" in js
    assert js.count("function __zt_load_") == 2


@needs_node
def test_module_scope_runs_once_in_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "handler.ts": "import { log } from './log.ts';\nimport { two } from './two.ts';\nlog.push('entry');\n"
            "export function handler(req: Request) { return Response.json(log.concat([two])); }\n",
            "log.ts": "export const log: string[] = ['log'];\n",
            "two.ts": "import { log } from './log.ts';\nlog.push('two');\nexport const two = 2;\n",
        },
    )
    result = compile_file(tmp_path / "handler.ts")
    out = run_js(result.js, request())
    assert out["response"]["body"] == '["log","two","entry",2]'


def test_import_cycle_reported_with_path(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "handler.ts": "import { a } from './a.ts';\nexport function handler(req: Request) { return a; }\n",
            "a.ts": "import { b } from './b.ts';\nexport const a = 1;\n",
            "b.ts": "import { a } from './a.ts';\nexport const b = 2;\n",
        },
    )
    result = compile_file(tmp_path / "handler.ts")
    assert not result.ok
    [cycle] = [d for d in result.diagnostics if "cycle" in d.message]
    assert cycle.code == "ZTS037"
    assert cycle.file.endswith("b.ts") and (cycle.line, cycle.column) == (1, 19)
    assert cycle.message.endswith("a.ts -> " + str(tmp_path / "b.ts") + " -> " + str(tmp_path / "a.ts"))


def test_forbidden_specifiers_name_the_allowed_ones() -> None:
    for specifier in ("fs", "npm:left-pad", "node:fs", "https://x.dev/m.js", "/abs/path.ts"):
        result = compile_source(f"import {{ x }} from '{specifier}';\nfunction handler() {{ return x; }}")
        [diagnostic] = result.diagnostics
        assert diagnostic.code == "ZTS037"
        assert diagnostic.message == f"import of '{specifier}' is not allowed"
        assert diagnostic.suggestion is not None
        assert "'./utils.ts'" in diagnostic.suggestion and "'zigttp:env'" in diagnostic.suggestion


def test_unknown_virtual_module_and_missing_file(tmp_path: Path) -> None:
    result = compile_source("import { x } from 'zigttp:nope';\nfunction handler() { return x; }")
    assert result.diagnostics[0].message == "unknown virtual module 'zigttp:nope'"
    write(tmp_path, {"handler.ts": "import { x } from './missing.ts';\nfunction handler() { return x; }\n"})
    result = compile_file(tmp_path / "handler.ts")
    assert result.diagnostics[0].full_message == (
        "cannot resolve import './missing.ts': no such file; check the path, relative to the importing file"
    )


def test_a_name_a_virtual_module_does_not_export_is_refused_with_a_suggestion() -> None:
    # the guest refuses such an import at load; it must not verify
    result = compile_source("import { log, logInfo } from 'zigttp:log';\nimport { sha265 } from 'zigttp:crypto';\n"
                            "export function handler(req: Request): Response { return Response.text('x'); }\n")
    found = [(d.code, d.line, d.column, d.message, d.suggestion) for d in result.diagnostics]
    assert found[0][:4] == ("ZTS037", 1, 10, "'zigttp:log' has no export 'log'")
    assert found[0][4] == "it exports logDebug, logError, logInfo, logWarn"
    assert found[1][:4] == ("ZTS037", 2, 10, "'zigttp:crypto' has no export 'sha265'")
    assert found[1][4] == "did you mean 'sha256'?"
    assert len(found) == 2
    ok = compile_source("import type { Spec } from 'zigttp:types';\nimport { pipe } from 'zigttp:compose';\n"
                        "export function handler(req: Request): Response { return Response.text('x'); }\n")
    assert not [d for d in ok.diagnostics if "has no export" in d.message]


def test_errors_in_dependencies_are_reported_against_their_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "handler.ts": "import { f } from './dep.ts';\nfunction handler(req: Request) { return f(); }\n",
            "dep.ts": "export function f() {\n  while (true) {}\n}\n",
        },
    )
    result = compile_file(tmp_path / "handler.ts")
    [diagnostic] = result.diagnostics
    assert (Path(diagnostic.file).name, diagnostic.line, diagnostic.column) == ("dep.ts", 2, 3)


def test_virtual_imports_are_deduplicated_across_the_bundle(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "handler.ts": "import { env } from 'zigttp:env';\nimport { g } from './g.ts';\n"
            "function handler(req: Request) { return Response.text(env('X') + g()); }\n",
            "g.ts": "import { env } from 'zigttp:env';\nexport function g() { return env('Y'); }\n",
        },
    )
    js = compile_file(tmp_path / "handler.ts").js
    assert js.count('from "zigttp:env"') == 1
    assert 'import { env as __zt_v_env__env, env } from "zigttp:env";' in js


def test_missing_entry_file_is_zts000(tmp_path: Path) -> None:
    result = compile_file(tmp_path / "nope.ts")
    assert [d.code for d in result.diagnostics] == ["ZTS000"]
