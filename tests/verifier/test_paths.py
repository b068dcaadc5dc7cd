"""Path enumeration: forks at if/match/?:/assert/guards and at I/O boundaries, correlated tests, the 1,024 cap."""

from __future__ import annotations

from pathlib import Path

from verifier_helpers import require_export, verify_text

H = "export function handler(req: Request): Response {\n"


def paths(tmp_path: Path, source: str, name: str = "handler.ts") -> tuple[int, bool]:
    result = verify_text(tmp_path, source, name)
    assert result.paths is not None, result.render_text()
    return result.paths.count, result.paths.exhaustive


def test_straight_line_is_one_path(tmp_path: Path) -> None:
    assert paths(tmp_path, H + "  return Response.text(\"ok\");\n}\n") == (1, True)


def test_if_else_and_early_return(tmp_path: Path) -> None:
    source = H + (
        "  if (req.method !== \"GET\") {\n    return Response.text(\"no\", { status: 405 });\n  }\n"
        "  if (req.path === \"/\") {\n    return Response.text(\"home\");\n  } else {\n"
        "    return Response.text(\"page\");\n  }\n}\n"
    )
    assert paths(tmp_path, source) == (3, True)


def test_match_arms_and_default(tmp_path: Path) -> None:
    source = H + (
        "  return match (req.path) {\n    when \"/a\": Response.text(\"a\")\n    when \"/b\": Response.text(\"b\")\n"
        "    default: Response.text(\"other\")\n  };\n}\n"
    )
    assert paths(tmp_path, source) == (3, True)


def test_ternary_in_return_and_assert(tmp_path: Path) -> None:
    source = H + (
        "  assert req.path.length < 100, Response.text(\"too long\", { status: 414 });\n"
        "  return req.method === \"GET\" ? Response.text(\"r\") : Response.text(\"w\");\n}\n"
    )
    assert paths(tmp_path, source) == (3, True)


def test_tail_calls_are_followed(tmp_path: Path) -> None:
    source = (
        "function api(req: Request): Response {\n  if (req.method === \"GET\") {\n    return Response.text(\"get\");\n"
        "  }\n  return Response.text(\"other\");\n}\n" + H
        + "  if (req.path.startsWith(\"/api\")) {\n    return api(req);\n  }\n  return Response.text(\"page\");\n}\n"
    )
    assert paths(tmp_path, source) == (3, True)


def test_guard_chain(tmp_path: Path) -> None:
    source = (
        "import { guard } from \"zigttp:compose\";\n"
        "function auth(req: Request): Response | undefined {\n"
        "  if (req.headers.get(\"authorization\") === undefined) {\n"
        "    return Response.text(\"no\", { status: 401 });\n  }\n  return undefined;\n}\n"
        "function route(req: Request): Response {\n  return Response.text(\"ok\");\n}\n"
        "export const handler = guard(auth) |> route;\n"
    )
    # auth responds (1) or passes to route (1).
    assert paths(tmp_path, source) == (2, True)


def test_optional_boundary_forks_once_and_correlates(tmp_path: Path) -> None:
    require_export("zigttp:env", "env")
    source = "import { env } from \"zigttp:env\";\n" + H + (
        "  const region = env(\"REGION\");\n  if (region === undefined) {\n"
        "    return Response.text(\"unconfigured\", { status: 500 });\n  }\n  return Response.text(region);\n}\n"
    )
    # defined -> the test is false; undefined -> the test is true: 2 paths, not 4.
    assert paths(tmp_path, source) == (2, True)


def test_result_boundary_correlates_with_ok_checks(tmp_path: Path) -> None:
    require_export("zigttp:auth", "jwtVerify")
    source = "import { jwtVerify } from \"zigttp:auth\";\n" + H + (
        "  const claims = jwtVerify(req.headers.get(\"authorization\") ?? \"\", \"secret\");\n"
        "  if (!claims.ok) {\n    return Response.text(\"denied\", { status: 401 });\n  }\n"
        "  if (claims.isErr()) {\n    return Response.text(\"impossible\");\n  }\n"
        "  return Response.json(claims.value);\n}\n"
    )
    assert paths(tmp_path, source) == (2, True)


def test_enumeration_stops_at_1024(tmp_path: Path) -> None:
    lines = [H, "  let n = 0;\n"]
    for i in range(11):
        lines.append(f"  if (req.path.length > {i}) {{\n    n = n + {i};\n  }}\n")
    lines.append("  return Response.json({ n });\n}\n")
    count, exhaustive = paths(tmp_path, "".join(lines))
    assert not exhaustive and count == 1024
    result = verify_text(tmp_path, "".join(lines))
    assert "more than 1024 execution paths, enumeration limit reached" in result.render_text()
    assert "Execution paths: more than 1024 (limit reached)" in result.render_text()


def test_ten_independent_ifs_are_exhaustive(tmp_path: Path) -> None:
    lines = [H, "  let n = 0;\n"]
    for i in range(10):
        lines.append(f"  if (req.path.length > {i}) {{\n    n = n + {i};\n  }}\n")
    lines.append("  return Response.json({ n });\n}\n")
    assert paths(tmp_path, "".join(lines)) == (1024, True)
