"""Where durable runs live: the store interface, and the file store under `--durable DIR`.

The interface is what the semantics need and nothing more, so a store on
PostgreSQL drops in: read a run, create it, append to it (with the claim's
fencing token), claim and release it, list runs, signals, timers, dead
runs, and the scheduler's lead (one scheduler per store).
The file store keeps the seed's layout:

    DIR/runs/<key>/oplog.jsonl          one run's events (oplog.py), fsync'd per line
    DIR/runs/<key>/.lock                held (flock) while a process executes the run
    DIR/signals/<key>/<name>/<t>-<id>.json   signals not yet delivered, oldest first
    DIR/scheduled/<unix_ms>-<key>-<name>.json  timers and signalAt deliveries
    DIR/fetch/<hash>.step               fetch(url, { durable }) responses (virtual_modules/fetchcache.py)

Keys and names become file names through names.py. Files other than the
oplog are written atomically (temporary file, fsync, rename, fsync of the
folder); a new folder or file is made durable by an fsync of its parent.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from .. import wellformed
from .names import file_name
from .oplog import COMPLETE_LINE, Oplog, OplogError, parse

SLEEP_NAME = "~sleep"  # the schedule name of a sleep()'s timer: no signal name maps to it


class StoreUnavailable(OSError):
    """The store cannot be reached or failed (PostgreSQL down, a dropped connection): the request answers 503."""


class ClaimLost(OSError):
    """The claim's lease expired and another host claimed the run: this owner must not write or act for it."""


@dataclass
class Claim:
    """The right to execute one run now. `token` fences writes in stores shared by several hosts."""

    key: str
    token: int
    handle: Any = None  # the store's own (the file store: the lock's and the oplog's file descriptors)


@dataclass(frozen=True)
class Scheduled:
    at_ms: int
    key: str
    name: str  # SLEEP_NAME for a timer
    payload: Any
    ref: str  # the store's handle to remove it


class DurableStore(Protocol):
    replay_only: bool  # runs replay their oplog and stop where it ends (zigttp prove --durable)

    def read(self, key: str) -> Oplog | None: ...
    def claim(self, key: str) -> Claim | None: ...
    def release(self, claim: Claim) -> None: ...
    def abandon(self, claim: Claim) -> None: ...  # released for a resume at once: its request failed on the store
    def create(self, claim: Claim, first_lines: bytes) -> None: ...
    def append(self, claim: Claim, line: bytes) -> None: ...
    def drop_torn_tail(self, claim: Claim) -> None: ...
    def check(self, claim: Claim) -> None: ...  # raises ClaimLost when the claim is no longer this owner's
    def run_keys(self) -> list[str]: ...
    def incomplete_keys(self) -> list[str]: ...
    def orphaned_keys(self) -> list[str]: ...  # incomplete runs whose owner's lease expired while holding them
    def put_signal(self, key: str, name: str, payload: Any, signal_id: str | None = None) -> bool: ...
    def signals(self, key: str, name: str) -> list[tuple[str, Any]]: ...
    def drop_signal(self, key: str, name: str, signal_id: str) -> None: ...
    def schedule(self, at_ms: int, key: str, name: str, payload: Any) -> None: ...
    def due(self, now_ms: int) -> list[Scheduled]: ...
    def unschedule(self, item: Scheduled) -> None: ...
    def waiting_signal_keys(self) -> list[str]: ...
    def fetch_entry(self, digest: str) -> bytes | None: ...
    def put_fetch_entry(self, digest: str, data: bytes) -> None: ...
    def park(self, key: str, reason: str, attempts: int) -> None: ...
    def is_dead(self, key: str) -> bool: ...
    def dead_runs(self) -> list[dict[str, Any]]: ...
    def revive(self, key: str) -> bool: ...
    def discard(self, key: str) -> bool: ...
    def remove_completed(self, older_than_s: float) -> int: ...
    def take_lead(self) -> Any: ...  # None when another scheduler leads; else a token for release_lead
    def keep_lead(self, lead: Any) -> bool: ...  # False once another scheduler took the lead over
    def wait_for_work(self, timeout_s: float) -> None: ...  # returns early when a signal or timer was added
    def release_lead(self, lead: Any) -> None: ...
    def close(self) -> None: ...


