"""The Lambda package: zigttp_host (with the built guest), the bundle, its contract and the requirements.

The package holds our code only; `sam build` installs the third-party
requirements it lists (pinned as this zigttp is) for Lambda's platform, the
way SAM builds every Python function. It also holds the guest and the
handler's snapshot compiled ahead (`zigttp-cache/`), so a cold start maps
them instead of compiling for seconds; where Lambda's CPU cannot run them,
wasmtime refuses them and the function compiles as it would have anyway.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
from pathlib import Path

import zigttp_host

# zigttp's own requirements that only the toolchain and `zigttp serve` need, not the sandbox host.
TOOLCHAIN_ONLY = frozenset({"granian", "uvloop", "rfc8785"})
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")


def requirements() -> list[str]:
    """zigttp's runtime requirements the host needs, pinned to the versions installed here (what was tested)."""
    out = []
    for line in importlib.metadata.requires("zigttp") or []:
        name = requirement_name(line)
        if "extra ==" in line or name in TOOLCHAIN_ONLY:
            continue
        try:
            out.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            out.append(line.split(";")[0].strip())
    return sorted(out)


def write_package(folder: Path, bundle_js: str, contract_text: str) -> None:
    """Writes the package into `folder` (replacing what an earlier build left there)."""
    source = Path(zigttp_host.__file__).resolve().parent
    guest = source / "_guest" / "guest.wasm"
    if not guest.is_file():
        raise FileNotFoundError(f"{guest}: the guest is not built (`python guest/build.py`)")
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(source, folder / "zigttp_host", ignore=_IGNORED)
    (folder / "handler.js").write_text(bundle_js, encoding="utf-8")
    (folder / "contract.json").write_text(contract_text, encoding="utf-8")
    (folder / "requirements.txt").write_text("\n".join(requirements()) + "\n", encoding="utf-8")
    precompile(folder)


def precompile(folder: Path) -> None:
    """Loads the packaged bundle once with its cache in the package, as the function will load it."""
    from zigttp_host.aws_lambda import PACKAGED_CACHE, load

    load(folder, cache_root=folder / PACKAGED_CACHE)


def requirement_name(line: str) -> str:
    return re.split(r"[<>=!~;\[ ]", line.strip(), maxsplit=1)[0].lower().replace("_", "-")
