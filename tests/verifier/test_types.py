"""Type checker features: generics, utility types, type guards, literal const types, discriminated unions,
structural object types, registry signatures, distinct types."""

from __future__ import annotations

from pathlib import Path

from verifier_helpers import codes, locate, positions, require_export, verify_text

H = "export function handler(req: Request): Response {\n"


def check(tmp_path: Path, source: str) -> set[str]:
    return codes(verify_text(tmp_path, source))


def test_generic_inference_flows_through_calls(tmp_path: Path) -> None:
    source = (
        "function first<T>(items: T[]): T | undefined {\n  return items[0];\n}\n" + H
        + "  const n = first([1, 2, 3]);\n  const s: string = n ?? 0;\n  return Response.json({ s });\n}\n"
    )
    result = verify_text(tmp_path, source)
    assert positions(result, "ZTS200") == [locate(source, "n ?? 0")]


def test_array_callbacks_are_contextually_typed(tmp_path: Path) -> None:
    source = (
        "type User = { name: string; age: number };\nconst USERS: User[] = [{ name: \"a\", age: 3 }];\n" + H
        + "  const names = USERS.map((u) => u.name);\n"
          "  const total: number = USERS.reduce((sum, u) => sum + u.age, 0);\n"
          "  const bad = USERS.filter((u) => u.nmae === \"a\");\n"
          "  return Response.json({ names: names.join(\",\"), total, bad });\n}\n"
    )
    result = verify_text(tmp_path, source)
    assert positions(result, "ZTS201") == [locate(source, "nmae")]
    assert "ZTS200" not in codes(result)


def test_utility_types(tmp_path: Path) -> None:
    base = "type User = { id: string; name: string; email: string };\n"
    ok = base + "type Preview = Pick<User, \"id\" | \"name\">;\ntype Patch = Partial<Omit<User, \"id\">>;\n" + H + (
        "  const preview: Preview = { id: \"1\", name: \"a\" };\n  const patch: Patch = {};\n"
        "  return Response.json({ preview, patch });\n}\n"
    )
    assert check(tmp_path, ok) == set()
    bad = base + "type Preview = Pick<User, \"id\" | \"name\">;\n" + H + (
        "  const preview: Preview = { id: \"1\", name: \"a\", email: \"e\" };\n  return Response.json(preview);\n}\n"
    )
    result = verify_text(tmp_path, bad)
    assert positions(result, "ZTS201") == [locate(bad, "email: \"e\"")]


def test_type_guards_narrow_in_if_and_assert(tmp_path: Path) -> None:
    source = (
        "type Role = \"admin\" | \"staff\";\n"
        "function isRole(value: string): value is Role {\n  return value === \"admin\" || value === \"staff\";\n}\n"
        "function rank(role: Role): number {\n  return role === \"admin\" ? 2 : 1;\n}\n" + H
        + "  const raw = req.path.slice(1);\n  if (isRole(raw)) {\n"
          "    return Response.json({ r: rank(raw) });\n  }\n"
          "  assert isRole(raw), Response.text(\"no\", { status: 400 });\n"
          "  return Response.json({ r: rank(raw) });\n}\n"
    )
    assert check(tmp_path, source) == set()
    unguarded = source.replace("  if (isRole(raw)) {\n    return Response.json({ r: rank(raw) });\n  }\n", "").replace(
        "  assert isRole(raw), Response.text(\"no\", { status: 400 });\n", "")
    assert "ZTS203" in check(tmp_path, unguarded)


def test_typeof_narrows_unknown(tmp_path: Path) -> None:
    source = H + (
        "  const data: unknown = req.json();\n  if (typeof data === \"string\") {\n"
        "    return Response.text(data.toUpperCase());\n  }\n  return Response.text(\"not a string\");\n}\n"
    )
    assert check(tmp_path, source) == set()


def test_const_keeps_its_literal_type(tmp_path: Path) -> None:
    source = (
        "type Mode = \"fast\" | \"safe\";\nfunction run(mode: Mode): string {\n  return mode;\n}\n"
        "const MODE = \"fast\";\nlet other = \"fast\";\n" + H
        + "  other = \"x\";\n  return Response.text(run(MODE) + run(other));\n}\n"
    )
    result = verify_text(tmp_path, source)
    # `const MODE` is the literal "fast" (assignable to Mode); `let other` widens to string (not).
    assert positions(result, "ZTS203") == [locate(source, "other));")]


def test_discriminated_union_by_tag_and_by_match(tmp_path: Path) -> None:
    source = (
        "type Event = { type: \"a\"; n: number } | { type: \"b\"; s: string };\n"
        "function size(e: Event): number {\n  if (e.type === \"a\") {\n    return e.n;\n  }\n"
        "  return e.s.length;\n}\n"
        "function name(e: Event): string {\n  return match (e) {\n    when { type: \"a\" }: \"a\"\n"
        "    when { type: \"b\" }: \"b\"\n  };\n}\n" + H
        + "  const e: Event = { type: \"b\", s: \"x\" };\n"
          "  return Response.json({ size: size(e), name: name(e) });\n}\n"
    )
    assert check(tmp_path, source) == set()


