"""`zigttp` on the command line: usage errors, start-up failures, shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from .conftest import HANDLERS
from .support.server import REPO, ZIGTTP, free_port, run_cli, serve


def test_no_command_prints_help() -> None:
    r = run_cli()
    assert r.returncode == 2
    assert "serve" in r.stdout


def test_serve_help_explains_the_flags() -> None:
    r = run_cli("serve", "--help")
    assert r.returncode == 0
    for flag in ("--isolation", "--memory", "--timeout-ms", "--fuel", "--max-body-size", "--max-response-size",
                 "--recycle-memory", "--workers", "--no-verify"):
        assert flag in r.stdout


def test_bad_size_is_a_usage_error() -> None:
    r = run_cli("serve", str(HANDLERS / "api.js"), "--memory", "lots")
    assert r.returncode == 2
    assert "invalid size 'lots'" in r.stderr


def test_unknown_flag_is_a_usage_error() -> None:
    r = run_cli("serve", str(HANDLERS / "api.js"), "--turbo")
    assert r.returncode == 2
    assert "unrecognized arguments: --turbo" in r.stderr


def test_missing_handler_file() -> None:
    r = run_cli("serve", "does/not/exist.js")
    assert r.returncode == 1
    assert "does/not/exist.js: no such file" in r.stderr


def test_handler_that_fails_to_load_stops_serve_with_its_location(tmp_path: Path) -> None:
    bad = tmp_path / "broken.js"
    bad.write_text("function handler(req) {\n  const x = ;\n}\n")
    r = run_cli("serve", str(bad), "--no-verify", "--port", str(free_port()))
    assert r.returncode == 1
    assert "broken.js:2:" in r.stderr
    assert "SyntaxError" in r.stderr
    assert "Traceback" not in r.stderr


def test_module_scope_exception_stops_serve(tmp_path: Path) -> None:
    bad = tmp_path / "throws.js"
    bad.write_text("const config = undefined;\nconst port = config.port;\nfunction handler(req) {}\n")
    r = run_cli("serve", str(bad), "--no-verify", "--port", str(free_port()))
    assert r.returncode == 1
    assert "throws.js:2:" in r.stderr and "TypeError" in r.stderr


def test_no_verify_prints_a_loud_warning() -> None:
    with serve(HANDLERS / "api.js", "--no-verify") as srv:
        assert srv.get("/range").status_code == 200
        assert "WARNING: --no-verify" in srv.log()


def _start_two_worker_server() -> subprocess.Popen[str]:
    """A server we signal ourselves (tests.support.server.serve owns its process's lifetime)."""
    import httpx

    port = free_port()
    proc = subprocess.Popen([*ZIGTTP, "serve", str(HANDLERS / "api.js"), "--no-verify", "--port", str(port),
                             "--workers", "2"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    return proc


def test_sigterm_shuts_down_cleanly() -> None:
    proc = _start_two_worker_server()
    try:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, out
        assert "Traceback" not in out
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_busy_port_is_refused_instead_of_shared() -> None:
    with serve(HANDLERS / "api.js", "--no-verify") as srv:
        r = run_cli("serve", str(HANDLERS / "api.js"), "--no-verify", "--port", str(srv.port), timeout=60)
        assert r.returncode == 1
        assert f"cannot listen on 127.0.0.1:{srv.port}" in r.stderr
        assert "Traceback" not in r.stderr


def test_invalid_host_is_a_clear_error() -> None:
    r = run_cli("serve", str(HANDLERS / "api.js"), "--no-verify", "--host", "999.1.1.1")
    assert r.returncode == 1
    assert "cannot listen on 999.1.1.1" in r.stderr
    assert "Traceback" not in r.stderr


def test_repeated_signals_never_hang_the_server() -> None:
    proc = _start_two_worker_server()
    try:
        for _ in range(5):
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.01)
        proc.communicate(timeout=30)
        # graceful (0), "second signal: exit now" (130), or a signal landing while
        # the interpreter finalises after a completed shutdown (-SIGTERM)
        assert proc.returncode in (0, 130, -signal.SIGTERM)
        # and no worker outlives the server
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("worker processes outlived the server")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
