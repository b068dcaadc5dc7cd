"""The embeddable host: one per process, any number of handlers."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import wasmtime

from .abi import ABI_VERSION
from .bundle import Bundle
from .cachekeys import EngineConfig, calibration_path
from .engine import Engine
from .grants import Grants
from .handler import Handler, TraceRecorder
from .http import HttpRequest
from .imports import HostFunctions, make_linker
from .instance import SIGNATURES, GuestStatics
from .limits import Limits
from .modules import builtin_functions
from .paths import GUEST_WASM
from .registry import prelude_source
from .virtual_modules.config import ModuleConfig
from .virtual_modules.runtime import ModuleRuntime

log = logging.getLogger("zigttp.host")

LogSink = Callable[[str, str, str], None]

# A floor for the calibration: even a slow machine runs this many fuel units
# per millisecond, so a disturbed measurement cannot starve handlers.
MIN_FUEL_PER_MS = 2_000_000.0


class GuestNotBuilt(RuntimeError):
    pass


def _default_log_sink(handler: str, level: str, text: str) -> None:
    logger = logging.getLogger("zigttp.console")
    logger.log(logging.getLevelName(level.upper()) if level != "warn" else logging.WARNING, "%s: %s", handler, text)


class Host:
    """Engine, guest module and linker, shared by every handler loaded into this process.

    >>> host = Host()
    >>> h = host.load(Bundle("export function handler(req) { return Response.text('hi') }"))
    >>> h.handle(HttpRequest("GET", "/")).body
    b'hi'
    """

    def __init__(self, *, guest_wasm: Path | None = None, cache_root: Path | None = None,
                 engine_config: EngineConfig | None = None, functions: HostFunctions | None = None,
                 log_sink: LogSink | None = None, modules: ModuleConfig | None = None) -> None:
        path = guest_wasm or GUEST_WASM
        if not path.exists():
            raise GuestNotBuilt(
                f"{path} is missing: the guest is built by `pip install -e .` (or `python guest/build.py`)")
        self.guest_wasm = path.read_bytes()
        self.guest_sha256 = hashlib.sha256(self.guest_wasm).hexdigest()
        self.engine = Engine(engine_config, cache_root=cache_root)
        self.engine.ensure_ticker()
        # What the zigttp:* modules may reach (environment, egress, SQLite,
        # cache), shared by every handler loaded into this host.
        if functions is None:
            self.functions = builtin_functions(modules)
        else:
            self.functions = functions if modules is None else functions.bind(ModuleRuntime(modules))
        # The Host's own egress allowlist, as grants name origins: what unrestricted grants reach
        # (Host.load); any other handler reaches exactly the origins its grants name.
        config = self.functions.runtime.config if self.functions.runtime is not None else ModuleConfig()
        self.egress_allowlist = Grants(egress=config.outbound_hosts).egress
        self.prelude = prelude_source(self.functions)
        self.prelude_sha256 = hashlib.sha256(self.prelude.encode()).hexdigest()
        self.base_module = self.engine.cache.load(self.guest_wasm, self.guest_sha256)
        self.linker = make_linker(self.engine.wasmtime)
        self.base_pre = self.linker.instantiate_pre(self.base_module)
        self.statics = GuestStatics()
        self._check_abi()
        self.log_sink = log_sink or _default_log_sink
        self._fuel_per_ms: float | None = None

    def _check_abi(self) -> None:
        store = wasmtime.Store(self.engine.wasmtime)
        store.set_fuel(1_000_000)
        store.set_epoch_deadline(1000)
        instance = self.base_pre.instantiate(store)
        exports = instance.exports(store)
        abi = exports.get("abi_version")
        found = abi(store) if isinstance(abi, wasmtime.Func) else None
        if found != ABI_VERSION:
            raise GuestNotBuilt(f"the guest speaks ABI {found}, this host speaks {ABI_VERSION}: rebuild the guest "
                                "(pip install -e . or python guest/build.py)")
        for name, (params, results) in SIGNATURES.items():
            func = exports.get(name)
            ty = func.type(store) if isinstance(func, wasmtime.Func) else None
            if ty is None or (tuple(map(str, ty.params)), tuple(map(str, ty.results))) != (params, results):
                raise GuestNotBuilt(f"the guest's export {name!r} does not match ABI {ABI_VERSION}")
        flag, pages = exports.get("interrupt_flag"), exports.get("memory_pages_at")
        assert isinstance(flag, wasmtime.Func) and isinstance(pages, wasmtime.Func)
        # static variables: the same addresses in every instance of this guest build
        self.statics = GuestStatics(interrupt_flag=int(flag(store)), memory_pages=int(pages(store)))

    def load(self, bundle: Bundle, limits: Limits | None = None, *, isolation: str = "pooled",
             grants: Grants | None = None, trace: TraceRecorder | None = None) -> Handler:
        """Pre-initialises `bundle` (cached on disk) and returns a Handler ready to serve.

        `grants`: the env names, egress origins, cache namespaces and SQL statements the handler may reach
        (anything else is denied). Least privilege is the default: None grants nothing. Build them from a
        contract with `Grants.from_contract(json.load(f))`; `Grants.unrestricted_unsafe()` grants everything
        this Host is configured with (its env, cache, SQL database and egress allowlist) and logs a warning.
        `trace`: takes every request's recorded I/O (zigttp_host.tracefile.TraceWriter writes a trace file).
        """
        if grants is None:
            grants = Grants()
        if not grants.handler:  # security-log lines name the handler
            grants = replace(grants, handler=bundle.name)
        if grants.unrestricted:
            grants = replace(grants, egress=self.egress_allowlist)
            log.warning("%s: loaded with Grants.unrestricted_unsafe(): no grant is checked, it reaches every "
                        "environment variable, cache namespace and SQL statement of this Host and every host "
                        "of its egress allowlist", bundle.name)
        return Handler(self, bundle, limits or Limits(), isolation, grants, trace)

    # ---------- fuel calibration ----------

    def fuel_for(self, timeout_ms: int) -> int:
        """Default fuel: twice what this guest burns in `timeout_ms` of pure computation.

        Fuel is the CPU backstop behind the wall-clock deadline, so it must not
        fire first on an ordinary handler.
        """
        return int(self.fuel_per_ms() * timeout_ms * 2)

    def fuel_per_ms(self) -> float:
        if self._fuel_per_ms is None:
            self._fuel_per_ms = self._load_or_calibrate()
        return self._fuel_per_ms

    def _calibration_path(self) -> Path:
        return calibration_path(self.engine.cache.root, self.guest_sha256, self.engine.config)

    def _load_or_calibrate(self) -> float:
        path = self._calibration_path()
        try:
            value = float(json.loads(path.read_text())["fuel_per_ms"])
            if value > 0:
                return value
        except (OSError, ValueError, KeyError, TypeError):
            pass
        value = self._calibrate()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"fuel_per_ms": value}))
            os.replace(tmp, path)
        except OSError:
            pass
        return value

    def _calibrate(self) -> float:
        """Measures fuel per millisecond of CPU: the fastest-burning of a tight
        interpreter loop and a JSON/string workload, so the budget covers both.

        CPU time, not wall time: a busy machine must not make the budget smaller.
        """
        source = (
            "export function handler(req) {\n"
            "  const n = Number(req.query.n); let acc = 0;\n"
            "  if (req.query.kind === 'loop') {\n"
            "    for (let i = 0; i < n * 20; i++) acc = (acc + i * 7) % 1000003;\n"
            "    return Response.text(String(acc));\n"
            "  }\n"
            "  for (let i = 0; i < n; i++) {\n"
            "    const o = { id: i, name: 'item' + i, tags: [i % 3, i % 5] };\n"
            "    acc += JSON.stringify(o).length + o.name.indexOf('9');\n"
            "  }\n"
            "  return Response.text(String(acc));\n"
            "}\n"
        )
        budget = 10**13
        handler = Handler(self, Bundle(source, "calibrate.js"), Limits(fuel=budget, timeout_ms=60_000), "pooled")
        inst = handler._acquire()
        best = 0.0
        for attempt in range(6):
            before = time.thread_time()
            resp = handler.handle(HttpRequest("GET", "/?n=20000&kind=" + ("loop" if attempt % 2 else "json")))
            cpu_ms = (time.thread_time() - before) * 1000
            used = budget - inst.store.get_fuel()
            if resp.status == 200 and cpu_ms > 0:
                best = max(best, used / cpu_ms)
        return max(best, MIN_FUEL_PER_MS)

