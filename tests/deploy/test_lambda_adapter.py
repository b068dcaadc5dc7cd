"""The Lambda package answers recorded API Gateway events through the sandbox, with its contract's grants.

Each event runs in a fresh Python process whose only copy of zigttp_host is
the package's (PYTHONPATH = the package), as on Lambda.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVENTS = HERE / "events"
INVOKE = """
import json, sys
import zigttp_host.aws_lambda as adapter
assert adapter.__file__.startswith(sys.argv[1]), adapter.__file__
for name in sys.argv[2:]:
    event = json.load(open(name)) if name != "-" else "not an event"
    print(json.dumps(adapter.handler(event, None)))
"""


def invoke(package: Path, *events: str, env: dict[str, str] | None = None) -> list[dict]:
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": str(package), "PYTHONPATH": str(package),
               "ZIGTTP_TASK_ROOT": str(package), "ZIGTTP_CACHE_ROOT": str(package / "zigttp-cache"),
               **(env or {})}
    paths = [e if e == "-" else str(EVENTS / e) for e in events]
    r = subprocess.run([sys.executable, "-c", INVOKE, str(package), *paths], capture_output=True, text=True,
                       env=environ, cwd=package, timeout=120)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


def test_http_api_get_carries_query_cookies_and_env(mirror_package: Path) -> None:
    [result] = invoke(mirror_package, "http-api-v2-get.json", env={"REGION": "eu-west-1"})
    assert result["statusCode"] == 200 and result["isBase64Encoded"] is False
    assert result["headers"]["content-type"] == "application/json"
    assert result["cookies"] == ["seen=1"]  # payload 2.0 returns set-cookie in `cookies`
    body = json.loads(result["body"])
    assert body == {"method": "GET", "url": "/users/7?fields=name&fields=email", "cookie": "session=abc; theme=dark",
                    "trace": "", "body": "", "region": "eu-west-1"}


def test_http_api_post_decodes_a_base64_body(mirror_package: Path) -> None:
    [result] = invoke(mirror_package, "http-api-v2-post-base64.json")
    assert result["statusCode"] == 201
    sent = json.loads(EVENTS.joinpath("http-api-v2-post-base64.json").read_text())["body"]
    assert json.loads(result["body"])["body"] == base64.b64decode(sent).decode()


def test_rest_api_event_keeps_repeated_headers_and_query_values(mirror_package: Path) -> None:
    [result] = invoke(mirror_package, "rest-api-v1-get.json")
    assert result["statusCode"] == 200
    assert result["multiValueHeaders"]["set-cookie"] == ["seen=1"]
    body = json.loads(result["body"])
    assert body["url"] == "/health?verbose=1&verbose=2" and body["trace"] == "one, two"


def test_env_outside_the_contract_is_not_readable(mirror_package: Path) -> None:
    contract = json.loads((mirror_package / "contract.json").read_text())
    assert contract["env"] == ["REGION"]
    # the process has more variables than the contract names; the handler sees only REGION
    [result] = invoke(mirror_package, "http-api-v2-get.json", env={"REGION": "x", "SECRET": "do-not-read"})
    assert "do-not-read" not in result["body"]


def test_an_event_that_is_not_http_answers_400_json(mirror_package: Path) -> None:
    results = invoke(mirror_package, "not-http.json", "-")
    for result in results:
        assert result["statusCode"] == 400
        assert json.loads(result["body"])["error"] == "bad_request"


def test_a_package_whose_bundle_cannot_load_answers_500_json(mirror_package: Path, tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "package"
    shutil.copytree(mirror_package, broken)
    (broken / "handler.js").write_text("export function handler(req) { return ; ", encoding="utf-8")
    [result] = invoke(broken, "http-api-v2-get.json")
    assert result["statusCode"] == 500
    assert json.loads(result["body"])["error"] == "handler_not_loaded"


def test_the_package_holds_its_precompiled_modules(mirror_package: Path) -> None:
    assert sorted(p.name for p in mirror_package.iterdir()) == [
        "contract.json", "handler.js", "requirements.txt", "zigttp-cache", "zigttp_host"]
    assert list((mirror_package / "zigttp-cache").rglob("*.cwasm"))
    assert (mirror_package / "zigttp_host" / "_guest" / "guest.wasm").is_file()