class FileStore:
    """The default store: plain files under one folder, one writer per run (flock)."""

    def __init__(self, root: str | Path, *, replay_only: bool = False) -> None:
        self.root = Path(root)
        # zigttp prove --durable: runs replay their oplog and stop where it ends (journal.ReplayEnded)
        self.replay_only = replay_only

    # ---------- paths ----------

    def _run_dir(self, key: str) -> Path:
        return self.root / "runs" / file_name(key)

    def _ensure(self, folder: Path) -> None:
        if folder.is_dir():
            return
        missing = [p for p in [folder, *folder.parents] if not p.exists()]
        for p in reversed(missing):  # owner-only; a new folder is durable once its parent's entry is
            p.mkdir(mode=0o700, exist_ok=True)
            os.chmod(p, 0o700)  # mkdir's mode is masked by the umask
            _fsync_dir(p.parent)

    # ---------- runs ----------

    def read(self, key: str) -> Oplog | None:
        path = self._run_dir(key) / "oplog.jsonl"
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        if raw.count(b"\n") < 2:
            return None  # created but its first lines never completed: the run has not started
        return parse(raw, str(path.relative_to(self.root)))  # named within the folder: errors reach clients

    def claim(self, key: str) -> Claim | None:
        folder = self._run_dir(key)
        self._ensure(folder)
        lock = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            return None
        return Claim(key, 0, [lock, None])

    def release(self, claim: Claim) -> None:
        lock, oplog = claim.handle
        if oplog is not None:
            os.close(oplog)
        os.close(lock)  # closing releases the flock
        claim.handle = [None, None]

    def abandon(self, claim: Claim) -> None:
        """One host holds a folder: a run whose request failed is found by its sweep or a client's retry."""
        self.release(claim)

    def create(self, claim: Claim, first_lines: bytes) -> None:
        folder = self._run_dir(claim.key)
        fd = os.open(folder / "oplog.jsonl", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND | os.O_CLOEXEC,
                     0o600)
        claim.handle[1] = fd
        _write_all(fd, first_lines)
        os.fsync(fd)
        _fsync_dir(folder)

    def append(self, claim: Claim, line: bytes) -> None:
        fd = claim.handle[1]
        if fd is None:
            fd = claim.handle[1] = os.open(self._run_dir(claim.key) / "oplog.jsonl",
                                           os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
        _write_all(fd, line)
        os.fsync(fd)

    def drop_torn_tail(self, claim: Claim) -> None:
        """Cuts a last line the writer never finished, so the next append starts on a line of its own."""
        path = self._run_dir(claim.key) / "oplog.jsonl"
        raw = path.read_bytes()
        keep = raw.rfind(b"\n") + 1
        if keep < len(raw):
            os.truncate(path, keep)
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def check(self, claim: Claim) -> None:
        """A flock is held until released or the process dies: a live owner never loses it."""

    def run_keys(self) -> list[str]:
        return self._keys(incomplete_only=False)

    def orphaned_keys(self) -> list[str]:
        """None: a dead owner's flock goes with it, and the scheduler's sweep finds its stalled runs."""
        return []

    def incomplete_keys(self) -> list[str]:
        """Runs not completed (what recovery looks at), read from each oplog's first line and its end only."""
        return self._keys(incomplete_only=True)

    def _keys(self, *, incomplete_only: bool) -> list[str]:
        out = []
        for folder in sorted((self.root / "runs").glob("*")):
            try:
                with (folder / "oplog.jsonl").open("rb") as f:
                    first = f.readline()
                    if incomplete_only and _ends_complete(f):
                        continue
                key = wellformed.loads(first).get("key")
            except (OSError, wellformed.MalformedJson, AttributeError):
                continue
            if isinstance(key, str):
                out.append(key)
        return out

    def unreadable_runs(self) -> list[tuple[str, str]]:
        """Run folders whose oplog names no run (missing, not a file, empty, not a JSON object), each with why.

        run_keys and recovery pass over them; a proof must not (`zigttp prove --durable`), or it would
        call runs safe that it never replayed."""
        out = []
        for folder in sorted((self.root / "runs").glob("*")):
            if folder.is_dir() and (why := _unreadable(folder)) is not None:
                out.append((folder.name, why))
        return out

    def remove_completed(self, older_than_s: float) -> int:
        """Removes runs completed more than older_than_s ago (by the oplog's last write); how many went."""
        import shutil

        cutoff = time.time() - older_than_s
        removed = 0
        for folder in sorted((self.root / "runs").glob("*")):
            oplog = folder / "oplog.jsonl"
            try:
                if oplog.stat().st_mtime > cutoff or not oplog.read_bytes().endswith(COMPLETE_LINE):
                    continue
            except OSError:
                continue
            claim = self.claim_folder(folder)
            if claim is None:
                continue  # executing right now
            try:
                shutil.rmtree(self.root / "signals" / folder.name, ignore_errors=True)
                shutil.rmtree(folder)
                removed += 1
            finally:
                os.close(claim)
        if removed:
            _fsync_dir(self.root / "runs")
        return removed

    def claim_folder(self, folder: Path) -> int | None:
        try:
            return _try_lock(folder / ".lock")
        except OSError:
            return None

    # ---------- the scheduler's lead ----------

    def take_lead(self) -> int | None:
        """One scheduler per folder: the one holding `scheduler.lock` (its descriptor is the token)."""
        self._ensure(self.root)
        return _try_lock(self.root / "scheduler.lock")

    def keep_lead(self, lead: int) -> bool:
        return True  # the flock is this process's until it closes it

    def wait_for_work(self, timeout_s: float) -> None:
        """A folder has no notifications: the scheduler looks again after `timeout_s`."""
        time.sleep(timeout_s)

    def release_lead(self, lead: int) -> None:
        os.close(lead)  # closing releases the flock

    def close(self) -> None:
        """Nothing is held between calls."""

    # ---------- signals ----------

    def _signal_dir(self, key: str, name: str) -> Path:
        return self.root / "signals" / file_name(key) / file_name(name)

    def put_signal(self, key: str, name: str, payload: Any, signal_id: str | None = None) -> bool:
        """Keeps a signal for run `key`; False (not kept) when there is no such run or it has completed.

        `signal_id` names a signal whose sender may send it again (a timer fired twice): the same id is
        one signal, and a run that recorded its delivery never takes it again.
        """
        try:
            with (self._run_dir(key) / "oplog.jsonl").open("rb") as f:
                if _ends_complete(f):
                    return False  # no waitSignal will ever take it
        except FileNotFoundError:
            return False
        signal_id = signal_id or f"{time.time_ns():020d}-{secrets.token_hex(6)}"
        folder = self._signal_dir(key, name)
        self._ensure(folder)
        _atomic_write(folder / f"{signal_id}.json",
                      wellformed.dumps({"key": key, "name": name, "id": signal_id, "payload": payload}))
        return True

    def signals(self, key: str, name: str) -> list[tuple[str, Any]]:
        out = []
        for path in sorted(self._signal_dir(key, name).glob("*.json")):
            try:
                doc = wellformed.loads(path.read_bytes())
            except (OSError, wellformed.MalformedJson):
                continue
            if isinstance(doc, dict) and doc.get("key") == key and doc.get("name") == name:
                out.append((str(doc.get("id", path.stem)), doc.get("payload")))
        return out

    def drop_signal(self, key: str, name: str, signal_id: str) -> None:
        folder = self._signal_dir(key, name)
        try:
            (folder / f"{signal_id}.json").unlink()
            _fsync_dir(folder)
        except FileNotFoundError:
            pass

    def fetch_entry(self, digest: str) -> bytes | None:
        """A stored fetch(url, { durable }) response (virtual_modules/fetchcache.py), by its hash."""
        try:
            return (self.root / "fetch" / f"{digest}.step").read_bytes()
        except OSError:
            return None

    def put_fetch_entry(self, digest: str, data: bytes) -> None:
        path = self.root / "fetch" / f"{digest}.step"
        self._ensure(path.parent)
        _atomic_write(path, data)

    # ---------- timers ----------

    def schedule(self, at_ms: int, key: str, name: str, payload: Any) -> None:
        folder = self.root / "scheduled"
        self._ensure(folder)
        _atomic_write(folder / f"{at_ms}-{file_name(key)}-{file_name(name)}.json",
                      wellformed.dumps({"key": key, "name": name, "at_ms": at_ms, "payload": payload}))

    def due(self, now_ms: int) -> list[Scheduled]:
        out = []
        for path in sorted((self.root / "scheduled").glob("*.json")):
            at, _, _ = path.name.partition("-")
            if not at.isdigit() or int(at) > now_ms:
                continue
            try:
                doc = wellformed.loads(path.read_bytes())
            except (OSError, wellformed.MalformedJson):
                continue
            if not isinstance(doc, dict) or not isinstance(doc.get("key"), str) or not isinstance(doc.get("name"), str):
                continue  # not one of ours: it must not hold up the timers after it
            out.append(Scheduled(int(at), doc["key"], doc["name"], doc.get("payload"), str(path)))
        return sorted(out, key=lambda s: s.at_ms)

    def unschedule(self, item: Scheduled) -> None:
        try:
            os.unlink(item.ref)
            _fsync_dir(Path(item.ref).parent)
        except FileNotFoundError:
            pass

    def waiting_signal_keys(self) -> list[str]:
        """Runs with at least one signal not yet delivered (their real keys, from the signal files)."""
        keys = []
        for run_dir in sorted((self.root / "signals").glob("*")):
            for path in sorted(run_dir.glob("*/*.json"))[:1]:
                try:
                    key = wellformed.loads(path.read_bytes()).get("key")
                except (OSError, wellformed.MalformedJson, AttributeError):
                    continue
                if isinstance(key, str):
                    keys.append(key)
        return keys

    # ---------- dead runs ----------

    def _dead_path(self, key: str) -> Path:
        return self.root / "dead-runs" / f"{file_name(key)}.json"

    def park(self, key: str, reason: str, attempts: int) -> None:
        from .scheduler import dead_record

        self._ensure(self.root / "dead-runs")
        _atomic_write(self._dead_path(key), dead_record(key, reason, attempts))

    def is_dead(self, key: str) -> bool:
        path = self._dead_path(key)
        if not path.exists():
            return False
        try:
            return wellformed.loads(path.read_bytes()).get("state") == "dead"
        except (OSError, wellformed.MalformedJson, AttributeError):
            return True

    def dead_runs(self) -> list[dict[str, Any]]:
        out = []
        for path in sorted((self.root / "dead-runs").glob("*.json")):
            try:
                doc = wellformed.loads(path.read_bytes())
            except (OSError, wellformed.MalformedJson):
                continue
            if isinstance(doc, dict) and isinstance(doc.get("key"), str):  # a hand-edited record names no run
                out.append(doc)
        return out

    def revive(self, key: str) -> bool:
        """Replay a dead run: its record goes, and a timer due now has the scheduler retry it at once."""
        try:
            self._dead_path(key).unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(self._dead_path(key).parent)
        self.schedule(int(time.time() * 1000), key, SLEEP_NAME, None)
        return True

    def discard(self, key: str) -> bool:
        """Discard a dead run: kept as a record with state "discarded", never retried."""
        path = self._dead_path(key)
        try:
            doc = wellformed.loads(path.read_bytes())
        except (OSError, wellformed.MalformedJson):
            return False
        if not isinstance(doc, dict):
            return False  # not a record of ours (hand-edited): nothing to discard
        doc["state"] = "discarded"
        doc["discarded_at_ms"] = int(time.time() * 1000)
        _atomic_write(path, wellformed.dumps(doc))
        return True


def _unreadable(folder: Path) -> str | None:
    """Why the run folder's oplog names no run of that folder, or None when it does."""
    try:
        with (folder / "oplog.jsonl").open("rb") as f:
            first = f.readline()
    except OSError as e:
        return f"its oplog cannot be opened: {e.strerror or e}"
    if not first.strip():
        return "its oplog is empty"
    try:
        key = wellformed.loads(first).get("key")
    except (wellformed.MalformedJson, AttributeError):
        return "its oplog's first line is not a JSON object"
    if not isinstance(key, str):
        return "its oplog's first line names no run key"
    if file_name(key) != folder.name:  # e.g. a key that was not valid UTF-8 and was read with U+FFFD
        return f"its oplog names run {key!r}, which is not this folder's"
    return None


def _ends_complete(f: BinaryIO) -> bool:
    """The open oplog ends with the completion line (read from its end only)."""
    f.seek(max(f.seek(0, os.SEEK_END) - len(COMPLETE_LINE), 0))
    return f.read() == COMPLETE_LINE


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _try_lock(path: Path) -> int | None:
    """An exclusive flock on `path` (created owner-only), or None when another holds it; its descriptor."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def open_store(where: str, *, replay_only: bool = False, lease_s: float | None = None,
               schema: str | None = None) -> DurableStore:
    """The store `where` names: a postgresql:// URL (store_pg.py, in `schema` when given) or a folder."""
    if is_database_url(where):
        if replay_only:
            raise ValueError("replay-only runs read a copy of a durable folder, not a database")
        from .store_pg import DEFAULT_LEASE_S, PostgresStore

        return PostgresStore(where, lease_s=DEFAULT_LEASE_S if lease_s is None else lease_s, schema=schema)
    return FileStore(where, replay_only=replay_only)


def is_database_url(where: str) -> bool:
    return where.startswith(("postgresql://", "postgres://"))


__all__ = ["SLEEP_NAME", "Claim", "ClaimLost", "DurableStore", "FileStore", "OplogError", "Scheduled",
           "StoreUnavailable", "is_database_url", "open_store"]

