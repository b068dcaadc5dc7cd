"""`zigttp serve --trace` under load, then `zigttp replay`: identical groups, and each change in its bucket."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import httpx
import orjson
import pytest

from .support.server import run_cli, serve

HANDLER = """import { env } from "zigttp:env";
import { sha256 } from "zigttp:crypto";

export function handler(req: Request): Response {
  const salt = env("TRACE_SALT") ?? "none";
  if (req.path === "/missing") {
    return Response.json({ error: "not found" }, { status: 404 });
  }
  const digest = sha256(salt + req.path);
  return Response.json({ path: req.path, digest, at: Date.now(), lucky: Math.random() });
}
"""
SECRET_SALT = "pepper-0123456789"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A trace directory recorded by two workers under concurrent load, with rotation on."""
    root = tmp_path_factory.mktemp("trace")
    handler = root / "app.ts"
    handler.write_text(HANDLER)
    traces = root / "traces"
    mp = pytest.MonkeyPatch()
    mp.setenv("TRACE_SALT", SECRET_SALT)
    try:
        with serve(handler, "--trace", str(traces / "app.jsonl"), "--trace-max-bytes", "16k", "-q", workers=2) as s:
            def hit(i: int) -> int:
                with httpx.Client(base_url=s.url, timeout=30) as c:
                    return sum(c.get(f"/item/{i}-{j}").status_code for j in range(10))

            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                assert sum(pool.map(hit, range(24))) == 200 * 240
            assert s.get("/missing").status_code == 404
    finally:
        mp.undo()
    return handler, traces


def test_every_recorded_request_replays_identically(recorded: tuple[Path, Path]) -> None:
    handler, traces = recorded
    files = list(traces.iterdir())
    assert len(files) > 3  # rotated
    text = "".join(f.read_text() for f in files)
    assert SECRET_SALT not in text
    r = run_cli("replay", str(handler), str(traces))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "241/241 identical" in r.stdout and "All 241 traces passed." in r.stdout
    assert "warning" not in r.stderr


def test_replay_output_is_byte_identical_run_to_run(recorded: tuple[Path, Path]) -> None:
    handler, traces = recorded
    first = run_cli("replay", str(handler), str(traces), "--json")
    second = run_cli("replay", str(handler), str(traces), "--json")
    assert first.returncode == 0 and first.stdout == second.stdout
    assert orjson.loads(first.stdout)["identical"] == 241


@pytest.mark.parametrize(("change", "bucket", "shown"), [
    (('{ status: 404 }', '{ status: 410 }'), "status_changed", "status changed 404 -> 410"),
    (('path: req.path, digest', 'path: req.path.toUpperCase(), digest'), "body_changed", "body changed"),
    (('const digest = sha256(salt + req.path);', 'const digest = sha256(salt + req.path) + sha256("x");'),
     "diverged", "was not recorded"),
    (('const digest = sha256(salt + req.path);', 'const digest = "fixed";'), "diverged", "was not made"),
    (('sha256(salt + req.path)', 'sha256(req.path + salt)'), "diverged", "expected crypto.sha256("),
])
def test_a_changed_handler_lands_in_its_bucket(recorded: tuple[Path, Path], tmp_path: Path,
                                               change: tuple[str, str], bucket: str, shown: str) -> None:
    _, traces = recorded
    changed = tmp_path / "app.ts"
    assert change[0] in HANDLER
    changed.write_text(HANDLER.replace(change[0], change[1]))
    r = run_cli("replay", str(changed), str(traces), "--json")
    assert r.returncode == 1, r.stderr
    report = orjson.loads(r.stdout)
    assert report[bucket] >= 1 and report["identical"] + report[bucket] == 241
    text = run_cli("replay", str(changed), str(traces)).stdout
    assert shown in text


def test_a_stateful_handler_is_refused_up_front(tmp_path: Path) -> None:
    # Module-scope mutation does not verify (so a verified handler is state-isolated); unverified, nobody knows.
    handler = tmp_path / "count.ts"
    handler.write_text("let n = 0;\nexport function handler(req: Request): Response {\n  n = n + 1;\n"
                       "  return Response.json({ n });\n}\n")
    with serve(handler, "--no-verify", "--trace", str(tmp_path / "t.jsonl"), "-q") as s:
        s.get("/")
        s.get("/")
    r = run_cli("replay", str(handler), str(tmp_path / "t.jsonl"), "--no-verify")
    assert r.returncode == 1 and "not verified when recorded" in r.stderr  # says so, and the difference shows
    assert "body changed" in r.stdout
    # a recorder that knew the handler keeps state: no false differences, one statement up front
    known = tmp_path / "k.jsonl"
    known.write_text((tmp_path / "t.jsonl").read_text().replace('"state_isolated":null', '"state_isolated":false'))
    r = run_cli("replay", str(handler), str(known), "--no-verify")
    assert r.returncode == 1 and "keeps module state across requests" in r.stderr
    assert r.stdout == ""
    r = run_cli("replay", str(handler), str(known), "--no-verify", "--ignore-state")
    assert r.returncode == 1 and "body changed" in r.stdout


def test_bad_trace_files_exit_2_naming_file_and_line(recorded: tuple[Path, Path], tmp_path: Path) -> None:
    handler, _ = recorded
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type":"request","url":"/"}\n{"type":"io","module":"env","fn":"nope","args":[]}\n')
    r = run_cli("replay", str(handler), str(bad))
    assert r.returncode == 2 and f"{bad}:2: io entry for an unknown export env.nope" in r.stderr
    assert "Traceback" not in r.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    r = run_cli("replay", str(handler), str(empty))
    assert r.returncode == 2 and "no recorded requests" in r.stderr
    r = run_cli("replay", str(handler), str(tmp_path / "absent.jsonl"))
    assert r.returncode == 2 and "no such file" in r.stderr
