"""What reaches the disk, in which order, and what a full disk does: real processes, strace and prlimit."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from ..support.server import REPO

STEPS = """import { run, step, waitSignal } from "zigttp:durable";
export function handler(req) {
  return run("disk", () => {
    const a = step("a", () => "x".repeat(1500));
    const b = step("b", () => "y".repeat(1500));
    const c = step("c", () => "z".repeat(1500));
    const go = waitSignal("go");
    return Response.json({ n: a.length + b.length + c.length, go });
  });
}"""
# One request against a durable folder; with a payload, then a signal and a second request: prints the last answer.
PROGRAM = """
import sys
sys.path[:0] = [{repo!r}, {host!r}]
from zigttp_host import Bundle, Host, HttpRequest, Limits, ModuleConfig
from zigttp_host.durable.store import FileStore
folder = sys.argv[1]
h = Host(modules=ModuleConfig(durable_dir=folder)).load(Bundle(open(sys.argv[2]).read(), "d.js"), Limits())
r = h.handle(HttpRequest("GET", "/"))
if len(sys.argv) > 3:
    FileStore(folder).put_signal("disk", "go", sys.argv[3])
    r = h.handle(HttpRequest("GET", "/"))
print(r.status, r.body.decode())
"""


def _run(tmp_path: Path, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    handler = tmp_path / "d.js"
    handler.write_text(STEPS)
    program = PROGRAM.format(repo=str(REPO), host=str(REPO / "host"))
    return subprocess.run([*prefix, sys.executable, "-c", program, str(tmp_path / "d"), str(handler), *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_every_oplog_line_is_fsynced_before_the_next_and_signals_are_renamed_after_fsync(tmp_path: Path) -> None:
    _run(tmp_path)  # warm the snapshot cache outside the trace
    shutil.rmtree(tmp_path / "d")
    log = tmp_path / "strace.log"
    r = _run(tmp_path, "approved",
             prefix=("strace", "-f", "-qq", "-e", "trace=openat,write,fsync,fdatasync,rename,renameat,renameat2",
                     "-o", str(log)))
    assert r.returncode == 0 and r.stdout.startswith("200"), r.stdout + r.stderr
    fds: dict[str, str] = {}
    unsynced: dict[str, str] = {}  # path -> what was written and not yet fsync'd
    renamed_tmp = []
    for line in log.read_text().splitlines():
        pid = line.split()[0]
        if m := re.search(r'openat\(.*?"([^"]+)".*\) = (\d+)$', line):
            fds[f"{pid}:{m.group(2)}"] = m.group(1)
        elif m := re.search(r"write\((\d+),", line):
            path = fds.get(f"{pid}:{m.group(1)}", "")
            if path.endswith("oplog.jsonl"):
                assert path not in unsynced, "a second oplog write before the fsync of the first"
                unsynced[path] = line
            elif "/signals/" in path:
                unsynced[path] = line
        elif m := re.search(r"fsync\((\d+)\)", line):
            unsynced.pop(fds.get(f"{pid}:{m.group(1)}", ""), None)
        elif m := re.search(r'rename(?:at2?)?\(.*?"([^"]+\.tmp)"', line):
            assert m.group(1) not in unsynced, "a signal file renamed before it was fsync'd"
            renamed_tmp.append(m.group(1))
    assert not [p for p in unsynced if p.endswith("oplog.jsonl")], "an oplog write never fsync'd"
    assert renamed_tmp, "the signal was not written through a temporary file"


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="prlimit is not installed")
def test_a_full_disk_is_a_500_and_the_run_resumes_once_there_is_room(tmp_path: Path) -> None:
    _run(tmp_path)  # the snapshot cache and the first request, unlimited
    shutil.rmtree(tmp_path / "d")
    full = _run(tmp_path, prefix=("prlimit", "--fsize=2500", "--"))
    status, _, body = full.stdout.strip().partition(" ")
    assert status == "500", full.stdout + full.stderr
    answer = orjson.loads(body)
    assert answer["error"] == "journal_write_failed"
    assert answer["message"].startswith("durable oplog write failed: File too large")
    room = _run(tmp_path, "ok")
    assert room.stdout.strip() == '200 {"n":4500,"go":"ok"}', room.stdout + room.stderr
    lines = [orjson.loads(x) for x in next((tmp_path / "d" / "runs").glob("*/oplog.jsonl")).read_bytes().splitlines()]
    assert [x["type"] for x in lines if x["type"] == "step_result"] == ["step_result"] * 3
