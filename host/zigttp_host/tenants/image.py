"""The one runtime image every tenant's instances start from.

The guest is run once up to the end of its prelude (C constructors, the
QuickJS runtime and context, the `zigttp:*` modules), its built-ins are
frozen (`lock_builtins`: a tenant's module scope already runs against frozen
built-ins, and the lockdown after it walks only what the tenant added), and
that memory becomes
one pre-initialised module, compiled once per Host and cached on disk like
any snapshot. A tenant's instance is this image, instantiated copy-on-write,
with the tenant's own code loaded into it (its module scope run and the
built-ins locked down): no tenant has a module of its own, and a tenant with
no instance costs no memory inside wasmtime at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import wasmtime

from ..cachekeys import snapshot_key
from ..handler import initial_memory
from ..instance import GuestInstance
from ..snapshot import preinitialize

if TYPE_CHECKING:
    from ..host import Host

IMAGE_NAME = "<tenant-runtime>"
# The memory the image is made in: the prelude needs far less.
_IMAGE_MEMORY = 32 << 20


@dataclass(frozen=True)
class RuntimeImage:
    pre: wasmtime.InstancePre
    initial_memory: int  # bytes of linear memory an instance starts with
    clock_seed_ns: int  # the clock while it was made: QuickJS's hash seed and performance.now's origin
    sha256: str  # names the image: guest, prelude and the clock seed


def runtime_image(host: Host) -> RuntimeImage:
    key = snapshot_key(host.guest_sha256, host.prelude_sha256, IMAGE_NAME, "", 0)
    seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:6], "little") + 1
    module = host.engine.cache.lookup(key)
    if module is None:
        inst = GuestInstance(host.engine.wasmtime, host.base_pre, host.functions, memory_limit=_IMAGE_MEMORY,
                             logger=lambda level, text: None, fresh_module=True,
                             statics=host.statics)
        inst.init(host.prelude.encode(), clock_seed_ns=seed)
        inst.lock_builtins()
        module = host.engine.cache.load(preinitialize(host.guest_wasm, inst.memory_image()), key)
    return RuntimeImage(host.linker.instantiate_pre(module), initial_memory(module), seed, key)
