"""Names of cached artefacts, computable without creating an engine.

`zigttp serve` checks the cache in the parent process, which must not create
a wasmtime Engine before granian forks its workers; nothing here imports
wasmtime.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

# wasmtime-py aborts the whole process when max_wasm_stack exceeds its fixed
# 2 MiB async stack, so this is both the default and the ceiling.
MAX_WASM_STACK = 2 << 20


POOL_MIN_MEMORY_BYTES = 4 << 20  # the smallest pooling slot (EngineConfig, pooling.PoolingConfig)


@dataclass(frozen=True)
class EngineConfig:
    consume_fuel: bool = True
    epoch_interruption: bool = True
    max_wasm_stack: int = MAX_WASM_STACK
    # "on-demand" (each instance maps its own memory, copy-on-write from the image) or "pooling"
    # (pooling.py: slots reserved once per engine, their written pages kept resident and reset by copying).
    # Measured (docs/benchmarks.md): pooling makes a new instance per request about 2.5x cheaper and is
    # the same for an instance that serves request after request; `serve --isolation fresh` selects it.
    allocator: str = "on-demand"
    # pooling only: instances alive at once, and the largest memory limit any of them may have
    pool_instances: int = 1000
    pool_memory_bytes: int = 128 << 20

    def __post_init__(self) -> None:
        if self.allocator not in ("on-demand", "pooling"):
            raise ValueError("allocator must be 'on-demand' or 'pooling'")
        if self.pool_instances < 1 or self.pool_memory_bytes < POOL_MIN_MEMORY_BYTES:
            raise ValueError("the pooling allocator needs at least one instance of at least 4 MiB")

    def cache_tag(self) -> str:
        tag = f"fuel={int(self.consume_fuel)};epoch={int(self.epoch_interruption)};stack={self.max_wasm_stack}"
        return tag if self.allocator == "on-demand" else f"{tag};alloc={self.allocator}"


@functools.cache
def wasmtime_version() -> str:
    """The installed wasmtime-py version, read from its dist-info name.

    importlib.metadata scans every installed distribution (~30 ms), which a
    server cold start cannot afford.
    """
    spec = importlib.util.find_spec("wasmtime")
    if spec is None or spec.origin is None:
        return "missing"
    site = Path(spec.origin).parent.parent
    for info in site.glob("wasmtime-*.dist-info"):
        return info.name[len("wasmtime-") : -len(".dist-info")]
    from importlib.metadata import version

    return version("wasmtime")


@functools.cache
def host_fingerprint() -> str:
    """Changes whenever a zigttp_host source file changes (size or mtime)."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for f in sorted(package.rglob("*")):
        if f.suffix in (".py", ".js") and "__pycache__" not in f.parts:
            st = f.stat()
            h.update(f"{f.relative_to(package)};{st.st_size};{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def artifact_path(root: Path, wasm_sha256: str, config: EngineConfig) -> Path:
    """Where the compiled form of a module lives; the name covers everything it depends on."""
    tag = f"{wasm_sha256};wasmtime={wasmtime_version()};{config.cache_tag()}"
    return root / f"{hashlib.sha256(tag.encode()).hexdigest()}.cwasm"


def calibration_path(root: Path, guest_sha256: str, config: EngineConfig) -> Path:
    """Where the measured fuel-per-millisecond of one guest build is kept."""
    tag = f"{guest_sha256};{wasmtime_version()};{config.cache_tag()}"
    return root / f"fuel-{hashlib.sha256(tag.encode()).hexdigest()[:32]}.json"


def snapshot_key(guest_sha256: str, prelude_sha256: str, bundle_name: str, bundle_source: str,
                 js_stack_bytes: int) -> str:
    """Names a pre-initialised handler image by everything that went into it."""
    h = hashlib.sha256()
    for part in (guest_sha256, prelude_sha256, bundle_name, bundle_source, str(js_stack_bytes)):
        h.update(part.encode() + b"\0")
    return h.hexdigest()
