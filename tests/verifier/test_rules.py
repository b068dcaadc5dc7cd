"""Every diagnostic code: one fixture that triggers it (code, line and column) and one near-miss that must not.

`marker` is the source text the diagnostic must start at (its first occurrence,
or `(text, n)` for the n-th); the near-miss is the corrected handler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from verifier_helpers import codes, locate, positions, require_export, verify_text


@dataclass
class Case:
    id: str
    code: str
    source: str
    marker: str | tuple[str, int]
    near_miss: str
    needs: list[tuple[str, str]] = field(default_factory=list)
    strict: bool = False
    severity: str = "error"
    name: str = "handler.ts"


H = "export function handler(req: Request): Response {\n"

CASES: list[Case] = [
    # ------------------------------------------------------------ sound mode
    Case("object-condition", "ZTS100",
         H + "  const items = [1, 2];\n  if (items) {\n    return Response.text(\"some\");\n  }\n"
             "  return Response.text(\"none\");\n}\n",
         "items) {",
         H + "  const items = [1, 2];\n  if (items.length > 0) {\n    return Response.text(\"some\");\n  }\n"
             "  return Response.text(\"none\");\n}\n"),
    Case("always-false-condition", "ZTS100",
         H + "  const nothing = undefined;\n  if (nothing) {\n    return Response.text(\"x\");\n  }\n"
             "  return Response.text(\"y\");\n}\n",
         "nothing) {",
         H + "  const header = req.headers.get(\"x\");\n  if (header) {\n    return Response.text(header);\n  }\n"
             "  return Response.text(\"y\");\n}\n",
         severity="warning"),
    Case("logical-operand", "ZTS101",
         H + "  const config = { debug: true };\n  const on = config && req.path === \"/\";\n"
             "  return Response.json({ on });\n}\n",
         "config &&",
         H + "  const config = { debug: true };\n  const on = config.debug && req.path === \"/\";\n"
             "  return Response.json({ on });\n}\n"),
    Case("not-operand", "ZTS102",
         H + "  const handlerFn = (x: number): number => x;\n  if (!handlerFn) {\n"
             "    return Response.text(\"none\");\n  }\n  return Response.text(String(handlerFn(1)));\n}\n",
         "!handlerFn",
         H + "  const count = req.path.length;\n  if (!count) {\n"
             "    return Response.text(\"none\");\n  }\n  return Response.text(String(count));\n}\n"),
    Case("nullish-non-nullable", "ZTS103",
         H + "  const path = req.path ?? \"/\";\n  return Response.text(path);\n}\n",
         "req.path ??",
         H + "  const body = req.body ?? \"\";\n  return Response.text(body);\n}\n",
         severity="warning"),
    Case("arithmetic-non-numeric", "ZTS104",
         H + "  const half = req.path / 2;\n  return Response.json({ half });\n}\n",
         "req.path /",
         H + "  const half = req.path.length / 2;\n  return Response.json({ half });\n}\n"),
    Case("mixed-add", "ZTS105",
         H + "  const n = 3;\n  const label = \"items: \" + n;\n  return Response.text(label);\n}\n",
         "\"items: \" + n",
         H + "  const n = 3;\n  const label = `items: ${n}`;\n  return Response.text(label);\n}\n"),
    Case("add-non-addable", "ZTS106",
         H + "  const flag = req.method === \"GET\";\n  const text = \"get: \" + flag;\n"
             "  return Response.text(text);\n}\n",
         "flag;",
         H + "  const flag = req.method === \"GET\";\n  const text = \"get: \" + String(flag);\n"
             "  return Response.text(text);\n}\n"),
    Case("tautological-typeof", "ZTS107",
         H + "  if (typeof req.path === \"number\") {\n    return Response.text(\"odd\");\n  }\n"
             "  return Response.text(req.path);\n}\n",
         "typeof req.path",
         H + "  const data: unknown = req.json();\n  if (typeof data === \"number\") {\n"
             "    return Response.json({ data });\n  }\n  return Response.text(req.path);\n}\n",
         severity="warning"),
    # ---------------------------------------------------------- type checker
    Case("declared-vs-initializer", "ZTS200",
         H + "  const port: number = \"8080\";\n  return Response.json({ port });\n}\n",
         "\"8080\"",
         H + "  const port: number = 8080;\n  return Response.json({ port });\n}\n"),
    Case("readonly-assignment", "ZTS200",
         "type Money = { readonly cents: number };\n" + H
         + "  const price: Money = { cents: 100 };\n  price.cents = 200;\n  return Response.json(price);\n}\n",
         "cents = 200",
         "type Money = { readonly cents: number };\n" + H
         + "  const price: Money = { cents: 100 };\n  const raised: Money = { ...price, cents: 200 };\n"
           "  return Response.json(raised);\n}\n"),
    Case("const-assignment", "ZTS200",
         H + "  const count = 1;\n  count = 2;\n  return Response.json({ count });\n}\n",
         "count = 2",
         H + "  let count = 1;\n  count = 2;\n  return Response.json({ count });\n}\n"),
    Case("missing-field", "ZTS201",
         H + "  return Response.text(req.paht);\n}\n",
         "paht",
         H + "  return Response.text(req.path);\n}\n"),
    Case("union-not-narrowed", "ZTS201",
         "type Shape = { kind: \"circle\"; r: number } | { kind: \"square\"; side: number };\n"
         "function area(s: Shape): number {\n  return s.r * s.r;\n}\n" + H
         + "  return Response.json({ a: area({ kind: \"circle\", r: 1 }) });\n}\n",
         "r * s.r",
         "type Shape = { kind: \"circle\"; r: number } | { kind: \"square\"; side: number };\n"
         "function area(s: Shape): number {\n  if (s.kind === \"circle\") {\n    return s.r * s.r;\n  }\n"
         "  return s.side * s.side;\n}\n" + H
         + "  return Response.json({ a: area({ kind: \"circle\", r: 1 }) });\n}\n"),
    Case("excess-property", "ZTS201",
         "type User = { name: string; age: number };\n" + H
         + "  const user: User = { name: \"a\", age: 3, agee: 4 };\n  return Response.json(user);\n}\n",
         "agee",
         "type User = { name: string; age: number };\n" + H
         + "  const user: User = { name: \"a\", age: 3 };\n  return Response.json(user);\n}\n"),
    Case("arg-count", "ZTS202",
         "function greet(name: string): string {\n  return `hi ${name}`;\n}\n" + H
         + "  return Response.text(greet(\"a\", \"b\"));\n}\n",
         "greet(\"a\"",
         "function greet(name: string, greeting?: string): string {\n  return `${greeting ?? \"hi\"} ${name}`;\n}\n"
         + H + "  return Response.text(greet(\"a\", \"b\"));\n}\n"),
    Case("arg-type", "ZTS203",
         "function twice(n: number): number {\n  return n * 2;\n}\n" + H
         + "  return Response.json({ v: twice(req.path) });\n}\n",
         "req.path)",
         "function twice(n: number): number {\n  return n * 2;\n}\n" + H
         + "  return Response.json({ v: twice(req.path.length) });\n}\n"),
    Case("return-type", "ZTS204",
         "function count(items: string[]): number {\n  return items.join(\",\");\n}\n" + H
         + "  return Response.json({ n: count([\"a\"]) });\n}\n",
         "items.join",
         "function count(items: string[]): number {\n  return items.length;\n}\n" + H
         + "  return Response.json({ n: count([\"a\"]) });\n}\n"),
    Case("missing-return-value", "ZTS204",
         "function sign(n: number): string {\n  if (n > 0) {\n    return \"+\";\n  }\n}\n" + H
         + "  return Response.text(sign(1));\n}\n",
         "sign(n",
         "function sign(n: number): string {\n  if (n > 0) {\n    return \"+\";\n  }\n  return \"-\";\n}\n" + H
         + "  return Response.text(sign(1));\n}\n"),
    Case("impossible-arm", "ZTS205",
         "type Method = \"GET\" | \"POST\";\nfunction label(m: Method): string {\n  return match (m) {\n"
         "    when \"GET\": \"read\"\n    when \"PUT\": \"write\"\n    default: \"other\"\n  };\n}\n" + H
         + "  return Response.text(label(\"GET\"));\n}\n",
         "\"PUT\"",
         "type Method = \"GET\" | \"POST\";\nfunction label(m: Method): string {\n  return match (m) {\n"
         "    when \"GET\": \"read\"\n    when \"POST\": \"write\"\n    default: \"other\"\n  };\n}\n" + H
         + "  return Response.text(label(\"GET\"));\n}\n"),
    # ------------------------------------------------------ handler verifier
    Case("missing-return", "ZTS302",
         H + "  if (req.method === \"GET\") {\n    return Response.text(\"ok\");\n  }\n}\n",
         "handler(",
         H + "  if (req.method === \"GET\") {\n    return Response.text(\"ok\");\n  }\n"
             "  return Response.text(\"no\", { status: 405 });\n}\n"),
    Case("unchecked-result", "ZTS303",
         H + "  const parsed = JSON.tryParse(req.body ?? \"\");\n  return Response.json(parsed.value);\n}\n",
         "parsed.value",
         H + "  const parsed = JSON.tryParse(req.body ?? \"\");\n  if (!parsed.ok) {\n"
             "    return Response.json({ error: \"bad json\" }, { status: 400 });\n  }\n"
             "  return Response.json(parsed.value);\n}\n"),
    Case("unchecked-unwrap", "ZTS303",
         H + "  const parsed = JSON.tryParse(req.body ?? \"\");\n  return Response.json(parsed.unwrap());\n}\n",
         "parsed.unwrap",
         H + "  const parsed = JSON.tryParse(req.body ?? \"\");\n  if (parsed.isErr()) {\n"
             "    return Response.json({ error: \"bad json\" }, { status: 400 });\n  }\n"
             "  return Response.json(parsed.unwrap());\n}\n"),
    Case("unreachable", "ZTS304",
         H + "  return Response.text(\"a\");\n  const late = 1;\n}\n",
         "const late",
         H + "  const early = 1;\n  return Response.text(`a${early}`);\n}\n",
         severity="warning"),
    Case("unused-variable", "ZTS305",
         H + "  const temp = req.path.length;\n  return Response.text(\"ok\");\n}\n",
         "temp",
         H + "  const _temp = req.path.length;\n  return Response.text(\"ok\");\n}\n",
         severity="warning"),
    Case("non-exhaustive-match", "ZTS307",
         H + "  const kind = match (req.method) {\n    when \"GET\": \"read\"\n    when \"POST\": \"write\"\n  };\n"
             "  return Response.text(kind);\n}\n",
         "match (req.method)",
         "type Method = \"GET\" | \"POST\";\nfunction kindOf(m: Method): string {\n  return match (m) {\n"
         "    when \"GET\": \"read\"\n    when \"POST\": \"write\"\n  };\n}\n" + H
         + "  return Response.text(kindOf(\"GET\"));\n}\n"),
    Case("unchecked-optional-use", "ZTS308",
         "function shout(s: string): string {\n  return s.toUpperCase();\n}\n" + H
         + "  const name = req.headers.get(\"x-name\");\n  return Response.text(shout(name));\n}\n",
         "name));",
         "function shout(s: string): string {\n  return s.toUpperCase();\n}\n" + H
         + "  const name = req.headers.get(\"x-name\") ?? \"anonymous\";\n  return Response.text(shout(name));\n}\n"),
    Case("unchecked-optional-access", "ZTS309",
         "type Todo = { id: number; title: string };\nconst TODOS: Todo[] = [{ id: 1, title: \"a\" }];\n" + H
         + "  const todo = TODOS.find((t) => t.id === 1);\n  return Response.text(todo.title);\n}\n",
         "todo.title",
         "type Todo = { id: number; title: string };\nconst TODOS: Todo[] = [{ id: 1, title: \"a\" }];\n" + H
         + "  const todo = TODOS.find((t) => t.id === 1);\n  if (todo === undefined) {\n"
           "    return Response.text(\"none\", { status: 404 });\n  }\n  return Response.text(todo.title);\n}\n"),
    Case("module-scope-mutation", "ZTS310",
         "let hits = 0;\n" + H + "  hits = hits + 1;\n  return Response.json({ hits });\n}\n",
         "hits = hits",
         "const START = 0;\n" + H + "  const hits = START + 1;\n  return Response.json({ hits });\n}\n"),
    Case("framing-header-in-init", "ZTS311",
         H + "  return Response.text(\"x\", { headers: { \"Content-Length\": \"1\" } });\n}\n",
         "\"Content-Length\"",
         H + "  return Response.text(\"x\", { headers: { \"content-type\": \"text/csv\" } });\n}\n",
         severity="warning"),
    Case("framing-header-set", "ZTS311",
         H + "  const res = Response.text(\"x\");\n  res.headers.set(\"transfer-encoding\", \"chunked\");\n"
             "  return res;\n}\n",
         "\"transfer-encoding\"",
         H + "  const res = Response.text(\"x\");\n  res.headers.set(\"x-trace\", \"1\");\n  return res;\n}\n",
         severity="warning"),
    Case("framing-header-assign", "ZTS311",
         H + "  const res = Response.text(\"x\");\n  res.headers[\"proxy-authenticate\"] = \"Basic\";\n"
             "  return res;\n}\n",
         "\"proxy-authenticate\"",
         H + "  const res = Response.text(\"x\");\n  res.headers[\"www-authenticate\"] = \"Basic\";\n"
             "  return res;\n}\n",
         severity="warning"),
    Case("undefined-name", "ZTS312",
         H + "  const order = { id: 42 };\n  return resorce(order, { self: { href: \"/orders/42\" } });\n}\n",
         "resorce(",
         H + "  const order = { id: 42 };\n  return resource(order, { self: { href: \"/orders/42\" } });\n}\n"),
    Case("schema-pattern-lookahead", "ZTS331",
         "import { schemaCompile, validateJson } from \"zigttp:validate\";\n"
         "schemaCompile(\"user\", { type: \"string\", pattern: \"^(?!admin$)\" });\n" + H
         + "  const r = validateJson(\"user\", req.body ?? \"\");\n  return Response.json({ ok: r.ok });\n}\n",
         "\"^(?!admin$)\"",
         "import { schemaCompile, validateJson } from \"zigttp:validate\";\n"
         "schemaCompile(\"user\", { type: \"string\", not: { pattern: \"^admin$\" } });\n" + H
         + "  const r = validateJson(\"user\", req.body ?? \"\");\n  return Response.json({ ok: r.ok });\n}\n"),
    # --------------------------------------------------------- flow checker
    Case("secret-in-response", "ZTS400",
         "import { env } from \"zigttp:env\";\n" + H
         + "  const key = env(\"API_KEY\") ?? \"\";\n  return Response.json({ key });\n}\n",
         "{ key }",
         "import { env } from \"zigttp:env\";\n" + H
         + "  const region = env(\"REGION\") ?? \"\";\n  return Response.json({ region });\n}\n",
         needs=[("zigttp:env", "env")]),
    Case("credential-in-response", "ZTS401",
         H + "  const auth = req.headers.get(\"authorization\") ?? \"\";\n  return Response.json({ auth });\n}\n",
         "{ auth }",
         H + "  const agent = req.headers.get(\"user-agent\") ?? \"\";\n  return Response.json({ agent });\n}\n",
         severity="warning"),
    Case("secret-in-log", "ZTS402",
         "import { env } from \"zigttp:env\";\n" + H
         + "  const key = env(\"API_KEY\") ?? \"\";\n  console.log(\"key\", key);\n"
           "  return Response.text(\"ok\");\n}\n",
         "key);",
         "import { env } from \"zigttp:env\";\n" + H
         + "  const key = env(\"API_KEY\") ?? \"\";\n  console.log(\"key length\", key.length);\n"
           "  return Response.text(\"ok\");\n}\n",
         needs=[("zigttp:env", "env")]),
    Case("credential-in-log", "ZTS403",
         H + "  const auth = req.headers.get(\"authorization\") ?? \"\";\n  console.log(auth);\n"
             "  return Response.text(\"ok\");\n}\n",
         "auth);",
         H + "  const auth = req.headers.get(\"authorization\") ?? \"\";\n  console.log(auth.length > 0);\n"
             "  return Response.text(\"ok\");\n}\n"),
    Case("secret-in-egress-url", "ZTS404",
         "import { env } from \"zigttp:env\";\n" + H
         + "  const key = env(\"API_KEY\") ?? \"\";\n  const r = fetchSync(`https://api.example.com/v1?key=${key}`);\n"
           "  return Response.json({ status: r.status });\n}\n",
         "`https",
         "import { env } from \"zigttp:env\";\n" + H
         + "  const key = env(\"API_KEY\") ?? \"\";\n  const r = fetchSync(\"https://api.example.com/v1\", "
           "{ headers: { authorization: `Bearer ${key}` } });\n  return Response.json({ status: r.status });\n}\n",
         needs=[("zigttp:env", "env")]),
    Case("credential-in-egress", "ZTS405",
         H + "  const auth = req.headers.get(\"authorization\") ?? \"\";\n"
             "  const r = fetchSync(\"https://api.example.com/v1\", { headers: { authorization: auth } });\n"
             "  return Response.json({ status: r.status });\n}\n",
         "{ headers",
         H + "  const r = fetchSync(\"https://api.example.com/v1\", { headers: { accept: \"text/plain\" } });\n"
             "  return Response.json({ status: r.status });\n}\n",
         severity="warning"),
    Case("secret-in-egress-body", "ZTS406",
         "import { env } from \"zigttp:env\";\n" + H
         + "  const key = env(\"API_KEY\") ?? \"\";\n"
           "  const r = fetchSync(\"https://api.example.com/v1\", { method: \"POST\", body: key });\n"
           "  return Response.json({ status: r.status });\n}\n",
         "{ method",
         "import { env } from \"zigttp:env\";\n" + H
         + "  const key = env(\"API_KEY\") ?? \"\";\n"
           "  const r = fetchSync(\"https://api.example.com/v1\", { method: \"POST\", body: String(key.length) });\n"
           "  return Response.json({ status: r.status });\n}\n",
         needs=[("zigttp:env", "env")]),
    Case("unvalidated-egress", "ZTS407",
         H + "  const r = fetchSync(`https://api.example.com/search?q=${req.query.q}`);\n"
             "  return Response.json({ status: r.status });\n}\n",
         "`https",
         H + "  const page = Number(req.query.page ?? 1);\n"
             "  const r = fetchSync(`https://api.example.com/list?page=${page}`);\n"
             "  return Response.json({ status: r.status });\n}\n",
         severity="warning"),
    Case("unvalidated-html", "ZTS407",
         H + "  return Response.html(`<h1>${req.path}</h1>`);\n}\n",
         "`<h1>",
         H + "  return Response.html(renderToString(<h1>{req.path}</h1>));\n}\n",
         severity="warning", name="handler.tsx"),
    # ------------------------------------------------------ strict / canonical
    Case("implicit-unknown", "ZTS600",
         H + "  const data = req.json();\n  return Response.json({ data });\n}\n",
         "req.json()",
         H + "  const data: unknown = req.json();\n  return Response.json({ data });\n}\n",
         strict=True),
    Case("missing-annotation", "ZTS601",
         "function double(n: number) {\n  return n * 2;\n}\n" + H
         + "  return Response.json({ d: double(2) });\n}\n",
         "double(n",
         "function double(n: number): number {\n  return n * 2;\n}\n" + H
         + "  return Response.json({ d: double(2) });\n}\n",
         strict=True),
    Case("dynamic-capability", "ZTS602",
         "import { env } from \"zigttp:env\";\n" + H
         + "  const name = req.path.slice(1);\n  const value = env(name) ?? \"\";\n"
           "  return Response.json({ length: value.length });\n}\n",
         "name) ??",
         "import { env } from \"zigttp:env\";\nconst NAME = \"REGION\";\n" + H
         + "  const value = env(NAME) ?? \"\";\n  return Response.json({ length: value.length });\n}\n",
         strict=True, needs=[("zigttp:env", "env")]),
    Case("avoidable-let", "ZTS604",
         H + "  let path = req.path;\n  return Response.text(path);\n}\n",
         "path =",
         H + "  const path = req.path;\n  return Response.text(path);\n}\n",
         strict=True),
    Case("computed-access", "ZTS605",
         "const PRICES: Record<string, number> = { tea: 3 };\n" + H
         + "  const price = PRICES[req.path] ?? 0;\n  return Response.json({ price });\n}\n",
         "PRICES[req.path]",
         "const PRICES: Record<string, number> = { tea: 3 };\n" + H
         + "  const price = PRICES[\"tea\"] ?? 0;\n  return Response.json({ price });\n}\n",
         strict=True),
    Case("arrow-helper", "ZTS608",
         "const twice = (n: number): number => n * 2;\n" + H
         + "  return Response.json({ a: twice(1), b: twice(2) });\n}\n",
         "twice =",
         "function twice(n: number): number {\n  return n * 2;\n}\n" + H
         + "  return Response.json({ a: twice(1), b: twice(2) });\n}\n",
         strict=True),
    Case("export-function-const", "ZTS609",
         "export const helper = (n: number): number => n + 1;\n" + H
         + "  return Response.json({ a: helper(1) });\n}\n",
         "helper =",
         "export function helper(n: number): number {\n  return n + 1;\n}\n" + H
         + "  return Response.json({ a: helper(1) });\n}\n",
         strict=True),
    Case("ternary", "ZTS612",
         H + "  const word = req.method === \"GET\" ? \"read\" : \"write\";\n  return Response.text(word);\n}\n",
         "req.method ===",
         H + "  if (req.method === \"GET\") {\n    return Response.text(\"read\");\n  }\n"
             "  return Response.text(\"write\");\n}\n",
         strict=True),
    Case("compound-assignment", "ZTS613",
         H + "  let total = 1;\n  total += req.path.length;\n  return Response.json({ total });\n}\n",
         "total +=",
         H + "  let total = 1;\n  total = total + req.path.length;\n  return Response.json({ total });\n}\n",
         strict=True),
    Case("non-leading-spread", "ZTS614",
         "const BASE = { a: 1 };\n" + H + "  return Response.json({ b: 2, ...BASE });\n}\n",
         "...BASE",
         "const BASE = { a: 1 };\n" + H + "  return Response.json({ ...BASE, b: 2 });\n}\n",
         strict=True),
    Case("template-complex", "ZTS615",
         H + "  return Response.text(`path: ${req.path.toUpperCase()}`);\n}\n",
         "req.path.toUpperCase()",
         H + "  const upper = req.path.toUpperCase();\n  return Response.text(`path: ${upper}`);\n}\n",
         strict=True),
    Case("call-spread", "ZTS616",
         H + "  const xs = [1, 2];\n  return Response.json({ m: Math.max(...xs) });\n}\n",
         "...xs",
         H + "  const xs = [1, 2];\n  return Response.json({ m: Math.max(xs[0], xs[1]) });\n}\n",
         strict=True),
    Case("default-parameter", "ZTS617",
         "function pad(s: string, width: number = 4): string {\n  return s.padStart(width);\n}\n" + H
         + "  return Response.text(pad(\"a\"));\n}\n",
         "width: number = 4",
         "function pad(s: string, width: number | undefined): string {\n  return s.padStart(width ?? 4);\n}\n"
         + H + "  return Response.text(pad(\"a\", undefined));\n}\n",
         strict=True),
    Case("destructure-depth", "ZTS618",
         "const CONFIG = { db: { host: \"h\" } };\n" + H
         + "  const { db: { host } } = CONFIG;\n  return Response.text(host);\n}\n",
         ("{ db:", 2),
         "const CONFIG = { db: { host: \"h\" } };\n" + H
         + "  const { db } = CONFIG;\n  const { host } = db;\n  return Response.text(host);\n}\n",
         strict=True),
    Case("unused-index-alias", "ZTS619",
         H + "  const out: string[] = [];\n  for (const [i, part] of req.path.split(\"/\").entries()) {\n"
             "    out.push(part);\n  }\n  return Response.json(out);\n}\n",
         "i, part",
         H + "  const out: string[] = [];\n  for (const part of req.path.split(\"/\")) {\n"
             "    out.push(part);\n  }\n  return Response.json(out);\n}\n",
         strict=True),
    Case("redundant-bool-compare", "ZTS620",
         H + "  const get = req.method === \"GET\";\n  if (get === true) {\n    return Response.text(\"get\");\n  }\n"
             "  return Response.text(\"other\");\n}\n",
         "get === true",
         H + "  const get = req.method === \"GET\";\n  if (get) {\n    return Response.text(\"get\");\n  }\n"
             "  return Response.text(\"other\");\n}\n",
         strict=True),
]

# Codes whose fixtures need a module export: checked separately so a missing export skips only them.
_IDS = [case.id for case in CASES]


def _run(tmp_path: Path, case: Case, source: str):
    for module, export in case.needs:
        require_export(module, export)
    return verify_text(tmp_path, source, case.name, strict=case.strict)


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_rule_triggers_at_its_position(tmp_path: Path, case: Case) -> None:
    result = _run(tmp_path, case, case.source)
    marker, occurrence = case.marker if isinstance(case.marker, tuple) else (case.marker, 1)
    expected = locate(case.source, marker, occurrence)
    assert expected in positions(result, case.code), result.render_text()
    found = [d for d in result.diagnostics if d.code == case.code and (d.line, d.column) == expected]
    assert found[0].severity == case.severity
    assert "ZTS999" not in codes(result)


@pytest.mark.parametrize("case", CASES, ids=_IDS)
def test_near_miss_is_clean(tmp_path: Path, case: Case) -> None:
    result = _run(tmp_path, case, case.near_miss)
    assert case.code not in codes(result), result.render_text()
    assert result.ok, result.render_text()


def test_every_rule_code_has_a_fixture() -> None:
    from zigttp.verifier.codes import all_rules

    covered = {case.code for case in CASES} | {"ZTS330", "ZTS999"}  # ZTS330/999: see test_cli / test_robustness
    # The table is shared: the compiler's ZTS0xx and the Spec ZTS500-502 have their own tests.
    missing = {rule.code for rule in all_rules() if rule.category not in ("parse", "spec")} - covered
    assert not missing
