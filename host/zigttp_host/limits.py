"""Per-request limits and the size syntax used on the command line (64m, 1k, 10mb)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# the largest a trace file grows before it rotates (`--trace-max-bytes`): here, where the CLI can read it without
# importing the trace writer and the module tables behind it
TRACE_MAX_BYTES = 100 << 20

_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?)(i?b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}

# The hard (epoch) deadline fires this long after the soft one, so a handler
# stuck where QuickJS cannot interrupt it is still stopped.
HARD_DEADLINE_GRACE_MS = 100


def parse_size(text: str) -> int:
    """'64m' → 67108864. Bare numbers are bytes."""
    m = _SIZE.match(str(text))
    if not m:
        raise ValueError(f"invalid size {text!r}: use a number of bytes or a suffix k, m, g (e.g. 64m)")
    return int(m.group(1)) * _UNITS[m.group(2).lower()]


def format_size(n: int) -> str:
    for unit, factor in (("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10)):
        if n >= factor and n % factor == 0:
            return f"{n // factor}{unit}"
    return str(n)


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 64 << 20
    timeout_ms: int = 5000
    fuel: int | None = None  # None: derived from the timeout and the guest's calibration
    max_body_bytes: int = 1 << 20
    max_response_bytes: int = 10 << 20
    recycle_memory_bytes: int = 16 << 20
    js_stack_bytes: int = 256 << 10
    max_response_headers: int = 100
    max_response_header_bytes: int = 64 << 10  # names plus values, UTF-8
    # What one request may write to the log (console.*, zigttp:log); the rest
    # is counted and dropped with one notice.
    log_lines: int = 100
    log_bytes: int = 64 << 10

    def __post_init__(self) -> None:
        if self.memory_bytes < (4 << 20):
            raise ValueError("memory limit must be at least 4m")
        if self.timeout_ms <= 0:
            raise ValueError("timeout must be positive")
        if self.fuel is not None and self.fuel <= 0:
            raise ValueError("fuel must be positive")
        for name in ("max_response_headers", "max_response_header_bytes", "log_lines", "log_bytes"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name.replace('_', ' ')} must not be negative")
        if self.js_stack_bytes > (512 << 10):
            # the guest's shadow stack is 1 MiB; leave room for native frames
            raise ValueError("JS stack must be at most 512k")
