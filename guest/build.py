"""Builds the zigttp guest: QuickJS-NG + guest/glue.c → a wasm32-wasi reactor.

The QuickJS-NG sources come from the `quickjs-ng` sdist on PyPI, pinned by
version and sha256 and fetched with pip; the compiler is the `ziglang` wheel.
Nothing third-party is committed. Outputs are cached by content in the user
cache folder, so a rebuild with unchanged inputs is a file copy.

    python guest/build.py [--out PATH] [--no-cache] [--cache-dir DIR] [--check] [--write-sha] [--native]

Stdlib only: this runs inside pip's isolated build environment.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

QUICKJS_SDIST = "quickjs_ng-0.17.0.2.tar.gz"
QUICKJS_REQUIREMENT = "quickjs-ng==0.17.0.2"
QUICKJS_SHA256 = "43d2e48272208721a7aaea8e3f02d4b9318f12ef20cc4f5421b59d9a470706ef"
ZIG_VERSION = "0.17.1"

GUEST_DIR = Path(__file__).resolve().parent
GLUE_SOURCES = ("glue.c", "qjs_unity.c")
# The four QuickJS-NG translation units an embedder needs; quickjs.c itself is
# compiled through qjs_unity.c.
QUICKJS_UNITS = ("libregexp.c", "libunicode.c", "dtoa.c")

OPT = "-O2"
CFLAGS = (OPT, "-target", "wasm32-wasi", "-D_GNU_SOURCE")
LDFLAGS = (
    OPT,
    "-target",
    "wasm32-wasi",
    "-mexec-model=reactor",
    "-Wl,-z,stack-size=1048576",  # 1 MiB shadow stack; the 64 KiB default is too small for QuickJS
    "-Wl,--strip-all",
)


class BuildError(RuntimeError):
    pass


def cache_root(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return Path(override)
    if env := os.environ.get("ZIGTTP_CACHE_DIR"):
        return Path(env)
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    elif os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "zigttp"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_sdist(cache: Path) -> Path:
    """Returns the verified sdist, downloading it with pip when it is not cached."""
    dest = cache / "sources" / QUICKJS_SDIST
    if dest.exists() and sha256_file(dest) == QUICKJS_SHA256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        cmd = [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--no-binary", ":all:", "-d", tmp, QUICKJS_REQUIREMENT,
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise BuildError(f"could not download {QUICKJS_REQUIREMENT} with pip:\n{proc.stderr.strip()}")
        got = Path(tmp) / QUICKJS_SDIST
        if not got.exists():
            raise BuildError(f"pip did not produce {QUICKJS_SDIST}; got {os.listdir(tmp)}")
        digest = sha256_file(got)
        if digest != QUICKJS_SHA256:
            raise BuildError(f"{QUICKJS_SDIST} sha256 mismatch: expected {QUICKJS_SHA256}, got {digest}")
        os.replace(got, dest)
    return dest


def extract_sources(sdist: Path, cache: Path) -> Path:
    """Unpacks upstream-quickjs/ once per pinned sdist."""
    root = cache / "sources" / f"quickjs-{QUICKJS_SHA256[:16]}"
    marker = root / ".complete"
    if marker.exists():
        return root
    tmp = Path(tempfile.mkdtemp(dir=cache / "sources"))
    try:
        with tarfile.open(sdist) as tar:
            for member in tar.getmembers():
                parts = Path(member.name).parts
                if len(parts) == 3 and parts[1] == "upstream-quickjs" and member.isfile():
                    data = tar.extractfile(member)
                    assert data is not None
                    (tmp / parts[2]).write_bytes(data.read())
        if not (tmp / "quickjs.c").exists():
            raise BuildError(f"{QUICKJS_SDIST} has no upstream-quickjs/quickjs.c")
        (tmp / ".complete").write_text(QUICKJS_SHA256)
        if root.exists():
            shutil.rmtree(root)
        os.replace(tmp, root)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return root


def zig_version() -> str:
    proc = subprocess.run([sys.executable, "-m", "ziglang", "version"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(
            f"the ziglang wheel is needed to build the guest (pip install ziglang=={ZIG_VERSION}):\n"
            f"{proc.stderr.strip()}"
        )
    return proc.stdout.strip()


def build_key(zig: str) -> str:
    h = hashlib.sha256()
    h.update(QUICKJS_SHA256.encode())
    for name in GLUE_SOURCES:
        h.update(name.encode() + b"\0" + (GUEST_DIR / name).read_bytes() + b"\0")
    h.update(repr((CFLAGS, LDFLAGS, QUICKJS_UNITS)).encode())
    h.update(zig.encode())
    return h.hexdigest()


def _compile(zig_env: dict[str, str], args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "ziglang", "cc", *args], capture_output=True, text=True,
                          env=zig_env)
    if proc.returncode != 0:
        raise BuildError(f"zig cc {' '.join(args)}\n{proc.stderr.strip()}")


def _zig_env(cache: Path) -> dict[str, str]:
    """The environment for `zig cc`, its caches in `cache`."""
    return dict(os.environ, ZIG_GLOBAL_CACHE_DIR=str(cache), ZIG_LOCAL_CACHE_DIR=str(cache))


def compile_guest(src: Path, cache: Path, out: Path) -> None:
    zig_env = _zig_env(cache / "zig")
    with tempfile.TemporaryDirectory(prefix="zigttp-guest-") as tmp:
        objdir = Path(tmp)
        # Paths must not leak into the binary (assert strings): the output has
        # to be byte-identical on every machine.
        prefix_maps = (f"-ffile-prefix-map={src}=quickjs", f"-ffile-prefix-map={GUEST_DIR}=guest",
                       f"-ffile-prefix-map={objdir}=obj")
        common = [*CFLAGS, f"-I{src}", *prefix_maps]
        jobs = [
            [*common, "-Wno-everything", "-c", str(GUEST_DIR / "qjs_unity.c"), "-o", str(objdir / "quickjs.o")],
            *[[*common, "-Wno-everything", "-c", str(src / u), "-o", str(objdir / (Path(u).stem + ".o"))]
              for u in QUICKJS_UNITS],
            [*common, "-Wall", "-Werror", "-c", str(GUEST_DIR / "glue.c"), "-o", str(objdir / "glue.o")],
        ]
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            for f in [pool.submit(_compile, zig_env, j) for j in jobs]:
                f.result()
        objects = sorted(str(p) for p in objdir.glob("*.o"))
        linked = objdir / "guest.wasm"
        _compile(zig_env, [*LDFLAGS, *objects, "-o", str(linked)])
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp_out = out.with_suffix(".wasm.tmp")
        shutil.copyfile(linked, tmp_out)
        os.replace(tmp_out, out)


def build(out: Path, *, cache_dir: str | os.PathLike[str] | None = None, use_cache: bool = True,
          log=print) -> str:
    """Builds (or copies from the cache) the guest to `out`; returns its sha256."""
    cache = cache_root(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    zig = zig_version()
    if zig != ZIG_VERSION:
        raise BuildError(f"zig {ZIG_VERSION} is pinned, found {zig}: pip install ziglang=={ZIG_VERSION}")
    key = build_key(zig)
    cached = cache / "guest" / f"{key}.wasm"
    if use_cache and cached.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, out)
        return sha256_file(out)
    log(f"zigttp: building the QuickJS-NG guest with zig {zig} (about a minute the first time)…")
    src = extract_sources(fetch_sdist(cache), cache)
    compile_guest(src, cache, out)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    shutil.copyfile(out, tmp)
    os.replace(tmp, cached)
    return sha256_file(out)


# The host's native helpers (host/zigttp_host/native.py): freestanding C, built for this machine into one library.
NATIVE_DIR = GUEST_DIR.parent / "host" / "zigttp_host" / "_native"
NATIVE_SOURCES = (NATIVE_DIR / "ticker.c", NATIVE_DIR / "budgeted_call.c")
NATIVE_FLAGS = ("-shared", "-fPIC", "-O2", "-nostdlib", "-Wall", "-Werror")


def native_library(root: Path = GUEST_DIR.parent) -> Path | None:
    """Where the native helpers go on this platform; None where there are none (no nanosleep, or
    not 64-bit: ticker.c's timespec is two longs)."""
    if os.name == "nt" or sys.maxsize < 2**63 - 1:
        return None
    suffix = ".dylib" if sys.platform == "darwin" else ".so"
    return root / "host" / "zigttp_host" / "_native" / f"native{suffix}"


def build_native(out: Path) -> None:
    """Compiles the native helpers for this machine (a few KiB, well under a second, so not cached)."""
    with tempfile.TemporaryDirectory(prefix="zigttp-native-") as tmp:
        built = Path(tmp) / out.name
        _compile(_zig_env(Path(tmp) / "zig"), [*NATIVE_FLAGS, *map(str, NATIVE_SOURCES), "-o", str(built)])
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp_out = out.with_name(out.name + ".tmp")
        shutil.copyfile(built, tmp_out)
        os.replace(tmp_out, out)


def expected_sha256() -> str:
    return (GUEST_DIR / "guest.sha256").read_text().split()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(GUEST_DIR.parent / "host" / "zigttp_host" / "_guest" / "guest.wasm"))
    parser.add_argument("--cache-dir", default=None, help="cache folder (default: the user cache folder)")
    parser.add_argument("--no-cache", action="store_true", help="rebuild even when a cached build exists")
    parser.add_argument("--check", action="store_true", help="fail unless the output matches guest/guest.sha256")
    parser.add_argument("--native", action="store_true",
                        help="also build the host's native helpers, _native/*.c (pip install -e . does both)")
    parser.add_argument("--write-sha", action="store_true",
                        help="record the output's sha256 in guest/guest.sha256 (after changing the glue)")
    args = parser.parse_args(argv)
    try:
        digest = build(Path(args.out), cache_dir=args.cache_dir, use_cache=not args.no_cache,
                       log=lambda m: print(m, file=sys.stderr))
    except BuildError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{digest}  {args.out}")
    library = native_library()
    if args.native and library is not None:
        try:
            build_native(library)
        except BuildError as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        print(f"native  {library}")
    if args.write_sha:
        (GUEST_DIR / "guest.sha256").write_text(digest + "\n")
    if args.check and digest != expected_sha256():
        print(f"error: guest sha256 {digest} differs from guest/guest.sha256 {expected_sha256()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
