"""An opt-in record of the front end's and the verifier's runs, for tests that count them in a real process.

With ZIGTTP_TRACE set to a file, every compilation and every verification
appends one line ("compile" or "verify") to it; `zigttp serve` must do each
exactly once on a cold start, and neither from a warm cache.
"""

from __future__ import annotations

import os

TRACE_ENV = "ZIGTTP_TRACE"


def trace(event: str) -> None:
    target = os.environ.get(TRACE_ENV)
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8") as f:
            f.write(f"{event} {os.getpid()}\n")
    except OSError:  # a trace that cannot be written must not change what runs
        pass
