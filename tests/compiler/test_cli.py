from __future__ import annotations

import io
import json
from pathlib import Path

from zigttp.compiler.cli import main, run_compile


def test_compile_writes_output_file(tmp_path: Path) -> None:
    handler = tmp_path / "h.ts"
    handler.write_text("function handler(req: Request): Response { return Response.text('hi'); }\n")
    out = tmp_path / "out.js"
    assert main([str(handler), "-o", str(out)]) == 0
    assert "export { handler };" in out.read_text()


def test_compile_reports_diagnostics(tmp_path: Path) -> None:
    import argparse

    handler = tmp_path / "h.ts"
    handler.write_text("function handler(req) { while (1) {} }\n")
    stdout, stderr = io.StringIO(), io.StringIO()
    args = argparse.Namespace(handler=str(handler), output=None, json=True, strict=False)
    assert run_compile(args, stdout, stderr) == 1
    assert json.loads(stderr.getvalue())[0]["code"] == "ZTS001"
    assert stdout.getvalue() == ""
    args.json = False
    stderr = io.StringIO()
    run_compile(args, stdout, stderr)
    assert "= help: use 'for-of'" in stderr.getvalue() and "1 error, 0 warnings" in stderr.getvalue()
