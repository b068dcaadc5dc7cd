"""`zigttp verify` / `zigttp check`: proof card, JSON envelope, exit codes 0/1/2, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from verifier_helpers import require_export

from zigttp.cli import main

REPO = Path(__file__).resolve().parents[2]
HELLO = REPO / "examples/hello.ts"

MISSING_RETURN = (
    "export function handler(req: Request): Response {\n"
    "  if (req.method === \"GET\") {\n    return Response.text(\"ok\");\n  }\n}\n"
)
WARNING_ONLY = (
    "export function handler(req: Request): Response {\n  const unused = 1;\n  return Response.text(\"ok\");\n}\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_verified_handler_prints_card_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "verify", str(HELLO))
    assert code == 0
    assert out.startswith(f"verify: {HELLO}")
    assert "Parse.................. OK" in out
    last = out.rstrip("\n").splitlines()[-1]
    assert last == "→ all code paths verified ✓ (1 execution path)"


def test_check_is_an_alias(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(HELLO))
    assert code == 0
    assert "→ all code paths verified ✓" in out


def test_errors_exit_1_with_ruff_style_diagnostics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler = tmp_path / "bad.ts"
    handler.write_text(MISSING_RETURN)
    code, out, _ = run(capsys, "verify", str(handler))
    assert code == 1
    assert "ZTS302 not all code paths return a Response" in out
    assert f" --> {handler}:1:17" in out
    assert "1 | export function handler(req: Request): Response {" in out
    assert "  |                 ^^^^^^^" in out
    assert "= help: ensure every branch" in out
    assert "all code paths verified" not in out


def test_warnings_only_still_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler = tmp_path / "warn.ts"
    handler.write_text(WARNING_ONLY)
    code, out, _ = run(capsys, "verify", str(handler))
    assert code == 0
    assert "ZTS305" in out and "0 errors, 1 warning" in out
    assert out.rstrip().splitlines()[-1].startswith("→ all code paths verified ✓")


def test_json_envelope(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler = tmp_path / "bad.ts"
    handler.write_text(MISSING_RETURN)
    code, out, _ = run(capsys, "verify", "--json", str(handler))
    assert code == 1
    data = json.loads(out)
    assert data["success"] is False
    assert data["proof"]["properties"]["exhaustive_returns"] is False
    assert data["proof"]["paths"] == {"count": 2, "exhaustive": True}  # the return, and falling off the end
    (diagnostic,) = data["diagnostics"]
    assert diagnostic == {
        "code": "ZTS302",
        "severity": "error",
        "message": "not all code paths return a Response",
        "file": str(handler),
        "line": 1,
        "column": 17,
        "suggestion": "ensure every branch (if/else, match/default) ends with a return statement",
    }
    code, out, _ = run(capsys, "verify", "--json", str(HELLO))
    assert code == 0 and json.loads(out)["success"] is True


def test_strict_adds_the_canonical_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler = tmp_path / "style.ts"
    handler.write_text("export function handler(req: Request): Response {\n"
                       "  return Response.text(req.method === \"GET\" ? \"r\" : \"w\");\n}\n")
    code, out, _ = run(capsys, "verify", str(handler))
    assert code == 0 and "ZTS612" not in out and "skipped (use --strict)" in out
    code, out, _ = run(capsys, "verify", "--strict", str(handler))
    assert code == 1 and "ZTS612 ternary expression is not part of canonical ZigTS" in out


def test_parse_errors_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler = tmp_path / "syntax.ts"
    handler.write_text("export function handler(req: Request): Response {\n  while (true) {}\n}\n")
    code, out, _ = run(capsys, "verify", str(handler))
    assert code == 1
    assert "ZTS001 'while' is not supported" in out and "Parse.................. FAIL" in out


@pytest.mark.parametrize("target", ["does/not/exist.ts", "."])
def test_unreadable_input_exits_2(capsys: pytest.CaptureFixture[str], target: str) -> None:
    code, out, err = run(capsys, "verify", target)
    assert code == 2
    assert err.startswith("error: cannot read") and not out


def test_undecodable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    handler = tmp_path / "latin1.ts"
    handler.write_bytes(b"export function handler(req) { return Response.text('\xe9'); }\n")
    code, _, err = run(capsys, "verify", str(handler))
    assert code == 2
    assert "cannot read file" in err and "Traceback" not in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["verify"])
    assert exit_info.value.code == 2


def test_sql_schema_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "verify", "--sql-schema", str(tmp_path / "none.sql"), str(HELLO))
    assert code == 2 and "cannot read SQL schema" in err
    broken = tmp_path / "broken.sql"
    broken.write_text("CREATE TABLE (;")
    code, _, err = run(capsys, "verify", "--sql-schema", str(broken), str(HELLO))
    assert code == 2 and "does not load" in err


def test_sql_statements_are_checked_against_the_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_export("zigttp:sql", "sql")
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n")
    handler = tmp_path / "users.ts"
    handler.write_text(
        'import { sql } from "zigttp:sql";\n'
        'sql("byId", "SELECT id, name FROM users WHERE id = :id");\n'
        'sql("broken", "SELECT email FROM users");\n'
        "export function handler(req: Request): Response {\n  return Response.text(\"ok\");\n}\n"
    )
    code, out, _ = run(capsys, "verify", "--sql-schema", str(schema), str(handler))
    assert code == 1
    assert "ZTS330 sql statement 'broken' does not prepare against the schema: no such column: email" in out
    assert f"{handler}:3:15" in out
    assert "'byId'" not in out


def test_real_command_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "zigttp.cli", "check", str(HELLO)], capture_output=True,
                          text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert "→ all code paths verified ✓" in proc.stdout
