"""Ahead-of-serving preparation: pre-initialise a handler and calibrate fuel, in a child process.

A server that forks its workers must not create a wasmtime Engine before the
fork, so the parent only checks whether everything is cached
(`is_prepared`) and otherwise runs this module as a child process:

    echo '{"source": ..., "name": ..., "limits": {...}, "engine": {...}}' | python -m zigttp_host.prepare

It prints one JSON object: {"ok": true, "initialMemory": N} or
{"ok": false, "error": {"message", "at", "stack"}}.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile

from .bundle import Bundle
from .cachekeys import EngineConfig, artifact_path, calibration_path, host_fingerprint, snapshot_key
from .limits import Limits
from .paths import GUEST_WASM, cache_dir

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def prelude_digest() -> str:
    """sha256 of the guest prelude with the module table, without importing the registry when cached.

    The module registry (every zigttp:* family) is a large import, and the
    serving parent only needs this digest to check its cache.
    """
    path = cache_dir() / "modules" / f"prelude-{host_fingerprint()[:32]}.sha256"
    with contextlib.suppress(OSError):
        digest = path.read_text().strip()
        if _SHA256.match(digest):
            return digest
    from .modules import builtin_functions
    from .registry import prelude_source

    digest = hashlib.sha256(prelude_source(builtin_functions()).encode()).hexdigest()
    with contextlib.suppress(OSError):  # a read-only cache only costs speed
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w") as f:
            f.write(digest)
        os.replace(tmp, path)
    return digest


def is_prepared(bundle: Bundle, limits: Limits, config: EngineConfig | None = None) -> bool:
    """True when the handler image and the fuel calibration are both cached (for an engine of `config`)."""
    if not GUEST_WASM.exists():
        return False
    guest_sha = hashlib.sha256(GUEST_WASM.read_bytes()).hexdigest()
    root = cache_dir() / "modules"
    config = config or EngineConfig()
    key = snapshot_key(guest_sha, prelude_digest(), bundle.name, bundle.source, limits.js_stack_bytes)
    if not artifact_path(root, key, config).exists():
        return False
    return limits.fuel is not None or calibration_path(root, guest_sha, config).exists()


def main() -> int:
    from .handler import HandlerLoadError
    from .host import GuestNotBuilt, Host

    request = json.load(sys.stdin)
    bundle = Bundle(request["source"], request["name"])
    limits = Limits(**request.get("limits", {}))
    try:
        host = Host(engine_config=EngineConfig(**request.get("engine", {})))
        handler = host.load(bundle, limits)
        host.fuel_per_ms()
    except HandlerLoadError as e:
        print(json.dumps({"ok": False, "error": {"message": e.message, "at": e.at, "stack": e.stack}}))
        return 1
    except GuestNotBuilt as e:
        print(json.dumps({"ok": False, "error": {"message": str(e), "at": None, "stack": ""}}))
        return 1
    print(json.dumps({"ok": True, "initialMemory": handler.initial_memory}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
