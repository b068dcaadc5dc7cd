"""Capability extraction from the AST: literals are listed, everything else makes the capability dynamic."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zigttp.analysis.facts.capabilities import describe_statement
from zigttp.analysis.facts.hosts import literal_url_host, prefix_host
from zigttp.contract.derive import Derived

Derive = Callable[..., Derived]

ENV = 'import { env } from "zigttp:env";\n'


def handler(body: str, prelude: str = "") -> str:
    return f"{ENV}{prelude}\nexport function handler(req: Request): Response {{\n{body}\n}}\n"


def contract_of(derive_files: Derive, files: dict[str, str] | str) -> dict:
    d = derive_files(files)
    assert d.ok, d.diagnostics
    assert d.contract is not None
    return d.contract


# ---------- env: proven literals ----------

@pytest.mark.parametrize("prelude, expr", [
    ("", 'env("REGION")'),
    ("", "env(`REGION`)"),
    ('const KEY = "REGION";', "env(KEY)"),
    ('const KEY = "REGION";\nconst ALIAS = KEY;', "env(ALIAS)"),
    ("", 'env(comptime("REG" + "ION"))'),
    ("", '("REGION" |> env)'),
])
def test_literal_names_are_proven(derive_files: Derive, prelude: str, expr: str) -> None:
    d = derive_files(handler(f"  return Response.json({{ v: {expr} ?? \"\" }});", prelude))
    c = d.contract
    assert c["env"] == ["REGION"]
    assert c["dynamic"]["env"] is False
    # complete unless the verifier itself reports an error (its flow checker treats names it cannot
    # read as secrets); the grant does not depend on that
    assert c["proof"] == ("complete" if not d.errors else "partial")
    assert c["modules"] == ["zigttp:env"] and c["functions"] == {"zigttp:env": ["env"]}


def test_const_imported_from_a_local_module_is_proven(derive_files: Derive) -> None:
    c = contract_of(derive_files, {
        "handler.ts": handler('  return Response.json({ v: env(KEY) ?? "" });',
                              'import { KEY } from "./names.ts";'),
        "names.ts": 'export const KEY = "API_KEY";\n',
    })
    assert c["env"] == ["API_KEY"] and c["dynamic"]["env"] is False
    assert sorted(c["handler"]["files"]) == ["handler.ts", "names.ts"]


def test_literal_call_in_a_local_module_is_proven(derive_files: Derive) -> None:
    c = contract_of(derive_files, {
        "handler.ts": 'import { region } from "./lib.ts";\n'
                      "export function handler(req: Request): Response {\n"
                      "  return Response.json({ r: region() });\n}\n",
        "lib.ts": ENV + 'export function region(): string { return env("REGION") ?? "local"; }\n',
    })
    assert c["env"] == ["REGION"] and c["dynamic"]["env"] is False
    assert c["modules"] == ["zigttp:env"]


# ---------- env: everything the analysis cannot resolve is dynamic ----------

DYNAMIC = {
    "alias": ("const f = env;", 'f("ZIGTTP_TEST_SECRET") ?? ""'),
    "array": ("const fs = [env];", 'fs[0]("ZIGTTP_TEST_SECRET") ?? ""'),
    "object": ("const o = { get: env };", 'o.get("ZIGTTP_TEST_SECRET") ?? ""'),
    "shorthand": ("const o = { env };", 'o.env("ZIGTTP_TEST_SECRET") ?? ""'),
    "callback": ("", '["ZIGTTP_TEST_SECRET"].map(env)'),
    "helper": ("function call(f: (n: string) => string | undefined, n: string): string { return f(n) ?? \"\"; }",
               'call(env, "ZIGTTP_TEST_SECRET")'),
    "concatenation": ("", 'env("ZIGTTP_TEST_" + "SECRET") ?? ""'),
    "template": ('const part = "SECRET";', 'env(`ZIGTTP_TEST_${part}`) ?? ""'),
    "request": ("", "env(String(req.query.name)) ?? \"\""),
    "let variable": ('let name = "ZIGTTP_TEST_SECRET";', 'env(name) ?? ""'),
    "shadowing parameter": ("function g(env: (n: string) => string): string { return env(\"API_KEY\"); }",
                            'g((n: string) => n)'),
}


@pytest.mark.parametrize("case", sorted(DYNAMIC))
def test_unresolvable_access_is_dynamic(derive_files: Derive, case: str) -> None:
    prelude, expr = DYNAMIC[case]
    d = derive_files(handler(f"  return Response.json({{ v: {expr} }});", prelude))
    assert d.ok, d.diagnostics
    c = d.contract
    assert c["dynamic"]["env"] is True, case
    assert "ZIGTTP_TEST_SECRET" not in c["env"]
    assert "API_KEY" not in c["env"] or case == "shadowing parameter"
    assert c["proof"] == "partial"
    assert d.extraction.dynamic_sites("env")  # with a location for the build report


def test_reexport_through_a_local_module_is_dynamic(derive_files: Derive) -> None:
    c = contract_of(derive_files, {
        "handler.ts": 'import { read } from "./leak.ts";\n'
                      "export function handler(req: Request): Response {\n"
                      '  return Response.json({ v: read("ZIGTTP_TEST_SECRET") ?? "" });\n}\n',
        "leak.ts": ENV + "export const read = env;\n",
    })
    assert c["dynamic"]["env"] is True and c["env"] == []


def test_dynamic_access_in_dead_code_still_counts(derive_files: Derive) -> None:
    c = contract_of(derive_files, handler('  return Response.json({ ok: true });',
                                          "function unused(n: string): string { return env(n) ?? \"\"; }"))
    assert c["dynamic"]["env"] is True


def test_parallel_thunks_are_scanned(derive_files: Derive) -> None:
    c = contract_of(derive_files, ENV + 'import { parallel } from "zigttp:io";\nimport { fetch } from "zigttp:fetch";\n'
                    "export function handler(req: Request): Response {\n"
                    '  const rs = parallel([() => fetch("https://a.example.com/x"), '
                    "() => fetch(`https://${String(req.query.h)}/`)]);\n"
                    "  return Response.json({ n: rs.length });\n}\n")
    assert c["egress"] == ["a.example.com"] and c["dynamic"]["egress"] is True
    assert c["functions"] == {"zigttp:fetch": ["fetch"], "zigttp:io": ["parallel"]}


# ---------- cache, sql ----------

def test_cache_and_sql(derive_files: Derive) -> None:
    c = contract_of(derive_files, """import { cacheGet, cacheStats } from "zigttp:cache";
