"""What the guest evaluates: one ES module and how to map its positions back to the source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

LineMapper = Callable[[int, int], "tuple[str, int, int] | None"]


@dataclass(frozen=True)
class Bundle:
    """What the guest evaluates: one ES module, plus how to map its positions back."""

    source: str
    name: str = "handler.js"
    line_map: LineMapper | None = None
