"""The I/O journal through the embedding API: the real guest records, replays, stubs and resumes."""

from __future__ import annotations

import orjson
import pytest

from zigttp_host import Bundle, Grants, Host, HttpRequest, Limits, ModuleConfig
from zigttp_host.journal import IoEntry, Journal, JournalSink, ReplayEnded
from zigttp_host.tracefile import TraceGroup, read_traces

SOURCE = """import { env } from "zigttp:env";
import { sha256 } from "zigttp:crypto";
export function handler(req) {
  const k = env("API_KEY") ?? "none";
  return Response.json({ t: Date.now(), p: performance.now(), r: Math.random(), h: sha256(k + req.path) });
}"""
GRANTS = Grants(env=frozenset({"API_KEY"}))


@pytest.fixture(scope="module")
def host() -> Host:
    return Host(modules=ModuleConfig(env={"API_KEY": "k-123456"}))


def _load(host: Host, source: str = SOURCE, *, isolation: str = "fresh", trace: object = None):
    return host.load(Bundle(source, "j.js"), Limits(), isolation=isolation, grants=GRANTS,
                     trace=trace)  # type: ignore[arg-type]


def test_record_then_replay_answers_every_call_and_the_seed(host: Host) -> None:
    journal = Journal.record()
    first = _load(host).handle(HttpRequest("GET", "/a"), journal)
    assert first.status == 200
    calls = [(e.module, e.fn) for e in journal.entries]
    assert calls == [("env", "env"), ("builtin", "Date.now"), ("builtin", "performance.now"), ("crypto", "sha256")]
    replay = Journal.replay(journal.entries, journal.seed)
    again = _load(host).handle(HttpRequest("GET", "/a"), replay)
    assert replay.divergences == []
    assert again.body == first.body  # Date.now, performance.now and Math.random included


def test_replay_reports_each_kind_of_divergence(host: Host) -> None:
    journal = Journal.record()
    _load(host).handle(HttpRequest("GET", "/a"), journal)
    # another path changes sha256's argument
    drift = Journal.replay(journal.entries, journal.seed)
    _load(host).handle(HttpRequest("GET", "/b"), drift)
    assert [d.kind for d in drift.divergences] == ["args"]
    assert "crypto.sha256(" in drift.divergences[0].expected and '"k-123456/b"' in drift.divergences[0].actual
    # a version that makes one call fewer leaves it unconsumed; one more is not recorded
    fewer = Journal.replay(journal.entries, journal.seed)
    _load(host, SOURCE.replace('sha256(k + req.path)', '"x"')).handle(HttpRequest("GET", "/a"), fewer)
    assert [(d.kind, d.seq) for d in fewer.divergences] == [("unconsumed", 3)]
    more = Journal.replay(journal.entries, journal.seed)
    _load(host, SOURCE.replace('h: sha256', 'e: env("OTHER"), h: sha256')).handle(HttpRequest("GET", "/a"), more)
    assert "mismatch" in [d.kind for d in more.divergences]


def test_a_recorded_error_is_thrown_again(host: Host) -> None:
    source = """import { hmacSha256 } from "zigttp:crypto";
export function handler(req) {
  try { hmacSha256(1, 2); return Response.text("no error"); } catch (e) { return Response.text(String(e)); }
}"""
    journal = Journal.record()
    recorded = _load(host, source).handle(HttpRequest("GET", "/"), journal)
    assert journal.entries[0].error is not None and journal.entries[0].error.status == "type_error"
    replay = Journal.replay(journal.entries, journal.seed)
    assert _load(host, source).handle(HttpRequest("GET", "/"), replay).body == recorded.body
    assert b"TypeError" in recorded.body


