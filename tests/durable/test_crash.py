"""A bounded slice of scripts/crash_durable.py: SIGKILLs of a real server mid-workflow, then the invariants."""

from __future__ import annotations

import subprocess
import sys

from ..support.server import REPO


def test_fifty_kills_keep_every_invariant() -> None:
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "crash_durable.py"), "--kills", "50", "--runs", "16",
                        "--seed", "11", "--max-gap", "0.8"], capture_output=True, text=True, timeout=1200)
    summary = r.stdout.strip().splitlines()[-2 if "folder:" in r.stdout else -1]
    assert r.returncode == 0, r.stdout + r.stderr
    assert "double runs 0" in summary and "lost signals 0" in summary and "incomplete 0" in summary
    # Completed runs are replaced by fresh ones, so the kills land among runs at every stage.
    runs = int(summary.split("runs ")[1].split(",")[0])
    assert runs > 16, summary
