"""TenantHost(thread_slice_us=...): request threads ask the kernel for a short scheduler slice."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest

from zigttp_host import Bundle, Host, HttpRequest
from zigttp_host.tenants import TenantHost, scheduling

HELLO = "export function handler(req) { return Response.text('hi') }"


def _on_new_thread(fn: Callable[[], object]) -> object:
    """fn's result, run on a thread of its own (it inherits this thread's slice, then asks for its own)."""
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(fn()))
    thread.start()
    thread.join()
    return out[0]


def _slices_here() -> bool:
    return _on_new_thread(lambda: scheduling.request_slice(250)) is None


def test_a_request_thread_gets_the_slice_and_other_threads_keep_theirs(shared_host: Host) -> None:
    if not _slices_here():
        pytest.skip("this kernel keeps no per-thread scheduler slice (Linux 6.12 or later does)")
    before = scheduling.thread_slice_ns()
    tenants = TenantHost(shared_host, thread_slice_us=200)
    tenants.load("a", Bundle(HELLO, "a.js"))

    def serve_then_read() -> tuple[int, int | None]:
        status = tenants.invoke("a", HttpRequest("GET", "/")).status
        return status, scheduling.thread_slice_ns()

    assert _on_new_thread(serve_then_read) == (200, 200_000)
    assert scheduling.thread_slice_ns() == before  # loading asked nothing of this thread
    untouched = TenantHost(shared_host)
    untouched.load("b", Bundle(HELLO, "b.js"))
    status, slice_ns = _on_new_thread(lambda: (untouched.invoke("b", HttpRequest("GET", "/")).status,
                                               scheduling.thread_slice_ns()))  # type: ignore[misc]
    assert (status, slice_ns) == (200, before)


@pytest.mark.parametrize("bad", [0, 99, 100_001, -5])
def test_a_slice_outside_the_kernels_bounds_is_refused(shared_host: Host, bad: float) -> None:
    with pytest.raises(ValueError, match="thread_slice_us must be between 100 and 100000"):
        TenantHost(shared_host, thread_slice_us=bad)


def test_where_no_slice_can_be_had_requests_run_and_one_warning_says_why(
        shared_host: Host, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(scheduling, "_syscalls", lambda: None)  # as on another OS
    tenants = TenantHost(shared_host, thread_slice_us=200)
    tenants.load("a", Bundle(HELLO, "a.js"))
    with caplog.at_level(logging.WARNING, logger="zigttp.tenants"):
        for _ in range(3):
            assert _on_new_thread(lambda: tenants.invoke("a", HttpRequest("GET", "/")).status) == 200
    warnings = [r.getMessage() for r in caplog.records if "scheduler slice" in r.getMessage()]
    assert len(warnings) == 1
    assert "no scheduler slices on" in warnings[0]
