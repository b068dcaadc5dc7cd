"""Bad input never produces a traceback, and a checker bug is one ZTS999 diagnostic, not a crash."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from zigttp.verifier import verify_source

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SEEDS = sorted((HERE / "corpus").glob("*.ts")) + sorted((REPO / "examples").rglob("*.ts"))


def test_a_crashing_checker_becomes_zts999(monkeypatch: pytest.MonkeyPatch) -> None:
    import zigttp.verifier.api as api

    def explode(ctx: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(api, "check_unused", explode)
    source = "export function handler(req: Request): Response {\n  return Response.text(req.path.lenght);\n}\n"
    result = verify_source(source, "h.ts")
    internal = [d for d in result.diagnostics if d.code == "ZTS999"]
    assert len(internal) == 1
    assert internal[0].message == "internal compiler error: unused variables: KeyError: 'boom'"
    assert "ZTS201" in {d.code for d in result.diagnostics}  # the other checkers still ran
    assert not result.ok


def test_deep_nesting_is_not_a_traceback() -> None:
    depth = 400
    expression = "(" * depth + "1" + ")" * depth
    source = f"export function handler(req: Request): Response {{\n  return Response.json({{ v: {expression} }});\n}}\n"
    result = verify_source(source, "deep.ts")
    assert result.diagnostics is not None


_SWAPS = [("===", "!=="), ("!==", "==="), ("&&", "||"), ("??", "&&"), ("return ", "const r = "),
          (".ok", ".value"), ("const ", "let "), ("string", "number"), ("Response.json(", "("), ("if (", "if (!"),
          ("?.", "."), ("(", "(undefined, "), ("[]", "[1]"), ("true", "undefined"), (": Response", "")]


def _mutants(count: int) -> list[tuple[str, str]]:
    """Line-level and operator-level edits: most still parse, so every checker sees odd but valid code."""
    rng = random.Random(20240605)
    out = []
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in SEEDS]
    for i in range(count):
        name, text = texts[i % len(texts)]
        lines = text.split("\n")
        for _ in range(rng.randint(1, 3)):
            op = rng.random()
            at = rng.randrange(len(lines))
            if op < 0.25:
                del lines[at]
            elif op < 0.4:
                lines.insert(at, lines[rng.randrange(len(lines))])
            elif op < 0.5 and at + 1 < len(lines):
                lines[at], lines[at + 1] = lines[at + 1], lines[at]
            else:
                old, new = rng.choice(_SWAPS)
                candidates = [j for j, line in enumerate(lines) if old in line]
                if candidates:
                    j = rng.choice(candidates)
                    lines[j] = lines[j].replace(old, new, 1)
            if not lines:
                lines = [""]
        out.append((f"{i}-{name}", "\n".join(lines)))
    return out


def test_most_mutants_reach_the_checkers() -> None:
    parsed = 0
    for _, source in _mutants(150):
        result = verify_source(source, "mutant.ts")
        parsed += result.properties is not None
    assert parsed >= 50  # the fuzzing exercises the checkers, not only the parser


@pytest.mark.parametrize("name,source", _mutants(150), ids=lambda v: v if len(v) < 40 else None)
def test_mutated_handlers_never_crash(name: str, source: str) -> None:
    result = verify_source(source, "mutant.ts")
    assert "ZTS999" not in {d.code for d in result.diagnostics}, (name, [str(d) for d in result.diagnostics])
