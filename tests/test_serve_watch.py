"""`zigttp serve --watch --prove`: an additive change swaps into every worker, a breaking one is refused,
and a client sending requests all along sees no failure."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from .support.server import run_cli, serve


def version(fields: str) -> str:
    """A handler with one proven route whose JSON answer holds `fields`."""
    return f"""export function handler(req: Request): Response {{
  return match ({{ method: req.method, path: req.path }}) {{
    when {{ method: "GET", path: "/" }}: Response.json({{ {fields} }})
    default: Response.json({{ error: "not found" }}, {{ status: 404 }})
  }};
}}
"""


V1 = version('message: "hello", size: req.path.length')
V2 = version('message: "hello", size: req.path.length, method: req.method')  # additive: a field more
V3 = version("size: req.path.length, method: req.method")  # breaking: a field less
V4 = version("message: undefinedName")  # does not verify


class Client(threading.Thread):
    """Sends requests until stopped; keeps every status and body."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.seen: list[tuple[int, dict]] = []
        self.errors: list[str] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as c:
            while not self.stop.is_set():
                try:
                    r = c.get("/")
                    self.seen.append((r.status_code, r.json()))
                except (httpx.HTTPError, ValueError) as e:
                    self.errors.append(repr(e))

    def latest(self) -> dict:
        return self.seen[-1][1] if self.seen else {}


def wait_for(condition, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def edit(path: Path, text: str) -> None:
    path.write_text(text)
    st = path.stat()  # a distinct mtime even on a coarse clock
    import os

    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_additive_swaps_breaking_is_refused_and_no_request_fails(tmp_path: Path) -> None:
    handler = tmp_path / "live.ts"
    handler.write_text(V1)
    with serve(handler, "--watch", "--prove", workers=2) as server:
        client = Client(server.url)
        client.start()
        assert wait_for(lambda: len(client.seen) > 5)
        edit(handler, V2)
        assert wait_for(lambda: "method" in server.log() and "generation 1 published" in server.log()), server.log()
        # every worker: a run of answers all from the new version
        assert wait_for(lambda: len(client.seen) > 20 and all("method" in b for _, b in client.seen[-20:])), \
            server.log()
        assert "SAFE_WITH_ADDITIONS" in server.log()
        edit(handler, V3)
        assert wait_for(lambda: "refused: the change is breaking" in server.log()), server.log()
        edit(handler, V4)
        assert wait_for(lambda: "does not verify" in server.log()), server.log()
        count = len(client.seen)
        assert wait_for(lambda: len(client.seen) > count + 20)
        client.stop.set()
        client.join(timeout=30)
    assert client.errors == []
    assert {status for status, _ in client.seen} == {200}
    assert all("message" in body for _, body in client.seen)  # the breaking version never served
    assert "BREAKING" in server.log()


@pytest.mark.parametrize("flags, message", [
    (["--prove"], "--prove, --prove-durable and --force-swap apply to --watch"),
    (["--watch", "--force-swap"], "use it with --watch --prove"),
    (["--watch", "--no-verify"], "does not combine with --no-verify"),
])
def test_watch_flag_combinations_that_cannot_run(tmp_path: Path, flags: list[str], message: str) -> None:
    handler = tmp_path / "live.ts"
    handler.write_text(V1)
    r = run_cli("serve", str(handler), "--port", "0", *flags)
    assert r.returncode == 2 and message in r.stderr


def test_a_durable_handler_does_not_swap_live(tmp_path: Path) -> None:
    from .support.server import REPO

    r = run_cli("serve", str(REPO / "examples/durable/approval.ts"), "--port", "0", "--watch",
                "--durable", str(tmp_path / "d"))
    assert r.returncode == 2 and "durable handler does not swap live" in r.stderr


def test_a_durable_handler_swaps_only_versions_its_runs_replay_on(tmp_path: Path) -> None:
    from zigttp_host.durable.store import FileStore

    from .support.server import REPO

    source = (REPO / "examples/durable/approval.ts").read_text()
    handler, durable = tmp_path / "approval.ts", tmp_path / "durable"
    handler.write_text(source)
    with serve(handler, "--watch", "--prove-durable", "--durable", str(durable), workers=2) as server:
        assert server.get("/orders/42").status_code == 202  # the run waits for its signal
        # a step appended after the wait: the waiting run replays on it
        appended = source.replace("    return Response.json(confirmed);",
                                  '    const noted = step("note", () => true);\n'
                                  "    return Response.json({ ...confirmed, noted });")
        edit(handler, appended)
        assert wait_for(lambda: "generation 1 published" in server.log()), server.log()
        # a renamed step: the waiting run would not resume on it
        edit(handler, appended.replace('step("createDraft"', 'step("makeDraft"'))
        assert wait_for(lambda: "refused: the change is breaking" in server.log()), server.log()
        assert "ZP607 breaking run order:42" in server.log()
        time.sleep(1)  # every worker has picked generation 1 up
        assert FileStore(durable).put_signal("order:42", "approved", {"by": "ops"})
        assert wait_for(lambda: server.get("/orders/42").status_code == 200, timeout=60), server.log()
        body = server.get("/orders/42").json()
        assert body["noted"] is True and body["status"] == "confirmed"  # the in-flight run finished on gen 1
