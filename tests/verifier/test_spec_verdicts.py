"""`verify`, `build` and `serve` give one verdict on a declared `Spec<...>` (ZTS500-502), from one function."""

from __future__ import annotations

import re
from pathlib import Path

from verifier_helpers import locate, verify_text

from tests.support.server import free_port, run_cli
from zigttp.contract.derive import derive

HANDLER = (
    'import type { Spec } from "zigttp:types";\n'
    'type Promises = Spec<"deterministic" | "read_olny">;\n'
    "function handler(req: Request): Response & Promises {\n"
    "  return Response.json({ at: Date.now() });\n"
    "}\n"
)


def _spec_lines(text: str) -> list[str]:
    return sorted(set(re.findall(r"ZTS50\d [^\n]*\n\s*--> [^\n]*", text)))


def test_verify_reports_what_build_reports(tmp_path: Path) -> None:
    result = verify_text(tmp_path, HANDLER)
    assert not result.ok
    found = [(d.code, d.line, d.column, d.message, d.suggestion) for d in result.diagnostics
             if d.code.startswith("ZTS50")]
    derived = derive(tmp_path / "handler.ts", emit=False)
    built = [(d.code, d.line, d.column, d.message, d.suggestion) for d in derived.diagnostics
             if d.code.startswith("ZTS50")]
    assert found == built
    assert [(c, (line, col)) for c, line, col, _, _ in found] == [
        ("ZTS500", locate(HANDLER, '"deterministic"')), ("ZTS502", locate(HANDLER, '"read_olny"'))]
    assert found[1][3:] == ("unknown Spec property 'read_olny'", "did you mean `read_only`?")


def test_verify_build_and_serve_agree_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "handler.ts"
    path.write_text(HANDLER, encoding="utf-8")
    verified = run_cli("verify", str(path))
    built = run_cli("build", str(path), "-o", str(tmp_path / "out"), "-Dverify")
    served = run_cli("serve", str(path), "--port", str(free_port()), timeout=120)
    assert (verified.returncode, built.returncode, served.returncode) == (1, 1, 1)
    expected = _spec_lines(verified.stdout + verified.stderr)
    assert len(expected) == 2, verified.stdout
    assert _spec_lines(built.stderr) == expected
    assert _spec_lines(served.stdout + served.stderr) == expected
    assert "refusing to serve it" in served.stdout + served.stderr


def test_a_discharged_spec_verifies_everywhere(tmp_path: Path) -> None:
    source = HANDLER.replace(' | "read_olny"', "").replace("Date.now()", "1")
    result = verify_text(tmp_path, source)
    assert result.ok and not result.diagnostics, result.render_text()
