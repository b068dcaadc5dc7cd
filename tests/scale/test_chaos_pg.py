"""A bounded slice of scripts/chaos_postgres.py: two servers on one PostgreSQL under faults, then the invariants."""

from __future__ import annotations

import subprocess
import sys

from ..conftest import _unavailable
from ..support.server import REPO

UNAVAILABLE_EXIT = 3  # the script's exit code when PostgreSQL cannot be started here


def test_twenty_faults_keep_every_invariant() -> None:
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "chaos_postgres.py"), "--faults", "20", "--runs", "8",
                        "--seed", "3", "--max-gap", "0.4"], capture_output=True, text=True, timeout=600)
    if r.returncode == UNAVAILABLE_EXIT:
        _unavailable("PostgreSQL", r.stderr.strip().splitlines()[-1])
    summary = next((line for line in r.stdout.splitlines() if line.startswith("chaos_postgres")), "")
    assert r.returncode == 0 and summary, r.stdout[-4000:] + r.stderr[-4000:]
    for invariant in ("stuck 0", "double runs 0", "fence errors 0", "lost signals 0", "timer errors 0"):
        assert invariant in summary, summary
    # Every kind of fault was injected, and completed runs were replaced so the faults met runs at every stage.
    for kind in ("kill", "stop", "pg_restart", "drop"):
        assert f"{kind} 0," not in summary and f"{kind} 0)" not in summary, summary
    assert int(summary.split("completed ")[1].split(",")[0]) > 8, summary
