"""Deployments built by the real CLI (`zigttp build -Ddeploy=aws`), once per module that asks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..support.server import REPO, ZIGTTP

HERE = Path(__file__).resolve().parent


def build(handler: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ZIGTTP, "build", str(handler), "-o", str(out), *extra], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


def deploy(handler: Path, out: Path) -> dict:
    r = build(handler, out, "-Ddeploy=aws")
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads((out / "deploy" / "aws" / "template.json").read_text())


def cfn_lint() -> str | None:
    exe = shutil.which("cfn-lint") or str(Path(sys.executable).parent / "cfn-lint")
    if Path(exe).exists():
        return exe
    if os.environ.get("CI") == "true":
        pytest.fail("cfn-lint is not installed: it is a dev dependency (pip install -e '.[dev]')")
    pytest.skip("cfn-lint is not installed (pip install -e '.[dev]')")
    return None


@pytest.fixture(scope="module")
def mirror_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mirror")
    deploy(HERE / "handlers" / "mirror.ts", out)
    return out / "deploy" / "aws" / "package"
