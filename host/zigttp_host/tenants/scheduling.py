"""A short scheduler slice for the threads that serve tenants (Linux 6.12 and later).

Linux's EEVDF scheduler lets a thread ask for a time slice shorter than the
kernel's default (sched_setattr's `sched_runtime`, 0.1 to 100 ms; the default
was 1.4 ms on the 2-core machine of docs/benchmarks.md). Without it,
a request thread woken on the CPU where a neighbour's long guest call is
running can wait out that call's slice before it runs: a neighbour spinning to
its fuel limit then reaches the others' tail latency although its CPU share
holds (docs/embedding.md, "Noisy neighbours"). A thread with a short slice is
run sooner after it wakes; it is also preempted sooner, which costs a
CPU-bound thread a little throughput. Threads a thread starts inherit its slice.

`TenantHost(thread_slice_us=...)` asks for the slice on each thread's first
tenant request. Where the kernel cannot give it (another OS, an older kernel,
a refusal) the request runs as before and one warning says why.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import platform
import sys
import threading

log = logging.getLogger("zigttp.tenants")

SLICE_MIN_US = 100  # the kernel's bounds for a fair thread's slice
SLICE_MAX_US = 100_000
_SYSCALLS = {"x86_64": (314, 315), "aarch64": (274, 275)}  # (sched_setattr, sched_getattr)
_FAIR_POLICIES = (0, 3, 5)  # Linux's SCHED_OTHER, SCHED_BATCH, SCHED_IDLE (not every OS's os module has them)


class _SchedAttr(ctypes.Structure):
    _fields_ = [("size", ctypes.c_uint32), ("sched_policy", ctypes.c_uint32), ("sched_flags", ctypes.c_uint64),
                ("sched_nice", ctypes.c_int32), ("sched_priority", ctypes.c_uint32),
                ("sched_runtime", ctypes.c_uint64), ("sched_deadline", ctypes.c_uint64),
                ("sched_period", ctypes.c_uint64), ("util_min", ctypes.c_uint32), ("util_max", ctypes.c_uint32)]


def check_slice_us(slice_us: float | None) -> None:
    if slice_us is not None and not SLICE_MIN_US <= slice_us <= SLICE_MAX_US:
        raise ValueError(f"thread_slice_us must be between {SLICE_MIN_US} and {SLICE_MAX_US} (µs), not {slice_us}")


def thread_slice_ns() -> int | None:
    """The calling thread's scheduler slice in ns as the kernel reports it; None where it cannot be read."""
    attr = _get_attr()
    return None if attr is None else int(attr.sched_runtime)


def request_slice(slice_us: float) -> str | None:
    """Asks the kernel for a `slice_us` slice for the calling thread, keeping its policy and nice value;
    None when granted, else why not."""
    calls = _syscalls()
    if calls is None:
        return f"no scheduler slices on {sys.platform}/{platform.machine()} (Linux 6.12 or later has them)"
    attr = _get_attr()
    if attr is None:
        return "sched_getattr cannot read this thread's scheduling"
    if attr.sched_policy not in _FAIR_POLICIES:
        return "the thread is not under the fair scheduler (a real-time or deadline policy keeps its own timing)"
    ns = int(slice_us * 1000)
    attr.size, attr.sched_flags, attr.sched_runtime = ctypes.sizeof(_SchedAttr), 0, ns
    if _libc().syscall(calls[0], 0, ctypes.byref(attr), 0) != 0:
        return f"sched_setattr refused it: {os.strerror(ctypes.get_errno())}"
    if thread_slice_ns() != ns:  # kernels before 6.12 accept the call and ignore the slice
        return f"the kernel ({platform.release()}) does not keep a slice for a thread (Linux 6.12 or later does)"
    return None


def _get_attr() -> _SchedAttr | None:
    calls = _syscalls()
    if calls is None:
        return None
    attr = _SchedAttr()
    if _libc().syscall(calls[1], 0, ctypes.byref(attr), ctypes.sizeof(attr), 0) != 0:
        return None
    return attr


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _syscalls() -> tuple[int, int] | None:
    if not sys.platform.startswith("linux"):
        return None
    return _SYSCALLS.get(platform.machine())


class SliceRequester:
    """Asks for the slice once per thread; after the first refusal, warns once and stops asking."""

    def __init__(self, slice_us: float) -> None:
        check_slice_us(slice_us)
        self.slice_us = slice_us
        self._refused: str | None = None
        self._lock = threading.Lock()

    def __call__(self) -> None:
        if self._refused is not None:
            return
        why = request_slice(self.slice_us)
        if why is None:
            return
        with self._lock:
            if self._refused is None:
                self._refused = why
                log.warning("request threads keep the default scheduler slice: %s", why)
