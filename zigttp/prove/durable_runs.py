"""In-flight durable runs against NEW (`zigttp prove --durable DIR`): the check the runtime makes at resume.

Each incomplete run under DIR is served again, its recorded request through
NEW, on a copy of DIR (the real oplogs are never touched) with the store in
replay-only mode: the run replays its oplog strictly and stops where the
oplog ends (journal.ReplayEnded), so nothing runs live. A run replays when
it reaches that end, or suspends at the wait it was recorded waiting on; it
diverges when NEW attempts something else at a recorded position (a
renamed, reordered, inserted or removed step, another module call): that
is a ZP607 finding naming the run, the position, what was recorded and
what NEW attempts. Any other failure on the way is a ZP607 finding too.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import rules as R
from .findings import Finding, finding
from .inputs import InputError, Side

REPLAYED = ("replay_ended",)


@dataclass(frozen=True)
class RunCheck:
    key: str  # the run's key; for a run whose oplog cannot be read, its folder's name
    replays: bool
    detail: str  # why not, or how it ended
    readable: bool = True

    @property
    def location(self) -> str:
        return f"run {self.key}" if self.readable else f"run folder {self.key}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "replays": self.replays, "detail": self.detail}
        if not self.readable:
            out["folder"] = self.key
        return out


def check_runs(new: Side, folder: Path) -> tuple[list[RunCheck], list[Finding]]:
    """Every incomplete run under `folder` replayed against NEW; the checks, in key order, and their findings."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such durable folder")
    bundle = new.bundle()
    if bundle is None:
        raise InputError(f"{new.given}: a contract alone has no bundle to replay durable runs against")
    with tempfile.TemporaryDirectory(prefix="zigttp-prove-durable-") as tmp:
        copy = Path(tmp) / "durable"
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("fetch"))
        checks = _replay_all(new, bundle, copy)
    found = [finding(R.DURABLE_RUN_DIVERGES, c.location, "", None, None, c.detail) for c in checks
             if not c.replays]
    return checks, found


def _replay_all(new: Side, bundle: Any, copy: Path) -> list[RunCheck]:
    from zigttp_host import Grants, Host, Limits, ModuleConfig
    from zigttp_host.durable.oplog import OplogError
    from zigttp_host.durable.scheduler import request_of
    from zigttp_host.durable.store import FileStore

    store = FileStore(copy)
    keys = sorted(store.incomplete_keys())
    # not proved, so not safe: a run the runtime could not resume either
    unreadable = [RunCheck(name, False, f"{why}: the run cannot be read, so it cannot be replayed", readable=False)
                  for name, why in store.unreadable_runs()]
    if not keys:
        return unreadable
    host = Host(modules=ModuleConfig(durable_dir=str(copy), durable_replay_only=True))
    try:
        handler = host.load(bundle, Limits(), grants=Grants.from_contract(new.contract))
        checks = []
        for key in keys:
            try:
                oplog = store.read(key)
            except OplogError as e:
                checks.append(RunCheck(key, False, f"its oplog cannot be read, so it cannot be replayed: {e}"))
                continue
            if oplog is None:  # created, its first lines never written: not started, nothing to resume
                continue
            checks.append(_check(key, handler.handle(request_of(oplog.request))))
        return checks + unreadable
    finally:
        host.engine.close()


def _check(key: str, response: Any) -> RunCheck:
    failure = response.failure
    if failure is not None and failure.kind in REPLAYED:
        return RunCheck(key, True, "replays its oplog to the end")
    if response.status == 202 and failure is None:
        return RunCheck(key, True, "replays its oplog up to the wait it was recorded on")
    if failure is not None and failure.kind == "durable_diverged":
        return RunCheck(key, False, failure.message)
    what = failure.kind if failure is not None else f"status {response.status}"
    message = f": {failure.message}" if failure is not None and failure.message else ""
    return RunCheck(key, False, f"the run ends with {what}{message} instead of replaying")
