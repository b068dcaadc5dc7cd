"""Starts granian with the sandboxed handler: validate first, then fork the workers."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from zigttp_host import EngineConfig, Limits
from zigttp_host.prepare import is_prepared

from ..loader import LoadedSource
from .config import CONFIG_ENV, ServeConfig
from .watch import GrantsFor, Watcher, WatchSettings


class StartError(Exception):
    pass


def prepare_handler(loaded: LoadedSource, limits: Limits, engine: EngineConfig) -> None:
    """Pre-initialises the handler in a child process unless it is cached (for the workers' engine).

    The parent must stay free of wasmtime engines: granian forks the workers.
    """
    if is_prepared(loaded.bundle, limits, engine):
        return
    request = {"source": loaded.bundle.source, "name": loaded.bundle.name, "limits": asdict(limits),
               "engine": asdict(engine)}
    proc = subprocess.run([sys.executable, "-m", "zigttp_host.prepare"], input=json.dumps(request),
                          capture_output=True, text=True, timeout=600)
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        raise StartError(f"error: could not prepare {loaded.path}:\n{proc.stderr.strip()}") from None
    if not result.get("ok"):
        err = result["error"]
        raise StartError(f"error: {loaded.locate(err.get('at'))}: {err['message']}")


def check_listen_address(host: str, port: int) -> None:
    """Fails early and clearly when the address is invalid or taken.

    granian binds with SO_REUSEPORT, so a second server on a busy port would
    silently share its traffic; a plain bind here refuses instead.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise StartError(f"error: cannot listen on {host}:{port}: {e}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(address)
        except OSError as e:
            raise StartError(f"error: cannot listen on {host}:{port}: {e.strerror or e}") from None


def _install_signal_handling(server: Any) -> None:
    """First SIGINT/SIGTERM: graceful shutdown. A second one: exit now.

    granian's own handler sets a threading.Event from inside the signal
    handler; a second signal arriving meanwhile re-enters the Event's lock and
    deadlocks the main process. The Event is set from a short-lived thread
    instead, so the handler itself never blocks.
    """
    signals = {"count": 0}

    def on_interrupt(*_: object) -> None:
        signals["count"] += 1
        if signals["count"] == 1:
            server.interrupt_signal = True
            threading.Thread(target=server.main_loop_interrupt.set, daemon=True).start()
            return
        for child in multiprocessing.active_children():
            child.kill()
        os._exit(130)

    server.signal_handler_interrupt = on_interrupt


def serve(loaded: LoadedSource, config: ServeConfig, watch: WatchSettings | None = None,
          grants_for: GrantsFor | None = None) -> int:
    """Serves until SIGINT/SIGTERM. `watch`: also watch the handler and swap versions (watch.py)."""
    from granian import Granian
    from granian.constants import Interfaces

    check_listen_address(config.host, config.port)
    prepare_handler(loaded, config.limits_obj(), config.engine_config())
    state = Path(tempfile.mkdtemp(prefix="zigttp-serve-"))
    bundle_path = state / "bundle.js"
    bundle_path.write_text(loaded.bundle.source, encoding="utf-8")
    config.bundle_path = str(bundle_path)
    if loaded.line_map_data is not None:
        map_path = state / "bundle.map.json"
        map_path.write_text(json.dumps(loaded.line_map_data), encoding="utf-8")
        config.line_map_path = str(map_path)
    config.bundle_name = loaded.bundle.name
    config.watch = watch is not None
    os.environ[CONFIG_ENV] = config.to_env()
    # Imported here, before granian forks: the workers inherit the loaded
    # modules instead of each importing wasmtime again (cold start).
    import zigttp.server.app  # noqa: F401
    if not config.quiet:
        print(f"zigttp: serving {loaded.path} on http://{config.host}:{config.port} "
              f"({config.workers} worker{'s' if config.workers != 1 else ''}, {config.isolation} isolation, "
              "QuickJS-NG in WebAssembly)", file=sys.stderr, flush=True)
    server = Granian(
        "zigttp.server.app:create_app",
        factory=True,
        address=config.host,
        port=config.port,
        interface=Interfaces.RSGI,
        workers=config.workers,
        log_enabled=not config.quiet,
        log_access=False,
        # handlers cannot take a WebSocket: without this granian answers an
        # upgrade request with an empty 403 instead of handing it over as HTTP
        websockets=False,
        respawn_failed_workers=True,
        workers_kill_timeout=max(5, config.limits_obj().timeout_ms // 1000 + 1),
    )
    _install_signal_handling(server)
    watcher = None
    if watch is not None:
        assert grants_for is not None
        watcher = Watcher(Path(config.handler_path), loaded, state, config.limits_obj(), watch, grants_for,
                          engine=config.engine_config())
        watcher.start()
    try:
        server.serve()
    finally:
        if watcher is not None:
            watcher.stop()
        shutil.rmtree(state, ignore_errors=True)
    return 0
