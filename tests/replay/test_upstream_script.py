"""scripts/upstream_examples.py on a checkout shaped like upstream's, and on the real one if ZIGTTP_UPSTREAM is set."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .support import REPO


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("upstream_examples", REPO / "scripts" / "upstream_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()

OK = 'export function handler(req: Request): Response {\n  return Response.text("ok " + req.path);\n}\n'
REFUSED = ('import { env } from "zigttp:env";\n'
           'export function handler(req: Request): Response {\n  return Response.json({ name: env("N") });\n}\n')
OK_TESTS = '{"type":"test","name":"ok"}\n{"type":"request","url":"/x","headers":{},"body":null}\n' \
           '{"type":"expect","status":200,"body":"ok /x"}\n'
REFUSED_TESTS = '{"type":"test","name":"stubbed"}\n{"type":"request","url":"/"}\n' \
                '{"type":"io","seq":0,"module":"env","fn":"env","args":["N"],"result":"ada"}\n' \
                '{"type":"expect","status":200,"bodyContains":"ada"}\n'
FAILING_TESTS = OK_TESTS + '{"type":"test","name":"wrong | status"}\n{"type":"request","url":"/y"}\n' \
                           '{"type":"expect","status":404}\n'


def _checkout(root: Path, *, with_script: bool) -> Path:
    files = {"examples/handler/handler.ts": OK, "examples/handler/handler-ts.test.jsonl": OK_TESTS,
             "examples/routing/router.ts": REFUSED, "examples/routing/router.test.jsonl": REFUSED_TESTS,
             "examples/fetch/fails.ts": OK, "examples/fetch/fails.test.jsonl": FAILING_TESTS}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    if with_script:
        (root / "scripts").mkdir()
        (root / "scripts" / "test-examples.sh").write_text(
            'echo "Example Handler Tests"\n'
            'run_tests_with_args "examples/handler/handler.ts"  "examples/handler/handler-ts.test.jsonl"\n'
            'run_tests_with_args "examples/routing/router.ts" "examples/routing/router.test.jsonl"\n'
            'run_tests_with_args "examples/fetch/fails.ts" "examples/fetch/fails.test.jsonl"\n')
    return root


def test_the_table_has_a_row_per_suite_and_a_reason_per_failing_case(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    root = _checkout(tmp_path / "up", with_script=True)
    assert SCRIPT.main([str(root)]) == 1  # one failing case nobody explained
    table = capsys.readouterr().out.splitlines()
    assert table[:2] == ["| suite | cases | passed | failed | notes |", "|---|---:|---:|---:|---|"]
    assert table[2] == "| `handler/handler-ts` | 1 | 1 | 0 |  |"
    assert table[3].startswith("| `routing/router` | 1 | 1 | 0 | run with --no-verify: our verifier refuses the "
                               "handler (ZTS308); `env(\"APP_NAME\")` may be undefined")
    assert table[4] == "| `fetch/fails` | 2 | 1 | 1 | 1 failing, below |"
    assert table[5] == "| **3 suites** | **4** | **3** | **1** | |"
    assert ("| `fetch/fails` | wrong \\| status | `expected status: 404, actual status: 200` "
            "| not yet explained |") in table
    assert table[-3:] == ["| `routing/router` | stubbed | pass |", "| `fetch/fails` | ok | pass |",
                          "| `fetch/fails` | wrong \\| status | **fail** |"]


def test_a_known_reason_makes_the_run_succeed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(SCRIPT.NOTES, ("fetch/fails", "wrong | status"), "a reason")
    assert SCRIPT.main([str(_checkout(tmp_path / "up", with_script=True))]) == 0
    assert "| a reason |" in capsys.readouterr().out


def test_without_upstreams_script_the_suites_are_found_by_name(tmp_path: Path) -> None:
    root = _checkout(tmp_path / "up", with_script=False)
    assert SCRIPT.suites(root) == [
        ("examples/fetch/fails.ts", "examples/fetch/fails.test.jsonl"),
        ("examples/handler/handler.ts", "examples/handler/handler-ts.test.jsonl"),
        ("examples/routing/router.ts", "examples/routing/router.test.jsonl")]


def test_not_a_checkout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert SCRIPT.main([str(tmp_path)]) == 2
    assert "has no examples/ directory" in capsys.readouterr().err


@pytest.mark.skipif(not os.environ.get("ZIGTTP_UPSTREAM"),
                    reason="set ZIGTTP_UPSTREAM to a checkout of srdjan/zigttp at cbf0739e")
def test_upstreams_nineteen_suites(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(REPO)
    assert SCRIPT.main([os.environ["ZIGTTP_UPSTREAM"]]) == 0
    assert "| **19 suites** | **64** | **62** | **2** | |" in capsys.readouterr().out