def test_structural_object_types(tmp_path: Path) -> None:
    source = (
        "interface Named {\n  name: string;\n}\nfunction hello(x: Named): string {\n  return x.name;\n}\n" + H
        + "  const user = { name: \"a\", age: 1 };\n  const thing = { title: \"t\" };\n"
          "  return Response.text(hello(user) + hello(thing));\n}\n"
    )
    result = verify_text(tmp_path, source)
    assert positions(result, "ZTS203") == [locate(source, "thing))")]


def test_distinct_types_are_nominal(tmp_path: Path) -> None:
    source = (
        "distinct type UserId = string;\nfunction load(id: UserId): string {\n  return id;\n}\n" + H
        + "  const fromPath = req.path.slice(1);\n  const checked = UserId(fromPath);\n"
          "  return Response.text(load(checked) + load(fromPath));\n}\n"
    )
    result = verify_text(tmp_path, source)
    assert positions(result, "ZTS203") == [locate(source, "fromPath));")]


def test_registry_signatures_are_checked(tmp_path: Path) -> None:
    require_export("zigttp:cache", "cacheGet")
    source = "import { cacheGet } from \"zigttp:cache\";\n" + H + (
        "  const a = cacheGet(\"sessions\");\n  const b = cacheGet(\"sessions\", 42);\n"
        "  return Response.json({ a: a ?? \"\", b: b ?? \"\" });\n}\n"
    )
    result = verify_text(tmp_path, source)
    assert positions(result, "ZTS202") == [locate(source, "cacheGet(\"sessions\");")]
    assert positions(result, "ZTS203") == [locate(source, "42")]


def test_registry_optional_results_need_narrowing(tmp_path: Path) -> None:
    require_export("zigttp:cache", "cacheGet")
    source = "import { cacheGet } from \"zigttp:cache\";\n" + H + (
        "  const hit = cacheGet(\"pages\", req.path);\n  return Response.text(hit.toUpperCase());\n}\n"
    )
    result = verify_text(tmp_path, source)
    assert positions(result, "ZTS309") == [locate(source, "hit.toUpperCase")]


def test_registry_results_need_an_ok_check(tmp_path: Path) -> None:
    require_export("zigttp:auth", "jwtVerify")
    source = "import { jwtVerify } from \"zigttp:auth\";\n" + H + (
        "  const r = jwtVerify(req.headers.get(\"authorization\") ?? \"\", \"k\");\n"
        "  return Response.json({ sub: r.value });\n}\n"
    )
    result = verify_text(tmp_path, source)
    assert positions(result, "ZTS303") == [locate(source, "r.value")]
    fixed = source.replace("  return Response.json({ sub: r.value });",
                           "  if (r.ok) {\n    return Response.json({ sub: r.value });\n  }\n"
                           "  return Response.text(\"denied\", { status: 401 });")
    assert "ZTS303" not in check(tmp_path, fixed)


def test_closures_keep_refinements_of_constants(tmp_path: Path) -> None:
    source = (
        "type Session = { user: string };\nfunction sessionOf(req: Request): Session | undefined {\n"
        "  return req.path === \"/\" ? undefined : { user: \"a\" };\n}\n" + H
        + "  const session = sessionOf(req);\n  if (session === undefined) {\n    return Response.text(\"no\");\n  }\n"
          "  const mine = [\"a\", \"b\"].filter((u) => u === session.user);\n  return Response.json(mine);\n}\n"
    )
    assert check(tmp_path, source) == set()


def test_match_default_arm_sees_only_the_unmatched_variants(tmp_path: Path) -> None:
    shapes = ('type Shape = { kind: "circle"; r: number } | { kind: "square"; side: number };\n'
              'const SHAPE: Shape = { kind: "square", side: 2 };\n')
    ok = (shapes + H + "  const a = match (SHAPE) {\n    when { kind: \"circle\" }: SHAPE.r\n"
          "    default: SHAPE.side\n  };\n  return Response.json({ a });\n}\n")
    assert check(tmp_path, ok) == set()
    # near miss: after `square` matched, the default arm holds only circles
    wrong = (shapes + H + "  const a = match (SHAPE) {\n    when { kind: \"square\" }: SHAPE.side\n"
             "    default: SHAPE.side\n  };\n  return Response.json({ a });\n}\n")
    result = verify_text(tmp_path, wrong)
    assert positions(result, "ZTS201") == [locate(wrong, "side\n  };")]
