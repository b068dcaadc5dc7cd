"""Hatchling build hook: puts the guest into host/zigttp_host/_guest/guest.wasm
and the host's native helpers into host/zigttp_host/_native/.

Runs for every wheel build, editable or not, so `pip install -e .` leaves a
working sandbox behind. The guest build is cached by content (guest/build.py),
which makes reinstalls instant.
"""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _load_build_module(root: Path) -> Any:
    spec = importlib.util.spec_from_file_location("zigttp_guest_build", root / "guest" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class GuestBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        build = _load_build_module(root)
        out = root / "host" / "zigttp_host" / "_guest" / "guest.wasm"
        try:
            digest = build.build(out, log=lambda m: print(m, file=sys.stderr))
        except build.BuildError as e:
            raise SystemExit(f"zigttp guest build failed: {e}") from e
        if digest != build.expected_sha256():
            print(
                f"zigttp: warning: guest sha256 {digest} differs from guest/guest.sha256 "
                f"({build.expected_sha256()}); the committed hash must be updated with the glue",
                file=sys.stderr,
            )
        if version != "editable":
            build_data["force_include"][str(out)] = "zigttp_host/_guest/guest.wasm"
        self._build_native(build, build_data, editable=version == "editable")

    def _build_native(self, build: Any, build_data: dict[str, Any], *, editable: bool) -> None:
        """The host's native helpers; without them the host still works (trials release the GIL, and each
        call into the guest sets its budget with two more ctypes calls)."""
        library = build.native_library(Path(self.root))
        if library is None:
            return
        try:
            build.build_native(library)
        except build.BuildError as e:
            print(f"zigttp: warning: native helpers not built ({e}); trials will release the GIL",
                  file=sys.stderr)
            return
        if not editable:  # a native library, though not a Python extension: any Python 3, this platform only
            build_data["force_include"][str(library)] = f"zigttp_host/_native/{library.name}"
            build_data["pure_python"] = False
            build_data["tag"] = "py3-none-" + sysconfig.get_platform().replace("-", "_").replace(".", "_")
