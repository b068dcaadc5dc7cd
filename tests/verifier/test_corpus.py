"""A corpus of small incorrect handlers, one realistic bug each, spread across every check.

Each file ends with `// expect: CODE@line:col ...`: exactly the diagnostics the
verifier must report (so a new false positive fails as surely as a missed
bug). A first line `// strict` verifies with the strict profile.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zigttp.verifier import verify_file

CORPUS = Path(__file__).resolve().parent / "corpus"
FILES = sorted(p for p in CORPUS.iterdir() if p.suffix in (".ts", ".tsx", ".js", ".jsx"))


def expected(path: Path) -> set[tuple[str, int, int]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("// expect:"):
            out = set()
            for item in line.removeprefix("// expect:").split():
                code, _, position = item.partition("@")
                line_no, _, column = position.partition(":")
                out.add((code, int(line_no), int(column)))
            return out
    raise AssertionError(f"{path.name} has no '// expect:' line")


def test_corpus_is_large_and_covers_every_check() -> None:
    assert len(FILES) >= 40
    families = {code[:4] for path in FILES for code, _, _ in expected(path)}
    assert {"ZTS1", "ZTS2", "ZTS3", "ZTS4", "ZTS6"} <= families


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_handler(path: Path) -> None:
    strict = path.read_text(encoding="utf-8").startswith("// strict")
    result = verify_file(path, strict=strict)
    found = {(d.code, d.line, d.column) for d in result.diagnostics}
    assert found == expected(path), result.render_text()
    assert not result.ok or all(d.severity == "warning" for d in result.diagnostics)
    assert "ZTS999" not in {d.code for d in result.diagnostics}
