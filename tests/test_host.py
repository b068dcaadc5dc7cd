"""The embeddable host API (zigttp_host) without a server."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import wasmtime

from zigttp_host import Bundle, GuestNotBuilt, HandlerLoadError, Host, HttpRequest, Limits
from zigttp_host.engine import EngineConfig, artifact_path
from zigttp_host.paths import GUEST_WASM


def _json(resp) -> object:
    return orjson.loads(resp.body)


def test_a_trap_discards_the_instance(host: Host) -> None:
    h = host.load(Bundle("let n = 0; export function handler(req) { n = n + 1;"
                         " if (req.path === '/spin') { for (;;) {} } return Response.json({ n }); }", "trap.js"),
                  Limits(fuel=30_000_000, timeout_ms=5000))
    assert _json(h.handle(HttpRequest("GET", "/"))) == {"n": 1}
    r = h.handle(HttpRequest("GET", "/spin"))
    assert r.status == 500 and _json(r) == {"error": "cpu_limit", "fuel": 30_000_000}
    assert r.failure is not None and r.failure.instance_discarded
    # a new instance from the snapshot: module state starts over
    assert _json(h.handle(HttpRequest("GET", "/"))) == {"n": 1}
    assert h.instances_discarded == 1


def test_soft_deadline_keeps_the_instance(host: Host) -> None:
    h = host.load(Bundle("let n = 0; export function handler(req) { n = n + 1;"
                         " if (req.path === '/spin') { for (;;) {} } return Response.json({ n }); }", "soft.js"),
                  # fuel far beyond 100 ms of any machine: the wall clock must stop it, whatever the calibration
                  Limits(timeout_ms=100, fuel=10**12))
    assert _json(h.handle(HttpRequest("GET", "/"))) == {"n": 1}
    r = h.handle(HttpRequest("GET", "/spin"))
    assert (r.status, _json(r)) == (504, {"error": "timeout", "limitMs": 100})
    assert r.failure is not None and not r.failure.instance_discarded
    assert _json(h.handle(HttpRequest("GET", "/"))) == {"n": 3}


def test_instance_recycled_after_memory_growth(host: Host) -> None:
    src = ("let n = 0; let keep = []; export function handler(req) { n = n + 1;"
           " if (req.path === '/grow') { for (let i = 0; i < 24; i++) keep.push('x'.repeat(1 << 20) + i); }"
           " return Response.json({ n }); }")
    h = host.load(Bundle(src, "grow.js"), Limits(recycle_memory_bytes=16 << 20))
    assert _json(h.handle(HttpRequest("GET", "/"))) == {"n": 1}
    assert _json(h.handle(HttpRequest("GET", "/grow"))) == {"n": 2}
    assert _json(h.handle(HttpRequest("GET", "/"))) == {"n": 1}


@pytest.mark.parametrize(("source", "message", "at"), [
    ("export function handler(req) {\n  return Response.text('x'\n}\n", "SyntaxError", "bad.js:3:1"),
    ("const x = 1;\nundefinedThing.call();\nexport function handler(req) {}\n", "ReferenceError", "bad.js:2:1"),
    ("export const notAHandler = 1;\n", "no handler", None),
])
def test_load_errors_name_the_place(host: Host, source: str, message: str, at: str | None) -> None:
    with pytest.raises(HandlerLoadError) as info:
        host.load(Bundle(source, "bad.js"))
    assert message in info.value.message
    assert info.value.at == at


def test_memory_limit_below_the_snapshot_is_a_load_error(host: Host) -> None:
    big = ("const table = 'x'.repeat(6 << 20) + '!';\n"
           "export function handler(req) { return Response.text(table.slice(-1)); }")
    with pytest.raises(HandlerLoadError, match="memory limit"):
        host.load(Bundle(big, "big.js"), Limits(memory_bytes=4 << 20))


def test_request_body_limit(host: Host) -> None:
    h = host.load(Bundle("export function handler(req) { return Response.text(req.text()); }", "body.js"),
                  Limits(max_body_bytes=10))
    assert h.handle(HttpRequest("POST", "/", body=b"0123456789")).body == b"0123456789"
    r = h.handle(HttpRequest("POST", "/", body=b"0123456789!"))
    assert (r.status, _json(r)) == (413, {"error": "body_too_large", "limitBytes": 10})


def test_compiled_module_cache(tmp_path: Path) -> None:
    first = Host(cache_root=tmp_path)
    assert first.engine.cache.compiles == 1
    path = artifact_path(tmp_path, first.guest_sha256, EngineConfig())
    assert path.exists()
    second = Host(cache_root=tmp_path)
    assert (second.engine.cache.compiles, second.engine.cache.hits) == (0, 1)
    # a broken artifact is recompiled, never fatal (replaced, not rewritten in place: the
    # cache is memory-mapped by the hosts above, and the cache itself only ever replaces files)
    broken = tmp_path / "broken"
    broken.write_bytes(b"truncated garbage")
    broken.replace(path)
    third = Host(cache_root=tmp_path)
    assert third.engine.cache.compiles == 1
    for h in (first, second, third):
        h.engine.close()


def test_handler_snapshot_is_cached(tmp_path: Path) -> None:
    src = "export function handler(req) { return Response.text('cached'); }"
    a = Host(cache_root=tmp_path)
    a.load(Bundle(src, "c.js"), Limits(fuel=10**9))
    compiles = a.engine.cache.compiles
    b = Host(cache_root=tmp_path)
    h = b.load(Bundle(src, "c.js"), Limits(fuel=10**9))
    assert b.engine.cache.compiles == 0 and compiles == 2
    assert h.handle(HttpRequest("GET", "/")).body == b"cached"


def test_a_guest_with_another_abi_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "fake.wasm"
    fake.write_bytes(wasmtime.wat2wasm('(module (memory (export "memory") 1) '
                                       '(func (export "abi_version") (result i32) i32.const 99))'))
    with pytest.raises(GuestNotBuilt, match="ABI 99"):
        Host(guest_wasm=fake, cache_root=tmp_path)


def test_missing_guest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GuestNotBuilt, match="pip install"):
        Host(guest_wasm=tmp_path / "nope.wasm", cache_root=tmp_path)


def test_the_packaged_guest_matches_the_committed_hash() -> None:
    import hashlib

    expected = (Path(__file__).resolve().parents[1] / "guest" / "guest.sha256").read_text().split()[0]
    assert hashlib.sha256(GUEST_WASM.read_bytes()).hexdigest() == expected


def test_hard_deadline_stops_native_code_the_soft_one_cannot_reach(host: Host) -> None:
    # Array.join runs in C and never polls QuickJS's interrupt handler, so only
    # the epoch deadline (100 ms after the soft one) can stop it.
    src = ("export function handler(req) { const a = new Array(3000000).fill('abc'); let s = '';"
           " for (let i = 0; i < 500; i++) s = a.join(','); return Response.text('' + s.length); }")
    h = host.load(Bundle(src, "native.js"), Limits(timeout_ms=300, memory_bytes=256 << 20))
    r = h.handle(HttpRequest("GET", "/"))
    assert (r.status, _json(r)) == (504, {"error": "timeout", "limitMs": 300})
    assert r.failure is not None and r.failure.instance_discarded


@pytest.mark.parametrize("source", [
    "export default function handler(req) { return Response.text('default'); }",
    "export default (req) => Response.text('default');",
    "export function handler(req) { return Response.text('default'); }",
    "export async function handler(req) { return Response.text('default'); }",
])
def test_handler_entry_forms(host: Host, source: str) -> None:
    h = host.load(Bundle(source, "forms.js"))
    assert h.handle(HttpRequest("GET", "/")).body == b"default"


def test_capability_denial_cannot_be_caught(tmp_path: Path) -> None:
    from zigttp_host.modules import builtin_functions
    from zigttp_host.registry import CapabilityDenied

    def secret(ctx, args):
        raise CapabilityDenied("env", args[0])

    functions = builtin_functions()
    functions.by_id[100] = ("secret", secret)
    functions.modules["zigttp:probe"] = {"secret": 100}
    embedded = Host(cache_root=tmp_path, functions=functions)
    src = ("import { secret } from 'zigttp:probe';\n"
           "export function handler(req) {\n"
           "  try { return Response.text(secret('API_KEY')); }\n"
           "  catch (e) { return Response.text('swallowed: ' + e); }\n"
           "}\n")
    h = embedded.load(Bundle(src, "probe.js"), Limits(fuel=10**10))
    r = h.handle(HttpRequest("GET", "/"))
    assert (r.status, _json(r)) == (500, {"error": "capability_denied", "capability": "env", "name": "API_KEY"})
    embedded.engine.close()


def test_host_function_errors_become_js_errors_and_bugs_never_kill_the_instance(tmp_path: Path) -> None:
    from zigttp_host.modules import builtin_functions
    from zigttp_host.registry import HostTypeError

    def strict(ctx, args):
        if not isinstance(args[0], str):
            raise HostTypeError("strict(): parameter 'name' must be a string")
        return {"echo": args[0], "big": "x" * 4096}

    def buggy(ctx, args):
        return 1 / 0

    functions = builtin_functions()
    functions.by_id[100] = ("strict", strict)
    functions.by_id[101] = ("buggy", buggy)
    functions.modules["zigttp:probe"] = {"strict": 100, "buggy": 101}
    embedded = Host(cache_root=tmp_path, functions=functions)
    src = ("import { strict, buggy } from 'zigttp:probe';\n"
           "export function handler(req) {\n"
           "  const out = {};\n"
           "  try { strict(5); } catch (e) { out.type = e.name + ': ' + e.message; }\n"
           "  try { buggy(); } catch (e) { out.bug = e.name; }\n"
           "  const r = strict('ok');\n"
           "  out.echo = r.echo; out.big = r.big.length;\n"
           "  return Response.json(out);\n"
           "}\n")
    h = embedded.load(Bundle(src, "probe.js"), Limits(fuel=10**10))
    assert _json(h.handle(HttpRequest("GET", "/"))) == {
        "type": "TypeError: strict(): parameter 'name' must be a string", "bug": "InternalError",
        "echo": "ok", "big": 4096}
    embedded.engine.close()


def test_an_instance_idle_past_its_setup_deadline_still_serves(host: Host) -> None:
    # The pooled instance is made at warm-up; its first request grows the
    # exchange buffer with a guest call. Epochs that pass while it sits idle
    # (here advanced by hand: 20 s worth) must not trap that call.
    from zigttp_host.instance import EPOCH_TICK_MS, SETUP_TIMEOUT_MS

    h = host.load(Bundle("export function handler(req) { return Response.json({ n: req.text().length }); }",
                         "idle.js"))
    h.warm()
    for _ in range(2 * SETUP_TIMEOUT_MS // EPOCH_TICK_MS):
        host.engine.wasmtime.increment_epoch()
    r = h.handle(HttpRequest("POST", "/", [], b"x" * 100_000))
    assert (r.status, _json(r)) == (200, {"n": 100_000})


def test_performance_now_counts_from_the_instance_start(host: Host) -> None:
    # The time origin is frozen into the snapshot; the clock the guest reads
    # later must count from it, not from whatever the host's monotonic clock says.
    h = host.load(Bundle("export function handler(req) { return Response.json({ p: performance.now() }); }",
                         "perf.js"))
    first = _json(h.handle(HttpRequest("GET", "/")))["p"]  # type: ignore[index]
    second = _json(h.handle(HttpRequest("GET", "/")))["p"]  # type: ignore[index]
    assert 0 <= first <= second < 60_000


def test_a_frame_outside_the_guest_memory_is_refused_not_read(host: Host) -> None:
    # the guest says where its response lies; the host copies it out only from inside linear memory
    from zigttp_host.abi import read_frame
    from zigttp_host.instance import GuestFailure

    h = host.load(Bundle("export function handler(req) { return Response.text('x') }", "bounds.js"))
    h.handle(HttpRequest("GET", "/"))
    inst = h._acquire()
    size = inst.memory_size()
    assert len(inst._memory_view(size)) == size
    with pytest.raises(GuestFailure) as e:
        inst._memory_view(size + 1)
    assert e.value.kind == "internal_error" and e.value.trapped
    view = inst._memory_view(16)
    with pytest.raises(ValueError, match="shorter"):
        read_frame(view, 0, 3)
    view[0:4] = (100).to_bytes(4, "little")
    with pytest.raises(ValueError, match="exceeds"):
        read_frame(view, 0, 50)


def test_requests_and_responses_larger_than_the_memory_seen_so_far_are_copied_whole(host: Host) -> None:
    h = host.load(Bundle("export function handler(req) { const n = Number(req.query.n);"
                         " return Response.text(req.text() + 'y'.repeat(n)) }", "big.js"),
                  Limits(max_body_bytes=8 << 20, max_response_bytes=32 << 20))
    assert h.handle(HttpRequest("GET", "/?n=1")).body == b"y"
    body = bytes(range(97, 123)) * 200_000  # 5.2 MB: past the memory the first requests needed
    r = h.handle(HttpRequest("POST", "/?n=2000000", [], body))
    assert r.status == 200 and r.body == body + b"y" * 2_000_000


@pytest.mark.parametrize("allocator", ["on-demand", "pooling"])
def test_fresh_instances_start_with_their_image_s_exchange_buffer(allocator: str) -> None:
    # a new instance takes the buffer its Handler learnt from the first one, without asking the guest:
    # requests smaller and larger than that buffer, each on a new instance, all arrive whole
    host = Host(engine_config=EngineConfig(allocator=allocator))
    h = host.load(Bundle("export function handler(req) { return Response.text(req.method + req.text()) }",
                         "echo.js"), isolation="fresh")
    for size in (0, 10, 3000, 5000, 100_000, 10):
        body = bytes(range(97, 123)) * (size // 26) + b"z" * (size % 26)
        r = h.handle(HttpRequest("POST", "/", [], body))
        assert r.status == 200 and r.body == b"POST" + body
    ptr, cap = h._pristine_buffer  # type: ignore[misc]
    assert ptr > 0 and cap == 4096
    inst = h._acquire()
    assert inst.pristine_buffer() == (ptr, cap)  # what every new instance of this image holds
