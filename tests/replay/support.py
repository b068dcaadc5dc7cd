"""Running `zigttp test` and `zigttp mock` in-process, on handlers and test files written for the test."""

from __future__ import annotations

import io
from pathlib import Path

from zigttp.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def run_cli(*argv: str | Path) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one `zigttp` command."""
    args = build_parser().parse_args([str(a) for a in argv])
    out, err = io.StringIO(), io.StringIO()
    code = args.run(args, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path
