# ruff: noqa: E501  (a table of source edits: each edit stays on one line, as it appears in the file)
"""The soundness corpus of `zigttp prove`: handler pairs with the class each must get.

Each pair is an example handler (OLD, unchanged) and an edited copy (NEW):
mutants that change what the handler accepts, returns or reaches, and
refactors that change nothing observable. `expected` is the true class of
the change, not what the rules happen to answer: tests/prove/test_corpus.py
and scripts/bench_prove.py count how many are classified exactly as
expected and how many mutants come out less severe than they are.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEVERITY = {"equivalent": 0, "additive": 1, "breaking": 2}


@dataclass(frozen=True)
class Pair:
    name: str
    base: str  # the example, relative to the repository
    edits: tuple[tuple[str, str], ...]  # (old, new): each `old` occurs exactly once, unless marked "*"
    expected: str  # equivalent | additive | breaking
    kind: str  # mutant | refactor
    gap: str = ""  # why the rules cannot classify it exactly yet (KNOWN_GAPS); empty for every other pair

    def materialize(self, folder: Path) -> tuple[Path, Path]:
        """OLD and NEW handler files under `folder` (each beside a copy of the example's own folder)."""
        base = REPO / self.base
        old_dir, new_dir = folder / "old", folder / "new"
        for d in (old_dir, new_dir):
            shutil.copytree(base.parent, d, dirs_exist_ok=True)
        new = new_dir / base.name
        text = new.read_text(encoding="utf-8")
        for old, replacement in self.edits:
            every = old.startswith("*")
            needle = old[1:] if every else old
            count = text.count(needle)
            if count == 0 or (count != 1 and not every):
                raise ValueError(f"{self.name}: {needle!r} occurs {count} times in {self.base}")
            text = text.replace(needle, replacement)
        new.write_text(text, encoding="utf-8")
        return old_dir / base.name, new


def _pairs(base: str, kind: str, rows: list[tuple[str, str, tuple[tuple[str, str], ...]]]) -> list[Pair]:
    return [Pair(f"{Path(base).stem}-{name}", base, edits, expected, kind) for name, expected, edits in rows]


USERS = "examples/contract/users.ts"
ROUTER = "examples/modules/router.ts"
IO = "examples/modules/io.ts"
ENV = "examples/modules/env.ts"
FETCH = "examples/modules/fetch.ts"
MATCH = "examples/routing/match-router.ts"
DURABLE = "examples/durable/approval.ts"
AUTH = "examples/modules/auth.ts"
CACHE = "examples/modules/cache.ts"
SQL = "examples/modules/sql.ts"

MIRROR_FN = """function mirror(req: Request): Response {
  // the first mirror that answers ok, in this order (not the fastest)
  const res = race([() => fetchSync("https://eu.example.com/status"), () => fetchSync("https://us.example.com/status")]);
  return res === undefined ? Response.json({ error: "no mirror" }, { status: 503 }) : Response.json({ from: res.url });
}

"""

MUTANTS = [
    *_pairs(USERS, "mutant", [
        ("status-changed", "breaking", (("{ status: 201 }", "{ status: 200 }"),)),
        ("field-renamed", "breaking", (("{ ok: true, region:", "{ ok: true, zone:"),)),
        ("field-dropped", "breaking", (('{ ok: true, region: env("REGION") ?? "local" }', "{ ok: true }"),)),
        ("field-added", "additive", (("{ ok: true, region:", '{ ok: true, version: "2", region:'),)),
        ("route-removed", "breaking", (('  "POST /users": createUser,\n', ""),)),
        ("route-added", "additive", (('  "GET /health": health,\n', '  "GET /health": health,\n  "GET /healthz": health,\n'),)),
        ("env-added", "additive", (('env("REGION") ?? "local"', 'env("REGION") ?? env("STAGE") ?? "local"'),)),
        ("cache-removed", "breaking", (
            ('import { cacheGet, cacheSet } from "zigttp:cache";\n', ""), ('const SESSIONS = "sessions";\n', ""),
            ("  const cached = cacheGet(SESSIONS, id);\n  if (cached !== undefined) {\n    return Response.rawJson(cached);\n  }\n", ""),
            ("  cacheSet(SESSIONS, id, JSON.stringify(user), 60);\n", ""))),
        ("sql-changed", "breaking", (('WHERE id = :id"', 'WHERE id = :id LIMIT 1"'),)),
        ("body-field-required", "breaking", (
            ('email: { type: "string", format: "email" } }', 'email: { type: "string", format: "email" }, age: { type: "number" } }'),
            ('required: ["name", "email"]', 'required: ["name", "email", "age"]'))),
    ]),
    *_pairs(ROUTER, "mutant", [
        ("route-removed", "breaking", (('  "GET /static/*": (p: Params): Response => Response.text("file " + p["*"]),\n', ""),)),
        ("route-added", "additive", (('  "POST /users":', '  "DELETE /users/:id": (p: Params): Response => Response.json({ deleted: p.id }),\n  "POST /users":'),)),
        ("status-changed", "breaking", (("{ status: 201 }", "{ status: 200 }"),)),
        ("field-renamed", "breaking", (("Response.json({ user: p.id })", "Response.json({ userId: p.id })"),)),
        ("field-added", "additive", (("{ created: true }", '{ created: true, at: "now" }'),)),
        ("field-dropped", "breaking", (("{ user: p.id, post: p.post }", "{ user: p.id }"),)),
        ("type-changed", "breaking", (("Response.json({ created: true }", "Response.json({ created: 1 }"),)),
        ("content-type-changed", "breaking", (('Response.text("file " + p["*"])', 'Response.json({ file: p["*"] })'),)),
    ]),
    *_pairs(IO, "mutant", [
        ("egress-removed", "breaking", ((', () => fetchSync("https://us.example.com/status")', ""),)),
        ("egress-added", "additive", (('() => fetchSync("https://us.example.com/status")', '() => fetchSync("https://us.example.com/status"), () => fetchSync("https://ap.example.com/status")'),)),
        ("route-removed", "breaking", (('    when "/mirror": mirror(req)\n', ""),)),
        ("status-changed", "breaking", (("{ status: 503 }", "{ status: 502 }"),)),
        ("field-renamed", "breaking", (("Response.json({ from: res.url })", "Response.json({ source: res.url })"),)),
        ("route-added", "additive", (('    when "/mirror": mirror(req)\n', '    when "/mirror": mirror(req)\n    when "/ping": Response.json({ pong: true })\n'),)),
    ]),
    *_pairs(ENV, "mutant", [
        ("env-added", "additive", (('env("ZT_GREETING") ?? "hello"', 'env("ZT_GREETING") ?? env("ZT_FALLBACK") ?? "hello"'),)),
        ("env-renamed", "breaking", (('env("ZT_GREETING")', 'env("ZT_HELLO")'),)),
    ]),
    *_pairs(FETCH, "mutant", [
        ("egress-changed", "breaking", (("https://api.github.com/users/", "https://api.gitlab.com/users/"),)),
    ]),
    *_pairs(MATCH, "mutant", [
        ("route-removed", "breaking", (('    when { method: "GET", path: "/health" }: Response.text("ok")\n', ""),)),
        ("field-renamed", "breaking", (("*title", "name"),)),
        ("field-added", "additive", (
            ("type Todo = { id: number; title: string; done: boolean };", "type Todo = { id: number; title: string; done: boolean; priority: number };"),
            ('title: "write the handler", done: true }', 'title: "write the handler", done: true, priority: 1 }'),
            ('title: "prove it", done: false }', 'title: "prove it", done: false, priority: 2 }'))),
        ("content-type-changed", "breaking", (('Response.text("ok")', "Response.json({ ok: true })"),)),
        ("route-added", "additive", (('    when { method: "GET", path: "/todos" }', '    when { method: "GET", path: "/version" }: Response.json({ version: 2 })\n    when { method: "GET", path: "/todos" }'),)),
    ]),
    *_pairs(DURABLE, "mutant", [
        ("step-appended", "additive", (("    return Response.json(confirmed);", '    const notified = step("notify", () => true);\n    return Response.json({ ...confirmed, notified });'),)),
        ("step-removed", "breaking", (('    const draft = step("createDraft", () => ({\n      id: 42,\n      status: "draft",\n      totalCents: 1999,\n    }));\n', '    const draft = { id: 42, status: "draft", totalCents: 1999 };\n'),)),
        ("step-renamed", "breaking", (('step("createDraft"', 'step("makeDraft"'),)),
        ("step-inserted", "breaking", (('    const confirmed = step("confirmOrder"', '    const checked = step("check", () => true);\n    const confirmed = step("confirmOrder"'),)),
    ]),
    *_pairs(AUTH, "mutant", [
        ("env-removed", "breaking", (('env("WEBHOOK_SECRET") ?? "whsec"', '"whsec"'),)),
        ("route-removed", "breaking", (('    when "/webhook": webhook(req)\n', ""),)),
        ("status-changed", "breaking", (("*{ status: 401 }", "{ status: 403 }"),)),
        ("field-renamed", "breaking", (("Response.json({ token: jwtSign", "Response.json({ jwt: jwtSign"),)),
        ("field-added", "additive", (("Response.json({ user: claims.value.sub })", 'Response.json({ user: claims.value.sub, scheme: "bearer" })'),)),
        ("env-added", "additive", (('env("JWT_SECRET") ?? "dev-secret"', 'env("JWT_SECRET") ?? env("JWT_SECRET_OLD") ?? "dev-secret"'),)),
    ]),
    *_pairs(CACHE, "mutant", [
        ("namespace-renamed", "breaking", (('*"squares"', '"sq"'),)),
        ("route-removed", "breaking", (('    when "/stats": Response.json(cacheStats("squares"))\n', ""),)),
        ("field-added", "additive", (("{ ok: true, remaining: LIMIT - used }", "{ ok: true, remaining: LIMIT - used, limit: LIMIT }"),)),
        ("status-changed", "breaking", (("{ status: 429 }", "{ status: 503 }"),)),
        ("field-renamed", "breaking", (("*cached:", "fromCache:"),)),
        ("namespace-added", "additive", (('  const used = cacheIncr("ratelimit", client, 1, 60);\n', '  const used = cacheIncr("ratelimit", client, 1, 60);\n  cacheIncr("visits", client, 1, 60);\n'),)),
    ]),
    *_pairs(SQL, "mutant", [
        ("statement-changed", "breaking", (('ORDER BY id"', 'ORDER BY id DESC"'),)),
        ("status-changed", "breaking", (("{ status: 201 }", "{ status: 200 }"),)),
        ("field-renamed", "breaking", (("Response.json({ id: added.lastInsertRowId, title }", "Response.json({ id: added.lastInsertRowId, name: title }"),)),
        ("route-removed", "breaking", (('    when { method: "POST", path: "/todos" }: create(req)\n', ""),)),
        ("route-added", "additive", (('    when { method: "GET", path: "/todos" }', '    when { method: "GET", path: "/health" }: Response.json({ ok: true })\n    when { method: "GET", path: "/todos" }'),)),
    ]),
]

REFACTORS = [
    *_pairs(USERS, "refactor", [
        ("local-renamed", "equivalent", (("  const cached = cacheGet(SESSIONS, id);\n  if (cached !== undefined) {\n    return Response.rawJson(cached);", "  const hit = cacheGet(SESSIONS, id);\n  if (hit !== undefined) {\n    return Response.rawJson(hit);"),)),
        ("helper-extracted", "equivalent", (
            ('    return Response.json({ error: "not found" }, { status: 404 });\n  }\n  const user', "    return notFound();\n  }\n  const user"),
            ("function getUser(", 'function notFound(): Response {\n  return Response.json({ error: "not found" }, { status: 404 });\n}\n\nfunction getUser('))),
        ("declarations-reordered", "equivalent", (
            ('sql("getUserById", "SELECT id, name, email FROM users WHERE id = :id");\nsql("createUser", "INSERT INTO users (name, email) VALUES (:name, :email)");',
             'sql("createUser", "INSERT INTO users (name, email) VALUES (:name, :email)");\nsql("getUserById", "SELECT id, name, email FROM users WHERE id = :id");'),)),
        ("param-renamed", "equivalent", (("function createUser(req: Request, params: Record<string, string>)", "function createUser(req: Request, _params: Record<string, string>)"),)),
    ]),
    *_pairs(ROUTER, "refactor", [
        ("type-renamed", "equivalent", (("*Params", "RouteParams"),)),
        ("helper-extracted", "equivalent", (
            ('  "GET /users/:id": (p: Params): Response => Response.json({ user: p.id }),', '  "GET /users/:id": showUser,'),
            ("const routes = {", "function showUser(p: Params): Response {\n  return Response.json({ user: p.id });\n}\n\nconst routes = {"))),
    ]),
    *_pairs(IO, "refactor", [
        ("local-renamed", "equivalent", (("  const res = race(", "  const first = race("), ("return res === undefined ? ", "return first === undefined ? "), ("{ from: res.url }", "{ from: first.url }"))),
        ("functions-reordered", "equivalent", (
            (MIRROR_FN, ""), ("function dashboard(req: Request): Response {", MIRROR_FN + "function dashboard(req: Request): Response {"))),
    ]),
    *_pairs(ENV, "refactor", [
        ("local-renamed", "equivalent", (("*greeting", "salutation"),)),
        ("helper-extracted", "equivalent", (
            ('${req.query.name ?? "world"}', "${nameOf(req)}"),
            ("export function handler(", 'function nameOf(req: Request): string {\n  return String(req.query.name ?? "world");\n}\n\nexport function handler('))),
    ]),
    *_pairs(FETCH, "refactor", [
        ("local-renamed", "equivalent", (("*const user = ", "const login = "), ("urlEncode(user)", "urlEncode(login)"))),
        ("url-extracted", "equivalent", (
            ('  const res = fetch("https://api.github.com/users/" + urlEncode(user), {', '  const url = "https://api.github.com/users/" + urlEncode(user);\n  const res = fetch(url, {'),)),
    ]),
    *_pairs(MATCH, "refactor", [
        ("function-renamed", "equivalent", (("*findTodo", "lookupTodo"),)),
        ("local-renamed", "equivalent", (("*const todo = ", "const found = "), ("if (todo === undefined)", "if (found === undefined)"), ("return Response.json(todo);", "return Response.json(found);"))),
    ]),
    *_pairs(DURABLE, "refactor", [
        ("local-renamed", "equivalent", (("*draft.", "order."), ("const draft = ", "const order = "))),
    ]),
    *_pairs(AUTH, "refactor", [
        ("helper-renamed", "equivalent", (("*secret()", "signingKey()"),)),
        ("local-inlined", "equivalent", (
            ('  const user = String(req.query.user ?? "guest");\n  return Response.json({ token: jwtSign({ sub: user }, secret()) });',
             '  return Response.json({ token: jwtSign({ sub: String(req.query.user ?? "guest") }, secret()) });'),)),
    ]),
    *_pairs(CACHE, "refactor", [
        ("constant-renamed", "equivalent", (("*LIMIT", "MAX_REQUESTS"),)),
        ("local-renamed", "equivalent", (("*hit", "entry"),)),
    ]),
    *_pairs(SQL, "refactor", [
        ("local-renamed", "equivalent", (("*added", "inserted"),)),
        ("declarations-reordered", "equivalent", (
            ('sql("list", "SELECT id, title, done FROM todos ORDER BY id");\nsql("byId", "SELECT id, title, done FROM todos WHERE id = :id");',
             'sql("byId", "SELECT id, title, done FROM todos WHERE id = :id");\nsql("list", "SELECT id, title, done FROM todos ORDER BY id");'),)),
    ]),
]

EXTRA_MUTANTS = [
    *_pairs(USERS, "mutant", [
        ("not-found-status-changed", "breaking", (('Response.json({ error: "not found" }, { status: 404 })', 'Response.json({ error: "not found" }, { status: 410 })'),)),
        ("env-removed", "breaking", (('import { env } from "zigttp:env";\n', ""), ('env("REGION") ?? "local"', '"local"'))),
        ("sql-added", "additive", (
            ('sql("createUser"', 'sql("countUsers", "SELECT COUNT(*) AS n FROM users");\nsql("createUser"'),
            ('{ ok: true, region: env("REGION") ?? "local" }', '{ ok: true, region: env("REGION") ?? "local", users: Number((sqlOne("countUsers") ?? { n: 0 }).n) }'))),
    ]),
    *_pairs(ROUTER, "mutant", [
        ("method-changed", "breaking", (('"POST /users":', '"PUT /users":'),)),
        ("nested-field-added", "additive", (("{ user: p.id, post: p.post }", '{ user: p.id, post: p.post, title: "t" }'),)),
    ]),
    *_pairs(IO, "mutant", [
        ("field-added", "additive", (("    offers: offers !== undefined && offers.ok ? offers.json() : [],\n", '    offers: offers !== undefined && offers.ok ? offers.json() : [],\n    at: "now",\n'),)),
        ("egress-renamed", "breaking", (("https://eu.example.com/status", "https://de.example.com/status"),)),
    ]),
    *_pairs(FETCH, "mutant", [
        ("egress-added", "additive", (
            ("  if (res.status === 599) {", '  const other = fetch("https://api.gitlab.com/version", { timeoutMs: 1000 });\n  if (res.status === 599) {'),
            ("{ login: body.login, repos: body.public_repos }", "{ login: body.login, repos: body.public_repos, gitlab: other.status }"))),
    ]),
    *_pairs(MATCH, "mutant", [
        ("status-changed", "breaking", (('Response.json({ error: "not found" }, { status: 404 })', 'Response.json({ error: "not found" }, { status: 410 })'),)),
        ("method-changed", "breaking", (('when { method: "GET", path: "/health" }', 'when { method: "POST", path: "/health" }'),)),
        ("field-type-changed", "breaking", (("done: boolean", "done: number"), ("done: true", "done: 1"), ("done: false", "done: 0"))),
    ]),
    *_pairs(DURABLE, "mutant", [
        ("last-step-removed", "breaking", (('    const confirmed = step("confirmOrder", () => ({', "    const confirmed = ({"), ("      approval,\n    }));", "      approval,\n    });"))),
    ]),
    *_pairs(AUTH, "mutant", [
        ("route-added", "additive", (('    when "/webhook": webhook(req)\n', '    when "/webhook": webhook(req)\n    when "/logout": Response.json({ ok: true })\n'),)),
        ("webhook-status-changed", "breaking", (('Response.json({ error: "bad signature" }, { status: 400 })', 'Response.json({ error: "bad signature" }, { status: 422 })'),)),
    ]),
    *_pairs(CACHE, "mutant", [
        ("route-added", "additive", (('    when "/stats":', '    when "/reset": Response.json({ ok: true })\n    when "/stats":'),)),
    ]),
    *_pairs(SQL, "mutant", [
        ("statement-added", "additive", (
            ('sql("add",', 'sql("count", "SELECT COUNT(*) AS n FROM todos");\nsql("add",'),
            ('    when { method: "GET", path: "/todos" }', '    when { method: "GET", path: "/count" }: Response.json(sqlOne("count") ?? { n: 0 })\n    when { method: "GET", path: "/todos" }'))),
        ("field-added", "additive", (("Response.json({ id: added.lastInsertRowId, title }", "Response.json({ id: added.lastInsertRowId, title, done: false }"),)),
    ]),
]

EXTRA_REFACTORS = [
    *_pairs(USERS, "refactor", [
        ("routes-reordered", "equivalent", (('  "GET /users/:id": getUser,\n  "POST /users": createUser,\n', '  "POST /users": createUser,\n  "GET /users/:id": getUser,\n'),)),
        ("function-renamed", "equivalent", (("function health(", "function healthCheck("), ('"GET /health": health,', '"GET /health": healthCheck,'))),
    ]),
    *_pairs(ROUTER, "refactor", [
        ("arrow-to-function", "equivalent", (
            ('  "POST /users": (p: Params): Response => Response.json({ created: true }, { status: 201 }),', '  "POST /users": createUser,'),
            ("const routes = {", "function createUser(p: Params): Response {\n  return Response.json({ created: true }, { status: 201 });\n}\n\nconst routes = {"))),
    ]),
    *_pairs(IO, "refactor", [
        ("constant-renamed", "equivalent", (("*BASE", "API_BASE"),)),
    ]),
    *_pairs(MATCH, "refactor", [
        ("helper-extracted", "equivalent", (
            ('Response.json({ error: "method not allowed" }, { status: 405 })', "methodNotAllowed()"),
            ("export function handler(", 'function methodNotAllowed(): Response {\n  return Response.json({ error: "method not allowed" }, { status: 405 });\n}\n\nexport function handler('))),
    ]),
    *_pairs(DURABLE, "refactor", [
        ("step-body-extracted", "equivalent", (
            ('step("createDraft", () => ({\n      id: 42,\n      status: "draft",\n      totalCents: 1999,\n    }))', 'step("createDraft", makeDraft)'),
            ("export function handler(", 'function makeDraft(): { id: number; status: string; totalCents: number } {\n  return { id: 42, status: "draft", totalCents: 1999 };\n}\n\nexport function handler('))),
    ]),
    *_pairs(AUTH, "refactor", [
        ("local-renamed", "equivalent", (("const token = parseBearer", "const bearer = parseBearer"), ("if (token === undefined)", "if (bearer === undefined)"), ("jwtVerify(token,", "jwtVerify(bearer,"))),
    ]),
    *_pairs(CACHE, "refactor", [
        ("helper-extracted", "equivalent", (
            ('Response.json({ error: "not found" }, { status: 404 })', "notFound()"),
            ("export function handler(", 'function notFound(): Response {\n  return Response.json({ error: "not found" }, { status: 404 });\n}\n\nexport function handler('))),
    ]),
    *_pairs(SQL, "refactor", [
        ("helper-extracted", "equivalent", (
            ('*Response.json({ error: "not found" }, { status: 404 })', "notFound()"),
            ("export function handler(", 'function notFound(): Response {\n  return Response.json({ error: "not found" }, { status: 404 });\n}\n\nexport function handler('))),
    ]),
]

# Pairs the rules do not classify exactly today, and why (docs/prove.md, "Limits"): none at the moment.
KNOWN_GAPS: dict[str, str] = {}


def _with_gaps(pairs: list[Pair]) -> list[Pair]:
    return [Pair(p.name, p.base, p.edits, p.expected, p.kind, KNOWN_GAPS.get(p.name, "")) for p in pairs]


CORPUS = _with_gaps([*MUTANTS, *EXTRA_MUTANTS, *REFACTORS, *EXTRA_REFACTORS])


@dataclass(frozen=True)
class Outcome:
    pair: Pair
    got: str  # the classification zigttp prove gave, or "error: ..." when a side did not load
    rules: tuple[str, ...]

    @property
    def exact(self) -> bool:
        return self.got == self.pair.expected

    @property
    def less_severe(self) -> bool:
        return self.got in SEVERITY and SEVERITY[self.got] < SEVERITY[self.pair.expected]


def classify(pair: Pair, folder: Path) -> Outcome:
    """Proves the pair's NEW against its OLD (contracts only, no traces)."""
    from zigttp.prove.inputs import InputError, load_side
    from zigttp.prove.run import prove

    old_path, new_path = pair.materialize(folder)
    try:
        proof = prove(load_side(str(old_path)), load_side(str(new_path)))
    except InputError as e:
        return Outcome(pair, f"error: {e}", ())
    rules = tuple(f.rule.id for f in proof.findings if f.level != "info")
    return Outcome(pair, proof.verdict.classification, rules)
