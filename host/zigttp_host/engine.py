"""The process-wide wasmtime Engine, its epoch ticker and the compiled-module cache."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path

import wasmtime

from .cachekeys import MAX_WASM_STACK, EngineConfig, artifact_path, calibration_path
from .epochticker import NativeEpochTicker
from .paths import cache_dir

__all__ = ["Engine", "EngineConfig", "ModuleCache", "artifact_path", "calibration_path"]

EPOCH_TICK_SECONDS = 0.010
log = logging.getLogger("zigttp.engine")


class Engine:
    """One wasmtime Engine per process plus the thread that advances its epoch.

    The epoch is the wall clock of every call into the guest: a store's
    deadlines (deadlines.py) are counted in ticks of EPOCH_TICK_SECONDS. A
    native thread advances it where the native ticker is built
    (epochticker.py), so it runs while a call holds the GIL (`native_epochs`);
    else a Python thread does. Engine, Module and Linker are thread-safe;
    each Store is used by one thread at a time.
    """

    def __init__(self, config: EngineConfig | None = None, *, cache_root: Path | None = None) -> None:
        self.config = config or EngineConfig()
        if self.config.max_wasm_stack > MAX_WASM_STACK:
            raise ValueError(f"max_wasm_stack above {MAX_WASM_STACK} aborts wasmtime-py")
        self.allocator = "on-demand"
        self.pool_memory_bytes: int | None = None  # pooling: no instance's memory can grow past its slot
        if self.config.allocator == "pooling":
            self.wasmtime = self._pooling_engine()
        else:
            self.wasmtime = wasmtime.Engine(self._base_config())
        self.cache = ModuleCache(self, cache_root or cache_dir() / "modules")
        self._ticker: threading.Thread | None = None
        self._native = NativeEpochTicker.load(self.wasmtime, EPOCH_TICK_SECONDS) if self.config.epoch_interruption \
            else None
        self._ticker_lock = threading.Lock()
        self._stop = threading.Event()

    def _base_config(self) -> wasmtime.Config:
        cfg = wasmtime.Config()
        cfg.consume_fuel = self.config.consume_fuel
        cfg.epoch_interruption = self.config.epoch_interruption
        cfg.max_wasm_stack = self.config.max_wasm_stack
        # A stable base address lets the host keep raw pointers into linear
        # memory for the duration of a call.
        cfg.memory_may_move = False
        return cfg

    def _pooling_engine(self) -> wasmtime.Engine:
        """A pooling engine, or an on-demand one where the pool's address space is refused."""
        from .pooling import PoolingConfig, apply_pooling, reservation_refused

        pooling = PoolingConfig(total_instances=self.config.pool_instances,
                                max_memory_bytes=self.config.pool_memory_bytes)
        # wasmtime's C API aborts the process when the pool's reservation fails, so it is tried here first
        refused = reservation_refused(pooling)
        if refused is not None:
            log.warning("the pooling allocator is not available here (%s): allocating on demand", refused)
            return wasmtime.Engine(self._base_config())
        cfg = self._base_config()
        apply_pooling(cfg, pooling)
        try:
            engine = wasmtime.Engine(cfg)
        except wasmtime.WasmtimeError as e:
            log.warning("the pooling allocator is not available here (%s): allocating on demand", e)
            return wasmtime.Engine(self._base_config())
        self.allocator = "pooling"
        self.pool_memory_bytes = self.config.pool_memory_bytes
        return engine

    @property
    def native_epochs(self) -> bool:
        """The epoch advances without the GIL in this process: a bounded call may hold the GIL."""
        return self._native is not None and self._native.running

    def ensure_ticker(self) -> None:
        """Starts the ticker (lazily, so forked workers start their own)."""
        if not self.config.epoch_interruption:
            return
        with self._ticker_lock:
            if self._native is not None:
                self._native.start()
                return
            if self._ticker is not None and self._ticker.is_alive():
                return
            self._stop.clear()
            self._ticker = threading.Thread(target=self._tick, name="zigttp-epoch", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(EPOCH_TICK_SECONDS):
            self.wasmtime.increment_epoch()

    def close(self) -> None:
        self._stop.set()
        if self._native is not None:
            self._native.stop()
        if self._ticker is not None:
            self._ticker.join(timeout=1)


class ModuleCache:
    """Compiled modules on disk, keyed by wasm sha256 + wasmtime version + engine config.

    Compiling the guest takes most of a second; deserialising a cached artifact
    is a memory map. Writes are atomic; any load error falls back to compiling.
    """

    def __init__(self, engine: Engine, root: Path) -> None:
        self.engine = engine
        self.root = root
        self.hits = 0
        self.compiles = 0

    def path_for(self, wasm_sha256: str) -> Path:
        return artifact_path(self.root, wasm_sha256, self.engine.config)

    def lookup(self, wasm_sha256: str) -> wasmtime.Module | None:
        path = self.path_for(wasm_sha256)
        if not path.exists():
            return None
        try:
            module = wasmtime.Module.deserialize_file(self.engine.wasmtime, str(path))
        except (wasmtime.WasmtimeError, OSError, ValueError):
            # stale or truncated artifact: recompile and overwrite
            return None
        self.hits += 1
        return module

    def load(self, wasm: bytes, wasm_sha256: str | None = None) -> wasmtime.Module:
        digest = wasm_sha256 or hashlib.sha256(wasm).hexdigest()
        module = self.lookup(digest)
        if module is not None:
            return module
        module = wasmtime.Module(self.engine.wasmtime, wasm)
        self.compiles += 1
        self._store(digest, module.serialize())
        return module

    def _store(self, digest: str, artifact: bytes) -> None:
        path = self.path_for(digest)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".cwasm")
            with os.fdopen(fd, "wb") as f:
                f.write(artifact)
            os.replace(tmp, path)
        except OSError:
            # a read-only cache only costs speed
            pass