import { sql, sqlOne } from "zigttp:sql";
const NS = "sessions";
sql("getUserById", "SELECT id, name FROM users u JOIN teams t ON t.id = u.team WHERE u.id = :id");
sql("unused", "DELETE FROM sessions WHERE id = :id");
export function handler(req: Request): Response {
  const s = cacheGet(NS, "k") ?? "";
  const all = cacheStats();
  const row = sqlOne("getUserById", { id: 1 });
  return Response.json({ s, n: all.entries, found: row !== undefined });
}
""")
    assert c["cache"] == ["*", "sessions"]
    assert c["sql"] == ["getUserById"]
    assert c["sqlQueries"] == [
        {"name": "getUserById", "statement": "SELECT id, name FROM users u JOIN teams t ON t.id = u.team "
                                             "WHERE u.id = :id", "operation": "select", "tables": ["users", "teams"]},
        {"name": "unused", "statement": "DELETE FROM sessions WHERE id = :id", "operation": "delete",
         "tables": ["sessions"]},
    ]
    assert c["dynamic"] == {"env": False, "egress": False, "cache": False, "sql": False}


def test_computed_sql_name_is_dynamic(derive_files: Derive) -> None:
    c = contract_of(derive_files, """import { sql, sqlOne } from "zigttp:sql";
