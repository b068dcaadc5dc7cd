"""The serve configuration, handed to every granian worker through one environment variable."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field

from zigttp_host import Limits

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
    quiet: bool = False
    verified: bool = True
    limits: dict = field(default_factory=dict)

    def limits_obj(self) -> Limits:
        return Limits(**self.limits)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServeConfig:
        raw = os.environ.get(CONFIG_ENV)
        if not raw:
            raise RuntimeError(f"{CONFIG_ENV} is not set: workers are started by `zigttp serve`")
        return cls(**json.loads(raw))
