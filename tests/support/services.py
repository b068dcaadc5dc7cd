"""Real PostgreSQL and Redis servers on 127.0.0.1 for tests, scripts and benchmarks.

Each server is started from the machine's binaries into a fresh folder on a
free port and removed afterwards. PostgreSQL refuses to run as root, so as
root it runs as the `postgres` user the Debian package creates.
`scripts/run test` installs the packages when they are absent; here a
server that cannot start raises `Unavailable` with the reason, which the
test fixtures turn into a skip outside CI and a failure under `CI=true`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 60.0


class Unavailable(RuntimeError):
    """A server could not be started here; the message says why."""


@dataclass
class Service:
    url: str
    port: int
    folder: Path
    proc: subprocess.Popen[bytes]

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise Unavailable("PostgreSQL is not installed (no initdb; scripts/run test installs it)")
    return Path(initdb).parent


def _run_as() -> tuple[int, int] | None:
    """The (uid, gid) to run PostgreSQL as: None when not root, else the `postgres` user."""
    if os.geteuid() != 0:
        return None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable("running as root and there is no `postgres` user to run PostgreSQL as") from None
    return user.pw_uid, user.pw_gid


def _wait_port(port: int, proc: subprocess.Popen[bytes], folder: Path, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
            raise Unavailable(f"{what} exited with {proc.returncode}: {log[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        if time.monotonic() > deadline:
            raise Unavailable(f"{what} did not listen on 127.0.0.1:{port} within {START_TIMEOUT_S:.0f} s")
        time.sleep(0.05)


def _stop(proc: subprocess.Popen[bytes], sig: int) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _pg_ready(url: str) -> None:
    """Waits until PostgreSQL takes connections (it listens before it has finished starting)."""
    import psycopg

    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError as e:
            if time.monotonic() > deadline:
                raise Unavailable(f"PostgreSQL did not accept connections: {e}") from None
            time.sleep(0.1)


class Postgres:
    """One PostgreSQL cluster in its own folder; `start`/`stop`/`restart` for fault tests."""

    def __init__(self, *, fsync: bool = False) -> None:
        self.bin = _postgres_bin()
        self.owner = _run_as()
        self.fsync = fsync
        self.folder = Path(tempfile.mkdtemp(prefix="zigttp-pg-"))
        self.port = free_port()
        self.url = f"postgresql://zigttp@127.0.0.1:{self.port}/zigttp"
        self.proc: subprocess.Popen[bytes] | None = None
        if self.owner is not None:
            os.chown(self.folder, *self.owner)
        self._initdb()

    def _spawn(self, args: list[str], **kw: object) -> subprocess.Popen[bytes]:
        owner = self.owner
        extra: dict[str, object] = {} if owner is None else {"user": owner[0], "group": owner[1], "extra_groups": []}
        return subprocess.Popen(args, cwd=self.folder, start_new_session=True, **extra, **kw)  # type: ignore[call-overload]

    def _initdb(self) -> None:
        log = (self.folder / "initdb.log").open("wb")
        proc = self._spawn([str(self.bin / "initdb"), "-D", str(self.folder / "data"), "-U", "zigttp", "-A", "trust",
                            "-E", "UTF8", "--locale=C", "--no-sync"], stdout=log, stderr=subprocess.STDOUT)
        if proc.wait(timeout=120) != 0:
            raise Unavailable(f"initdb failed: {(self.folder / 'initdb.log').read_text(errors='replace')[-2000:]}")

    def start(self) -> None:
        log = (self.folder / "server.log").open("ab")
        self.proc = self._spawn(
            [str(self.bin / "postgres"), "-D", str(self.folder / "data"), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.folder}",
             "-c", f"fsync={'on' if self.fsync else 'off'}", "-c", "max_connections=200"],
            stdout=log, stderr=subprocess.STDOUT)
        _wait_port(self.port, self.proc, self.folder, "PostgreSQL")
        _pg_ready(self.url.rsplit("/", 1)[0] + "/postgres")
        import psycopg

        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = 'zigttp'").fetchone() is None:
                conn.execute("CREATE DATABASE zigttp")

    def stop(self, *, fast: bool = True) -> None:
        """Stops the server (fast shutdown: open connections are dropped, as in a restart)."""
        if self.proc is not None:
            _stop(self.proc, signal.SIGINT if fast else signal.SIGTERM)
            self.proc = None

    def kill(self) -> None:
        """SIGKILL of the postmaster: the crash case (its children follow it when they notice)."""
        if self.proc is not None:
            _stop(self.proc, signal.SIGKILL)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def empty_zigttp_tables(url: str) -> None:
    """Drops zigttp's tables (the public schema's) and the tenant_* schemas: a test starts from nothing."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                     "AND tablename LIKE 'zigttp_%'").fetchall():
            conn.execute(f'DROP TABLE "{table}" CASCADE')
        for (schema,) in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant_%'").fetchall():
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def postgres(*, fsync: bool = False) -> Iterator[Postgres]:
    """A running PostgreSQL with an empty database `zigttp`; its url is `.url`."""
    server = Postgres(fsync=fsync)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@contextmanager
def redis() -> Iterator[Service]:
    """A running Redis with no persistence; its url is `.url`."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise Unavailable("Redis is not installed (no redis-server; scripts/run test installs it)")
    folder = Path(tempfile.mkdtemp(prefix="zigttp-redis-"))
    port = free_port()
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(folder), "--protected-mode", "yes"],
                            cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_port(port, proc, folder, "Redis")
        yield Service(f"redis://127.0.0.1:{port}/0", port, folder, proc)
    finally:
        _stop(proc, signal.SIGTERM)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["Postgres", "Service", "Unavailable", "empty_zigttp_tables", "free_port", "postgres", "redis"]
