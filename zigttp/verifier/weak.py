"""Callbacks that do not keep their owner alive.

An analysis hands some collaborators an operation of the object that owns
them (the type resolver answers `typeof name` through the analyzer; the shape
reader asks the API reader for validated schemas). A bound method stored in
the collaborator would close a reference cycle owner -> collaborator -> owner,
and an analysis must free itself by reference counting alone
(zigttp.analysis.cyclic_gc_paused; tests/test_analysis_memory.py).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def weak_method(method: Callable[P, R]) -> Callable[P, R]:
    """`method` (a bound method), holding its object only weakly."""
    ref = weakref.WeakMethod(method)  # type: ignore[arg-type]
    name = method.__qualname__  # the name, not the method: the closure must not hold the owner

    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        bound = ref()
        if bound is None:  # the owner is gone: its collaborators outlived the analysis that made them
            raise ReferenceError(f"{name} called after its owner was freed")
        return bound(*args, **kwargs)  # type: ignore[no-any-return]

    return call
