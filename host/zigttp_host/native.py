"""The host's native helpers (_native/*.c, built with the guest into one freestanding library).

ticker.c advances the engine's epoch while the GIL is held (epochticker.py);
budgeted_call.c sets a store's fuel and epoch deadline and calls an export in
one ctypes call (fastcall.py). Neither is needed: where the library was not
built or cannot be loaded, `library()` answers None and the host does the same
work from Python, a little slower.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger("zigttp.engine")

NATIVE_LIBRARY = Path(__file__).resolve().parent / "_native" / (
    "native.dylib" if sys.platform == "darwin" else "native.so")


@functools.cache
def library(path: Path = NATIVE_LIBRARY) -> ctypes.CDLL | None:
    """The loaded library, or None where there is none (not built, not loadable, not a 64-bit POSIX host:
    both sources assume 64-bit longs)."""
    if os.name == "nt" or ctypes.sizeof(ctypes.c_long) != 8 or not path.exists():
        return None
    try:
        return ctypes.CDLL(str(path))
    except OSError as e:
        log.warning("native helpers not loaded (%s): the host runs without them", e)
        return None


def address(fn: object) -> int | None:
    """The address of a ctypes function or pointer."""
    return ctypes.cast(fn, ctypes.c_void_p).value