def test_stub_mode_matches_by_name_and_leaves_the_rest_undefined(host: Host) -> None:
    source = """import { env } from "zigttp:env";
import { sha256 } from "zigttp:crypto";
export function handler(req) { return Response.json({ h: sha256("x") ?? null, k: env("API_KEY") ?? null }); }"""
    stub = Journal.stub([IoEntry(0, "env", "env", b'["API_KEY"]', b'"stubbed"')])
    r = _load(host, source).handle(HttpRequest("GET", "/"), stub)
    assert orjson.loads(r.body) == {"h": None, "k": "stubbed"}


class _Sink(JournalSink):
    def __init__(self) -> None:
        self.appended: list[tuple[IoEntry, int | None]] = []

    def append(self, entry: IoEntry, *, fencing_token: int | None) -> None:
        self.appended.append((entry, fencing_token))


def test_resume_replays_the_prefix_then_writes_ahead_through_the_sink(host: Host) -> None:
    journal = Journal.record()
    recorded = _load(host).handle(HttpRequest("GET", "/a"), journal)
    sink = _Sink()
    resumed = Journal.resume(journal.entries[:2], journal.seed, sink, fencing_token=7)
    r = _load(host).handle(HttpRequest("GET", "/a"), resumed)
    assert resumed.live_from == 2
    assert [(e.module, e.fn, token) for e, token in sink.appended] == [
        ("builtin", "performance.now", 7), ("crypto", "sha256", 7)]
    body, before = orjson.loads(r.body), orjson.loads(recorded.body)
    assert (body["t"], body["r"], body["h"]) == (before["t"], before["r"], before["h"])


def test_a_replay_only_resume_stops_where_the_recording_ends_before_any_live_call(host: Host) -> None:
    journal = Journal.record()
    _load(host).handle(HttpRequest("GET", "/a"), journal)
    sink = _Sink()
    resumed = Journal.resume(journal.entries[:2], journal.seed, sink)
    resumed.replay_only = True
    r = _load(host).handle(HttpRequest("GET", "/a"), resumed)
    # the third call (crypto.sha256) would run live: it does not, and nothing is written
    assert (r.status, orjson.loads(r.body)["error"]) == (409, "replay_ended")
    assert sink.appended == [] and resumed.cursor == 2
    with pytest.raises(ReplayEnded):
        resumed.append("durable", "complete", b"[]", b"null")


def test_a_sink_failure_stops_the_call_before_the_guest_sees_it(host: Host) -> None:
    class Failing(JournalSink):
        def append(self, entry: IoEntry, *, fencing_token: int | None) -> None:
            raise OSError("disk full")

    source = """import { env } from "zigttp:env";
export function handler(req) {
  try { return Response.text("went on with " + env("API_KEY")); } catch (e) { return Response.text("caught"); }
}"""
    resumed = Journal.resume([], 1, Failing())
    r = _load(host, source).handle(HttpRequest("GET", "/a"), resumed)
    # uncatchable: the handler neither sees the unrecorded value nor carries on
    assert (r.status, orjson.loads(r.body)) == (500, {"error": "journal_write_failed",
                                                      "message": "journal write failed: disk full"})


def test_a_stopped_trial_leaves_no_group(host: Host, tmp_path) -> None:
    from zigttp_host.tracefile import TraceWriter

    writer = TraceWriter(tmp_path / "t.jsonl", host.functions, meta={"isolation": "pooled"})
    # the cache call stops the trial (not trial-safe); the request runs again on handle()
    source = """import { cacheGet } from "zigttp:cache";
export function handler(req) { return Response.json({ v: cacheGet("ns", "k") ?? null, t: Date.now() }); }"""
    h = host.load(Bundle(source, "trial.js"), Limits(), grants=Grants(cache=frozenset({"ns"})), trace=writer)
    assert h.handle_inline(HttpRequest("GET", "/")) is None
    assert not (tmp_path / "t.jsonl").exists()
    h.handle(HttpRequest("GET", "/"))
    groups: list[TraceGroup] = read_traces(tmp_path / "t.jsonl").groups
    assert len(groups) == 1
    assert [(e.module, e.fn) for e in groups[0].entries] == [("cache", "cacheGet"), ("builtin", "Date.now")]
