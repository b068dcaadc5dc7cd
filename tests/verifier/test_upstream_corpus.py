"""Agreement with upstream's verify corpus (`tests/verify/` at srdjan/zigttp cbf0739e).

Upstream states its expectations in `tests/verify/run_tests.sh`: each handler
must pass `zigttp check`, fail it with a given message, or report a given
warning with 0 errors (the script also runs two `examples/handler/` files).
`tests/verifier/corpus_upstream/` holds our own small handlers, reconstructed
from what each upstream case tests (nothing of upstream is copied), plus a few
variants that isolate one rule from a known hole.

Each file ends with comment lines:

* `// verdict: pass|fail` — `ok` of the result (warnings allowed on a pass);
* `// expect: CODE@line:col ... CODE` — exactly the diagnostics we must
  report (upstream's where we agree, our documented ones where we deliberately
  differ; a bare `CODE` matches any position);
* `// xfail: reason` — the case hits a known hole; the test is a strict xfail
  and flips when the hole is fixed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from zigttp.cli import main
from zigttp.verifier import VerifyResult, verify_file

CORPUS = Path(__file__).resolve().parent / "corpus_upstream"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".ts", ".tsx", ".js", ".jsx"))

Expectation = tuple[str, int | None, int | None]


def _meta(path: Path, key: str) -> str | None:
    prefix = f"// {key}:"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(prefix):
            return line.removeprefix(prefix).strip()
    return None


def _parse(items: str) -> list[Expectation]:
    out: list[Expectation] = []
    for item in items.split():
        code, _, position = item.partition("@")
        if position:
            line_no, _, column = position.partition(":")
            out.append((code, int(line_no), int(column)))
        else:
            out.append((code, None, None))
    return out


def expected(path: Path) -> list[Expectation]:
    items = _meta(path, "expect")
    if items is None:
        raise AssertionError(f"{path.name} has no '// expect:' line")
    return _parse(items)


def verdict(path: Path) -> bool:
    value = _meta(path, "verdict")
    assert value in ("pass", "fail"), f"{path.name}: '// verdict:' must be pass or fail"
    return value == "pass"


def _found(result: VerifyResult) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in result.diagnostics]


def _matches(want: list[Expectation], found: list[tuple[str, int, int]]) -> bool:
    """Every expectation matches a distinct diagnostic and nothing is left over."""
    remaining = list(found)
    for code, line, column in want:
        for index, (f_code, f_line, f_column) in enumerate(remaining):
            if f_code == code and (line is None or (f_line, f_column) == (line, column)):
                del remaining[index]
                break
        else:
            return False
    return not remaining


def _param(path: Path) -> pytest.param:
    reason = _meta(path, "xfail")
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(path, id=path.name, marks=marks)


def test_corpus_covers_every_upstream_case() -> None:
    referenced = {
        name
        for path in FILES
        for name in re.findall(r"(?:tests/verify|examples/handler)/[\w-]+\.ts",
                               path.read_text(encoding="utf-8").splitlines()[0])
    }
    upstream = {
        f"tests/verify/{name}.ts"
        for name in (
            "checked_result", "correct_handler", "correct_if_else", "missing_return_else",
            "non_exhaustive_match", "optional_narrowed_negated", "optional_narrowed_truthiness",
            "optional_narrowed_undefined", "optional_nullish_coalesce", "optional_object_access",
            "unchecked_optional", "unchecked_result", "unreachable_code", "unused_variable",
        )
    } | {"examples/handler/spec-guardrails.ts", "examples/handler/handler.ts"}
    assert upstream <= referenced, sorted(upstream - referenced)


@pytest.mark.parametrize("path", [_param(p) for p in FILES])
def test_upstream_case(path: Path) -> None:
    result = verify_file(path)
    assert "ZTS999" not in {d.code for d in result.diagnostics}, result.render_text()
    assert result.ok is verdict(path), result.render_text()
    assert _matches(expected(path), _found(result)), result.render_text()


def test_missing_return_does_not_fail_a_declared_result_safe() -> None:
    """Deliberate: result_safe means "no unchecked Result" (per rule), so a missing return is ZTS302 only.

    Upstream sets result_safe/optional_safe false whenever the handler verifier reports any error, and
    also reports ZTS500 for the declared Spec<"result_safe"> here (docs/verification.md, Differences).
    """
    result = verify_file(CORPUS / "returns_if_without_else.ts")
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("ZTS302", 8, 10)]
    assert result.properties is not None and result.properties.flags()["result_safe"] is True
    assert result.obligations is not None and result.obligations.spec.declared == ["result_safe"]


def test_unused_variable_message_names_the_variable() -> None:
    """Deliberate: upstream's message is the generic 'declared variable is never used'."""
    result = verify_file(CORPUS / "unused_local.ts")
    assert [d.message for d in result.diagnostics] == ["declared variable 'greeting' is never used"]
    assert [d.severity for d in result.diagnostics] == ["warning"]


def test_match_without_default_is_zts307_error_with_or_without_strict() -> None:
    """Deliberate: upstream reports ZTS603 (strict profile, on by default) plus a ZTS205 warning."""
    for strict in (False, True):
        result = verify_file(CORPUS / "match_no_default.ts", strict=strict)
        assert [(d.code, d.severity) for d in result.diagnostics] == [("ZTS307", "error")]


@pytest.mark.parametrize("path", [p for p in FILES if not _meta(p, "xfail")],
                         ids=[p.name for p in FILES if not _meta(p, "xfail")])
def test_upstream_case_is_unchanged_by_strict(path: Path) -> None:
    """Upstream's `check` always runs the strict profile; none of these cases trips a ZTS6xx rule."""
    result = verify_file(path, strict=True)
    assert not [d for d in result.diagnostics if d.code.startswith("ZTS6")], result.render_text()
    assert _matches(expected(path), _found(result)), result.render_text()


@pytest.mark.parametrize(("name", "exit_code"), [
    ("returns_trailing.ts", 0),
    ("unreachable_after_return.ts", 0),   # upstream `check` exits 2 on warnings only
    ("unused_local.ts", 0),               # likewise
    ("returns_if_without_else.ts", 1),
    ("match_no_default.ts", 1),
])
def test_cli_exit_code_and_json_envelope(name: str, exit_code: int,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / name
    assert main(["verify", "--json", str(path)]) == exit_code
    envelope = json.loads(capsys.readouterr().out)
    assert envelope["success"] is (exit_code == 0)
    assert _matches(expected(path), [(d["code"], d["line"], d["column"]) for d in envelope["diagnostics"]])
