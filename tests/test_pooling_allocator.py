"""wasmtime's pooling allocator (pooling.py), which `serve --isolation fresh` runs on: a freed slot is reset by
copying the image back over the pages its instance wrote, so what one request leaves in memory must never
reach the next instance in that slot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from zigttp.server.config import ServeConfig
from zigttp_host import Bundle, EngineConfig, Host, HttpRequest, Limits
from zigttp_host.abi import request_meta
from zigttp_host.handler import HandlerLoadError

# /fill writes about 24 MiB (three times what a slot keeps resident) and keeps it in module state
STATEFUL = """
let kept = [];
let count = 0;
export function handler(req) {
  count++;
  if (req.path === "/fill") {
    for (let i = 0; i < 24; i++) kept.push(new Uint8Array(1 << 20).fill(0x5a));
  }
  return Response.json({ count, kept: kept.length });
}
"""
SLOW = "export function handler(req) { let x = 0; for (let i = 0; i < 3e6; i++) x += i; return Response.json({ x }) }"


@pytest.fixture(scope="module")
def pooling_host() -> Iterator[Host]:
    host = Host(engine_config=EngineConfig(allocator="pooling", pool_instances=4))
    assert host.engine.allocator == "pooling", "the pool's address space was refused on this machine"
    yield host
    host.engine.close()


def test_a_reused_slot_starts_from_the_image_again(pooling_host: Host) -> None:
    handler = pooling_host.load(Bundle(STATEFUL, "stateful.js"), Limits(memory_bytes=64 << 20), isolation="fresh")
    first = handler._acquire()
    image = first.memory_image()
    del first  # its slot, never written by a request, goes back to the pool
    used = handler._acquire()  # a request leaves its writes in memory: what the comparison below would catch
    handler._prepare(used, None, HttpRequest("GET", "/fill"))
    used.handle(request_meta("GET", "/fill", []), b"", timeout_ms=5000, fuel=handler.fuel)
    assert len(used.memory_image()) > len(image)
    del used
    for path, kept in (("/fill", 24), ("/", 0), ("/fill", 24)):
        assert json.loads(handler.handle(HttpRequest("GET", path)).body) == {"count": 1, "kept": kept}
    # every slot the requests used was reset: byte for byte the image, at the image's size
    for _ in range(3):
        inst = handler._acquire()
        assert inst.memory_size() == len(image)
        assert inst.memory_image() == image
        del inst


def test_every_slot_taken_answers_503_and_the_pool_recovers(pooling_host: Host) -> None:
    handler = pooling_host.load(Bundle(SLOW, "slow.js"), isolation="fresh")
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda: statuses.append(handler.handle(HttpRequest("GET", "/")).status))
               for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 200 in statuses and 503 in statuses and set(statuses) == {200, 503}
    assert handler.handle(HttpRequest("GET", "/")).status == 200
    # one answer of the exhausted kind, checked whole
    holders = [handler._acquire() for _ in range(4)]
    refused = handler.handle(HttpRequest("GET", "/"))
    assert refused.status == 503 and json.loads(refused.body) == {"error": "instances_exhausted"}
    del holders
    assert handler.handle(HttpRequest("GET", "/")).status == 200


def test_a_memory_limit_above_the_slots_is_refused_at_load(pooling_host: Host) -> None:
    with pytest.raises(HandlerLoadError, match="above the pooling allocator's slots"):
        pooling_host.load(Bundle(SLOW, "big.js"), Limits(memory_bytes=256 << 20), isolation="fresh")


def test_serve_runs_fresh_isolation_on_the_pool_sized_for_its_threads_and_memory() -> None:
    fresh = ServeConfig("h.ts", "h.js", "h.js", threads=6, isolation="fresh", limits={"memory_bytes": 512 << 20})
    assert fresh.engine_config() == EngineConfig(allocator="pooling", pool_instances=28, pool_memory_bytes=512 << 20)
    small = ServeConfig("h.ts", "h.js", "h.js", isolation="fresh")
    assert small.engine_config().pool_memory_bytes == EngineConfig().pool_memory_bytes
    assert ServeConfig("h.ts", "h.js", "h.js").engine_config() == EngineConfig()  # pooled: on demand


def test_pool_sizes_are_checked() -> None:
    with pytest.raises(ValueError, match="at least one instance"):
        EngineConfig(allocator="pooling", pool_instances=0)
    with pytest.raises(ValueError, match="at least one instance"):
        EngineConfig(allocator="pooling", pool_memory_bytes=1 << 20)


def test_where_the_pool_s_address_space_is_refused_the_engine_allocates_on_demand(tmp_path: Path) -> None:
    # wasmtime's C API aborts the whole process when the pool's reservation fails: the Engine must ask first
    script = tmp_path / "limited.py"
    script.write_text(
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (48 << 30, 48 << 30))\n"
        "from zigttp_host import Bundle, EngineConfig, Host, HttpRequest\n"
        "host = Host(engine_config=EngineConfig(allocator='pooling', pool_instances=24))\n"
        "h = host.load(Bundle('export function handler(req) { return Response.text(\"ok\") }', 'a.js'),"
        " isolation='fresh')\n"
        "print(host.engine.allocator, h.handle(HttpRequest('GET', '/')).status)\n")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["on-demand", "200"]
    assert "allocating on demand" in proc.stderr
