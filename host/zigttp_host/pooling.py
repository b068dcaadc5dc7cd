"""wasmtime's pooling instance allocator, through the C API bindings wasmtime-py ships (`wasmtime._bindings`).

wasmtime-py exposes no Python API for it; this typed wrapper sets the pool's
sizes explicitly on a `wasmtime.Config`. The pool reserves address space for
`total_instances` memories of `max_memory_bytes` (plus guard regions) when
the engine is created; where that reservation is refused the Engine falls
back to on-demand allocation and says so (engine.py).

When an instance is dropped its slot is reset for the next one. With
`keep_resident_bytes`, wasmtime finds the pages the instance wrote (Linux's
PAGEMAP_SCAN) and copies the image back over them, up to that many bytes,
instead of unmapping them: the next instance in the slot starts without the
copy-on-write page faults a new mapping takes (about 40 for hello, ~3 µs
each on this VM). Measured on this host (docs/benchmarks.md): a new instance
per request costs about 140 µs over a pooled one this way, against 240 µs
pooled without it and 370 µs on demand.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass

import wasmtime
from wasmtime import _bindings as bindings

from .cachekeys import POOL_MIN_MEMORY_BYTES


@dataclass(frozen=True)
class PoolingConfig:
    total_instances: int = 1000  # instances (and memories, tables, stacks) alive at once
    max_memory_bytes: int = 128 << 20  # every instance's memory limit must fit in this
    max_unused_warm_slots: int = 100  # freed slots kept ready (their pages resident)
    table_elements: int = 20_000  # the guest's function table has about 2,000
    max_core_instance_size: int = 1 << 20
    # written pages reset by copying and kept resident when a slot is freed (the rest is unmapped): a
    # hello request writes about 160 KiB, the image is 2 MiB
    keep_resident_bytes: int = 8 << 20
    table_keep_resident_bytes: int = 1 << 20

    def __post_init__(self) -> None:
        if self.total_instances < 1 or self.max_memory_bytes < POOL_MIN_MEMORY_BYTES:
            raise ValueError("the pool needs at least one instance of at least 4 MiB")


# Address space the pool reserves per instance: a 32-bit memory's whole range (so compiled code needs no bounds
# checks) plus its guard pages, table and stack. Measured 4,130-4,141 MiB a slot with wasmtime-py 50 (10 to 40
# slots, VmSize); the probe asks for a little more, so a probe that succeeds leaves room for the real one.
SLOT_ADDRESS_SPACE = (4 << 30) + (64 << 20)
FIXED_ADDRESS_SPACE = 256 << 20


def reservation_refused(pooling: PoolingConfig) -> str | None:
    """Why this process cannot reserve the pool's address space now (None: it can): a `ulimit -v`
    (RLIMIT_AS) below it, or an address space too small. wasmtime's C API aborts the whole process when the
    pool's own reservation fails, so the Engine asks this first. The probe maps the whole size without access
    (so nothing is committed), then unmaps it."""
    size = pooling.total_instances * SLOT_ADDRESS_SPACE + FIXED_ADDRESS_SPACE
    try:
        probe = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, prot=0)  # 0: PROT_NONE
    except (OSError, OverflowError, ValueError) as e:
        return f"{size >> 30} GiB of address space for {pooling.total_instances} slots: {e}"
    probe.close()
    return None


def apply_pooling(config: wasmtime.Config, pooling: PoolingConfig) -> None:
    """Makes engines created from `config` allocate instances from a pool sized by `pooling`."""
    p = bindings.wasmtime_pooling_allocation_config_new()
    try:
        n = pooling.total_instances
        bindings.wasmtime_pooling_allocation_config_total_memories_set(p, n)
        bindings.wasmtime_pooling_allocation_config_total_tables_set(p, n)
        bindings.wasmtime_pooling_allocation_config_total_core_instances_set(p, n)
        bindings.wasmtime_pooling_allocation_config_total_stacks_set(p, n)
        bindings.wasmtime_pooling_allocation_config_max_memory_size_set(p, pooling.max_memory_bytes)
        bindings.wasmtime_pooling_allocation_config_max_unused_warm_slots_set(p, pooling.max_unused_warm_slots)
        bindings.wasmtime_pooling_allocation_config_table_elements_set(p, pooling.table_elements)
        bindings.wasmtime_pooling_allocation_config_max_core_instance_size_set(p, pooling.max_core_instance_size)
        bindings.wasmtime_pooling_allocation_config_linear_memory_keep_resident_set(p, pooling.keep_resident_bytes)
        bindings.wasmtime_pooling_allocation_config_table_keep_resident_set(p, pooling.table_keep_resident_bytes)
        bindings.wasmtime_pooling_allocation_strategy_set(config.ptr(), p)
    finally:
        bindings.wasmtime_pooling_allocation_config_delete(p)
