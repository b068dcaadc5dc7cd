"""Every example handler compiled by the zigts front end and served by a real server.

This is where the desugarings (match, guards, pipes, JSX, local imports,
types erased) run in the real guest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .support.server import REPO, serve

EXAMPLES = REPO / "examples"

# (method, path, headers, status, expected body fragment)
CASES: dict[str, list[tuple[str, str, dict[str, str], int, str]]] = {
    "hello.ts": [("GET", "/abc", {}, 200, '{"message":"Hello","path":"/abc"}')],
    "hello.js": [("GET", "/", {}, 200, '{"message":"Hello","path":"/"}')],
    "routing/match-router.ts": [
        ("GET", "/health", {}, 200, "ok"),
        ("GET", "/todos", {}, 200, '"title":"write the handler"'),
        ("GET", "/todos/2", {}, 200, '"id":2'),
        ("GET", "/elsewhere", {}, 404, "not found"),
        ("POST", "/todos", {}, 405, "method not allowed"),
    ],
    "routing/pipeline.ts": [("GET", "/?name=Ann", {}, 200, "Hello, ann!")],
    "guards/guard-compose.ts": [
        ("GET", "/me", {}, 401, "unauthorized"),
        ("POST", "/me", {"authorization": "Bearer secret"}, 405, "method not allowed"),
        ("GET", "/me", {"authorization": "Bearer secret"}, 200, '{"user":"alice"}'),
    ],
    "jsx/page.tsx": [("GET", "/", {}, 200, "<title>Menu</title>")],
    "imports/handler.ts": [("GET", "/unknown-thing", {}, 404, "error")],
}


@pytest.mark.parametrize("example", sorted(CASES))
def test_example_serves(example: str) -> None:
    path = EXAMPLES / example
    assert path.exists(), path
    with serve(path) as srv:
        for method, url, headers, status, fragment in CASES[example]:
            r = srv.client.request(method, url, headers=headers)
            assert r.status_code == status, (method, url, r.text)
            assert fragment in r.text, (method, url, r.text)
        if example.startswith("guards/"):
            # the post-guard's header assignment reaches the wire
            ok = srv.get("/me", headers={"authorization": "Bearer secret"})
            assert ok.headers["access-control-allow-origin"] == "*"


def test_runtime_error_is_reported_at_the_typescript_position(tmp_path: Path) -> None:
    handler = tmp_path / "fails.ts"
    handler.write_text(
        "type User = { name?: { first: string } };\n"
        "\n"
        "function handler(req: Request): Response {\n"
        "  const user: User = {};\n"
        "  return Response.text(user.name.first);\n"
        "}\n"
    )
    # The verifier rejects this (ZTS309 at 5:24); --no-verify serves it so the runtime error is reached.
    with serve(handler, "--no-verify") as srv:
        body = srv.get("/").json()
        assert body["error"] == "handler_error"
        assert body["at"].endswith("fails.ts:5:24"), body


def test_compile_errors_stop_serve(tmp_path: Path) -> None:
    from .support.server import run_cli

    handler = tmp_path / "bad.ts"
    handler.write_text("function handler(req: Request): Response {\n  while (true) {}\n}\n")
    r = run_cli("serve", str(handler))
    assert r.returncode == 1
    assert "ZTS001" in r.stderr and "'while' is not supported" in r.stderr
    assert "bad.ts:2:3" in r.stderr