sql("a", "SELECT 1 AS x");
export function handler(req: Request): Response {
  return Response.json({ row: sqlOne(String(req.query.q)) ?? {} });
}
""")
    assert c["sql"] == [] and c["dynamic"]["sql"] is True


@pytest.mark.parametrize("statement, operation, tables", [
    ("select * from todos", "select", ("todos",)),
    ("INSERT INTO todos (title) VALUES (:t)", "insert", ("todos",)),
    ('UPDATE "todo items" SET done = 1 WHERE id = :id', "update", ("todo items",)),
    ("WITH x AS (SELECT id FROM a) DELETE FROM b WHERE id IN (SELECT id FROM x)", "delete", ("a", "b", "x")),
    ("CREATE TABLE IF NOT EXISTS t (id INTEGER)", "create", ("t",)),
    ("DROP TABLE old", "drop", ("old",)),
])
def test_describe_statement(statement: str, operation: str, tables: tuple[str, ...]) -> None:
    assert describe_statement(statement) == (operation, tables)


# ---------- egress ----------

@pytest.mark.parametrize("url, host", [
    ("https://api.stripe.com/v1/charges", "api.stripe.com"),
    ("https://API.Stripe.COM./v1", "api.stripe.com"),
    ("http://bücher.example:8080/x", "xn--bcher-kva.example:8080"),  # another port is another origin
    ("http://127.0.0.1:9/x", "127.0.0.1:9"),
    ("https://api.example.com:443/x", "api.example.com"),  # the scheme's default port: the plain name
    ("http://api.example.com:80/x", "api.example.com"),
    ("http://api.example.com:443/x", "api.example.com:443"),
    ("http://[::1]:8080/x", "[::1]:8080"),
    ("http://api.example.com:0/x", None),
    ("http://[::1]/x", "::1"),
    ("https://api.stripe.com@evil.example/", None),  # credentials: always refused
    ("http://2130706433/", None),  # IP forms not in their usual spelling: always refused
    ("http://0x7f.1/", None),
    ("ftp://files.example.com/", None),
    ("https:///nohost", None),
])
def test_literal_url_host(url: str, host: str | None) -> None:
    assert literal_url_host(url) == host


@pytest.mark.parametrize("prefix, host", [
    ("https://api.example.com/", "api.example.com"),
    ("https://api.example.com?x=", "api.example.com"),
    ("https://api.example.com", None),  # `.evil.com` could follow
    ("https://api.example.com:", None),
    ("https://user@api.example.com/", None),
    ("https://", None),
    ("/relative/", None),
])
def test_prefix_host(prefix: str, host: str | None) -> None:
    assert prefix_host(prefix) == host


def test_egress_forms(derive_files: Derive) -> None:
    c = contract_of(derive_files, """import { fetch } from "zigttp:fetch";
const BASE = "https://api.example.com";
export function handler(req: Request): Response {
  const a = fetch(`https://users.example.com/u/${req.path}`);
  const b = fetch(BASE + "/v1/" + req.path);
  const c = fetchSync("https://API.Stripe.com./v1/charges", { method: "POST" });
  const d = fetch("https://api.stripe.com@evil.example/");
  return Response.json({ s: [a.status, b.status, c.status, d.status] });
}
""")
    assert c["egress"] == ["api.example.com", "api.stripe.com", "users.example.com"]
    assert c["dynamic"]["egress"] is False
    assert c["functions"] == {"zigttp:fetch": ["fetch"]}


def test_host_decided_at_run_time_is_dynamic(derive_files: Derive) -> None:
    c = contract_of(derive_files, """import { fetch } from "zigttp:fetch";
