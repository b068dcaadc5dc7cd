"""The serve configuration, handed to every granian worker through one environment variable."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from zigttp_host import EngineConfig, Limits, ModuleConfig
from zigttp_host.grants import Grants

CONFIG_ENV = "ZIGTTP_SERVE_CONFIG"


@dataclass
class ServeConfig:
    handler_path: str
    bundle_path: str  # the emitted JS the workers load
    bundle_name: str
    line_map_path: str | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    threads: int = 4
    isolation: str = "pooled"
    inline: bool = True  # try requests on the event loop's instance first (Handler.handle_inline)
    quiet: bool = False
    body_timeout_s: int = 30  # --body-timeout: from the start of reading a request's body to its end
    verified: bool = True
    limits: dict = field(default_factory=dict)
    modules: dict = field(default_factory=dict)  # ModuleConfig.to_dict() form, less the workers' own paths
    grants: dict | None = None  # Grants.to_dict(): what the handler may reach (None: nothing; serve always sets it)
    contract: dict | None = None  # GET /_zigttp/contract's answer {contract, grants}, only with --expose-contract
    expose_contract: bool = False
    # --trace: {path, max_bytes, secrets, state_isolated}; each worker writes through its own TraceWriter
    trace: dict | None = None
    # --watch: workers follow the generations the parent publishes in the bundle's folder (generations.py)
    watch: bool = False

    def limits_obj(self) -> Limits:
        return Limits(**self.limits)

    def engine_config(self) -> EngineConfig:
        """wasmtime's allocator for this server: a new instance per request (`--isolation fresh`) comes from
        the pooling allocator, whose slots are reset by copying back the pages a request wrote (about 2.5x
        cheaper than mapping a new instance, docs/benchmarks.md), sized for every thread's instance and
        for the memory limit; pooled instances live long, so they are mapped on demand."""
        if self.isolation != "fresh":
            return EngineConfig()
        default = EngineConfig.pool_memory_bytes
        return EngineConfig(allocator="pooling", pool_instances=2 * self.threads + 16,
                            pool_memory_bytes=max(default, self.limits_obj().memory_bytes))

    def module_config(self) -> ModuleConfig:
        """The zigttp:* module configuration; the shared cache file lives in the server's state folder.

        It names no egress origin: the grants are the one carrier of what the handler may reach.
        """
        data = dict(self.modules)
        if data.get("cache_backend") == "sqlite" and not data.get("cache_path"):
            data["cache_path"] = str(Path(self.bundle_path).parent / "cache.sqlite3")
        return ModuleConfig.from_dict(data)

    def grants_obj(self) -> Grants | None:
        return None if self.grants is None else Grants.from_dict(self.grants)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServeConfig:
        raw = os.environ.get(CONFIG_ENV)
        if not raw:
            raise RuntimeError(f"{CONFIG_ENV} is not set: workers are started by `zigttp serve`")
        return cls(**json.loads(raw))