const BASE = "https://api.example.com";
export function handler(req: Request): Response {
  return Response.json({ s: fetch(BASE + String(req.query.p)).status });
}
""")
    assert c["egress"] == [] and c["dynamic"]["egress"] is True


def test_fetch_sync_redeclared_is_dynamic(derive_files: Derive) -> None:
    c = contract_of(derive_files, """const fetchSync = (u: string): number => u.length;
export function handler(req: Request): Response {
  return Response.json({ n: fetchSync("https://a.example.com/") });
}
""")
    assert c["dynamic"]["egress"] is True


def test_value_use_makes_properties_conservative(derive_files: Derive) -> None:
    c = contract_of(derive_files, """import { cacheSet } from "zigttp:cache";
const write = cacheSet;
export function handler(req: Request): Response {
  write("ns", "k", "v");
  return Response.json({ ok: true });
}
""")
    assert c["dynamic"]["cache"] is True
    assert c["properties"]["read_only"] is False and c["properties"]["idempotent"] is False


# ---------- property: the contract lists exactly the literals, and is dynamic exactly when it must be ----------

LITERAL_USES = ['env("{n}")', "env(`{n}`)", '("{n}" |> env)']
DYNAMIC_USES = ["env(String(req.query.q))", 'env("{n}" + "X")', "env(`{n}${{req.path}}`)",
                "[\"{n}\"].map(env)[0]", "(0, env)(\"{n}\")", "pick(env)(\"{n}\")"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5), st.sampled_from(["A_1", "B_2", "C_3"])),
                min_size=1, max_size=6))
def test_extraction_property(derive_files: Derive, uses: list[tuple[bool, int, str]]) -> None:
    expressions, literal_names, dynamic = [], set(), False
    for is_literal, form, name in uses:
        if is_literal:
            expressions.append(LITERAL_USES[form % len(LITERAL_USES)].format(n=name))
            literal_names.add(name)
        else:
            expressions.append(DYNAMIC_USES[form].format(n=name))
            dynamic = True
    body = "  const v = [" + ", ".join(f"({e}) ?? \"\"" for e in expressions) + "];\n" \
           "  return Response.json({ n: v.length });"
    prelude = "function pick(f: (n: string) => string | undefined): (n: string) => string | undefined { return f; }"
    d = derive_files(handler(body, prelude))
    assert d.ok, d.diagnostics
    assert set(d.contract["env"]) == literal_names
    assert d.contract["dynamic"]["env"] is dynamic


def test_a_url_built_in_a_const_keeps_its_host(derive_files: Derive) -> None:
    c = contract_of(derive_files, """import { fetch } from "zigttp:fetch";
import { urlEncode } from "zigttp:url";
export function handler(req: Request): Response {
  const url = "https://api.github.com/users/" + urlEncode(String(req.query.user ?? "x"));
  const page = `https://pages.example.com/p/${req.path}`;
  const base = "https://v.example.com/v/" + req.path;
  return Response.json({ s: [fetch(url).status, fetch(page).status, fetch(base + "/x").status] });
}
""")
    assert c["egress"] == ["api.github.com", "pages.example.com", "v.example.com"] and c["dynamic"]["egress"] is False


def test_a_const_url_whose_host_is_open_stays_dynamic(derive_files: Derive) -> None:
    c = contract_of(derive_files, """import { fetch } from "zigttp:fetch";
export function handler(req: Request): Response {
  const loose = "https://api.example.com" + req.path;
  return Response.json({ s: fetch(loose).status });
}
""")
    assert c["egress"] == [] and c["dynamic"]["egress"] is True


def test_a_url_const_declared_twice_in_the_module_is_not_followed(derive_files: Derive) -> None:
    c = contract_of(derive_files, """import { fetch } from "zigttp:fetch";
function a(): number {
  const url = "https://a.example.com/" + "x";
  return fetch(url).status;
}
export function handler(req: Request): Response {
  const url = String(req.query.u);
  return Response.json({ s: [a(), fetch(url).status] });
}
""")
    assert c["dynamic"]["egress"] is True
