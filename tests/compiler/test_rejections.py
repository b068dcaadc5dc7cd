"""Every rejection of upstream §3.2/§3.3: a failing sample (code, exact message,
line, column) and a passing near-miss that compiles."""

from __future__ import annotations

import pytest
from zts_helpers import HANDLER_TAIL, compile_ok, errors

ASYNC_TAIL = "handlers run synchronously - use 'fetchSync', or 'parallel'/'race' from zigttp:io for concurrency"

# (id, failing source, code, exact message, line, column, passing near-miss)
CASES = [
    (
        "any",
        "let x: any = 1;",
        "ZTS041",
        "'any' type is not supported; use specific types (string, number, object) or union types instead",
        1,
        8,
        "let x: unknown = 1;",
    ),
    (
        "any-nested",
        "function f(a: string[], b: Array<any>) {}",
        "ZTS041",
        "'any' type is not supported; use specific types (string, number, object) or union types instead",
        1,
        34,
        "function f(a: string[], b: Array<number>) {}",
    ),
    (
        "as",
        "const y = 1;\nconst z = y as number;",
        "ZTS042",
        "'as' type assertion is not supported; use type-safe patterns instead",
        2,
        13,
        "const y = 1;\nconst z: number = y;",
    ),
    (
        "as-const",
        "const y = [1, 2] as const;",
        "ZTS042",
        "'as' type assertion is not supported; use type-safe patterns instead",
        1,
        18,
        "const y = [1, 2];",
    ),
    (
        "satisfies",
        "const c = { a: 1 } satisfies { a: number };",
        "ZTS043",
        "'satisfies' type assertion is not supported; use type-safe patterns instead",
        1,
        20,
        "const c: { a: number } = { a: 1 };",
    ),
    (
        "angle-assertion",
        "const x = 1;\nconst y = <number>x;",
        "ZTS042",
        "angle-bracket type assertion '<T>expr' is not supported; use type-safe patterns instead",
        2,
        11,
        "const x = 1;\nconst y = <T>(v: T): T => v;",
    ),
    (
        "while",
        "function f(x: boolean) {\n  while (x) {}\n}",
        "ZTS001",
        "'while' is not supported; use 'for-of' with a finite collection instead",
        2,
        3,
        "function f(xs: number[]) {\n  for (const x of xs) {}\n}",
    ),
    (
        "do-while",
        "function f() {\n  do { g(); } while (h());\n}",
        "ZTS001",
        "'do-while' is not supported; use 'for-of' with a finite collection instead",
        2,
        3,
        "function f() {\n  g();\n}",
    ),
    (
        "c-style-for",
        "function f() {\n  for (let i = 0; i < 3; i = i + 1) {}\n}",
        "ZTS001",
        "C-style 'for' loops are not supported; use 'for (let x of array)' or 'for (let i of range(n))' instead",
        2,
        3,
        "function f() {\n  for (let i of range(3)) {}\n}",
    ),
    (
        "for-in",
        "function f(o: object) {\n  for (const k in o) {}\n}",
        "ZTS001",
        "'for-in' is not supported; use 'for-of' to iterate over values instead",
        2,
        3,
        "function f(o: object) {\n  for (const k of Object.keys(o)) {}\n}",
    ),
    (
        "throw",
        "function f() {\n  throw g();\n}",
        "ZTS001",
        "'throw' is not supported; use Result types for error handling",
        2,
        3,
        "function f() {\n  return Result.err(g());\n}",
    ),
    (
        "try",
        "function f() {\n  try { g(); } catch (e) { h(); }\n}",
        "ZTS001",
        "'try/catch' is not supported; use Result types for error handling",
        2,
        3,
        "function f() {\n  g();\n}",
    ),
    (
        "switch",
        "function f(x: number) {\n  switch (x) { case 1: return 1; default: return 2; }\n}",
        "ZTS001",
        "'switch' is not supported; use 'match' expression instead",
        2,
        3,
        "function f(x: number) {\n  return match (x) { when 1: 1 default: 2 };\n}",
    ),
    (
        "class",
        "class Point { x = 1; }",
        "ZTS001",
        "'class' is not supported; use plain objects and functions instead",
        1,
        1,
        "const classy = { x: 1 };",
    ),
    (
        "class-expression",
        "const P = class { };",
        "ZTS001",
        "'class' is not supported; use plain objects and functions instead",
        1,
        11,
        "const P = {};",
    ),
    (
        "enum",
        "enum Color { Red, Green = 2 }",
        "ZTS001",
        "'enum' is not supported; use object literals or discriminated unions instead",
        1,
        1,
        "const Color = { Red: 0, Green: 2 };",
    ),
    (
        "export-enum",
        "export enum Color { Red }",
        "ZTS001",
        "'enum' is not supported; use object literals or discriminated unions instead",
        1,
        8,
        "export const Color = { Red: 0 };",
    ),
    (
        "const-enum",
        "const enum Color { Red }",
        "ZTS001",
        "'const enum' is not supported; use object literals or discriminated unions instead",
        1,
        1,
        'type Color = "red" | "green";',
    ),
    (
        "implements",
        "class A implements B {}",
        "ZTS001",
        "'implements' is not supported; use duck typing or runtime checks instead",
        1,
        9,
        "interface B { x: number }\nconst a: B = { x: 1 };",
    ),
    (
        "access-modifier",
        "class A {\n  private secret = 1;\n}",
        "ZTS001",
        "access modifiers are not supported; use naming conventions (e.g., _private) instead",
        2,
        3,
        "const a = { _secret: 1 };",
    ),
    (
        "decorator",
        "@logged\nfunction f() {}",
        "ZTS001",
        "'@decorator' syntax is not supported; use function composition instead",
        1,
        1,
        "function f() {}\nconst g = logged(f);",
    ),
    (
        "namespace",
        "namespace Util {\n  const x = 1;\n}",
        "ZTS001",
        "'namespace' is not supported; use ES6 modules instead",
        1,
        1,
        "const namespace = 1;",
    ),
    (
        "module",
        "module Util { }",
        "ZTS001",
        "'namespace' is not supported; use ES6 modules instead",
        1,
        1,
        "const module = { a: 1 };",
    ),
    (
        "export-namespace",
        "export namespace Util { }",
        "ZTS001",
        "'namespace' is not supported; use ES6 modules instead",
        1,
        8,
        "export const Util = {};",
    ),
    (
        "var",
        "var x = 1;",
        "ZTS001",
        "'var' is not supported; use 'let' or 'const' instead",
        1,
        1,
        "let x = 1;",
    ),
    (
        "var-for-head",
        "function f(xs: number[]) {\n  for (var x of xs) {}\n}",
        "ZTS001",
        "'var' is not supported; use 'let' or 'const' instead",
        2,
        8,
        "function f(xs: number[]) {\n  for (let x of xs) {}\n}",
    ),
    (
        "labeled-break",
        "function f(xs: number[]) {\n  outer: for (const x of xs) { break outer; }\n}",
        "ZTS001",
        "'labeled break' is not supported; use a conditional instead",
        2,
        3,
        "function f(xs: number[]) {\n  for (const x of xs) { break; }\n}",
    ),
    (
        "labeled-continue",
        "function f(xs: number[]) {\n  for (const x of xs) { continue outer; }\n}",
        "ZTS001",
        "'labeled continue' is not supported; use a conditional instead",
        2,
        25,
        "function f(xs: number[]) {\n  for (const x of xs) { continue; }\n}",
    ),
    (
        "null",
        "const x = null;",
        "ZTS001",
        "'null' is not supported; use 'undefined' for absent values instead",
        1,
        11,
        "const x = undefined;",
    ),
    (
        "null-pattern",
        "const v = 1;\nconst x = match (v) { when null: 1 default: 2 };",
        "ZTS001",
        "'null' is not supported; use 'undefined' for absent values instead",
        2,
        28,
        "const v = 1;\nconst x = match (v) { when undefined: 1 default: 2 };",
    ),
    (
        "regex",
        "const r = /ab+c/gi;",
        "ZTS001",
        "regular expressions are not supported; use string methods instead",
        1,
        11,
        "const r = 'abc'.includes('b');",
    ),
    (
        "this",
        "function f() {\n  return this.x;\n}",
        "ZTS001",
        "'this' is not supported; pass context explicitly as a parameter",
        2,
        10,
        "function f(self: { x: number }) {\n  return self.x;\n}",
    ),
    (
        "super",
        "function f() {\n  super.go();\n}",
        "ZTS001",
        "'super' is not supported; use explicit function calls instead",
        2,
        3,
        "function f() {\n  go();\n}",
    ),
    (
        "new",
        "const d = new Thing(1);",
        "ZTS001",
        "'new' is not supported; use factory functions instead",
        1,
        11,
        "const d = Thing(1);",
    ),
    (
        "function-expression",
        "const f = function () { return 1; };",
        "ZTS001",
        "function expressions are not supported; use arrow functions '(x) => x * 2' or function declarations "
        "'function name() { }' instead",
        1,
        11,
        "const f = () => 1;",
    ),
    (
        "named-function-expression",
        "const f = function named() { return 1; };",
        "ZTS001",
        "function expressions are not supported; use arrow functions '(x) => x * 2' or function declarations "
        "'function name() { }' instead",
        1,
        11,
        "function named() { return 1; }",
    ),
    (
        "yield",
        "function* g() {\n  yield 1;\n}",
        "ZTS001",
        "'yield' is not supported; generators are not available",
        2,
        3,
        "function g() {\n  return [1];\n}",
    ),
    (
        "delete",
        "function f(o: { k?: number }) {\n  delete o.k;\n}",
        "ZTS001",
        "'delete' is not supported; use object spread to omit properties",
        2,
        3,
        "function f(o: { k?: number; j: number }) {\n  const { j } = o;\n}",
    ),
    (
        "pre-increment",
        "let x = 1;\n++x;",
        "ZTS001",
        "'++x' is not supported; use 'x = x + 1' instead",
        2,
        1,
        "let x = 1;\nx = x + 1;",
    ),
    (
        "pre-decrement",
        "let x = 1;\n--x;",
        "ZTS001",
        "'--x' is not supported; use 'x = x - 1' instead",
        2,
        1,
        "let x = 1;\nx = x - 1;",
    ),
    (
        "post-increment",
        "let x = 1;\nx++;",
        "ZTS001",
        "'x++' is not supported; use 'x = x + 1' instead",
        2,
        1,
        "let x = 1;\nx += 1;",
    ),
    (
        "post-decrement",
        "let x = 1;\nx--;",
        "ZTS001",
        "'x--' is not supported; use 'x = x - 1' instead",
        2,
        1,
        "let x = 1;\nx -= 1;",
    ),
    (
        "loose-equals",
        "const a = 1;\nconst b = a == 1;",
        "ZTS001",
        "'==' is not supported; use '===' for strict equality instead",
        2,
        13,
        "const a = 1;\nconst b = a === 1;",
    ),
    (
        "loose-not-equals",
        "const a = 1;\nconst b = a != 1;",
        "ZTS001",
        "'!=' is not supported; use '!==' for strict inequality instead",
        2,
        13,
        "const a = 1;\nconst b = a !== 1;",
    ),
    (
        "instanceof",
        "const a = {};\nconst b = a instanceof Object;",
        "ZTS001",
        "'instanceof' is not supported; use discriminated unions with tag property instead",
        2,
        13,
        "const a = { kind: 'x' };\nconst b = a.kind === 'x';",
    ),
    (
        "and-assign",
        "let a = 1;\na &&= 2;",
        "ZTS001",
        "'&&=' is not supported; use 'x = x && value' instead",
        2,
        3,
        "let a = 1;\na = a && 2;",
    ),
    (
        "or-assign",
        "let a = 0;\na ||= 2;",
        "ZTS001",
        "'||=' is not supported; use 'x = x || value' instead",
        2,
        3,
        "let a = 0;\na = a || 2;",
    ),
    (
        "nullish-assign",
        "let a: number | undefined;\na ??= 2;",
        "ZTS001",
        "'??=' is not supported; use 'x = x ?? value' instead",
        2,
        3,
        "let a: number | undefined;\na = a ?? 2;",
    ),
    (
        "object-assign",
        "const o = Object.assign({}, { a: 1 });",
        "ZTS001",
        "'Object.assign' is not supported; use object spread {...obj1, ...obj2} instead",
        1,
        11,
        "const o = { ...{ a: 1 } };",
    ),
    (
        "object-freeze",
        "const o = Object.freeze({ a: 1 });",
        "ZTS001",
        "'Object.freeze' is not supported; objects are mutable by design",
        1,
        11,
        "const o = Object.keys({ a: 1 });",
    ),
    (
        "object-isfrozen",
        "const o = Object.isFrozen({});",
        "ZTS001",
        "'Object.isFrozen' is not supported; objects are mutable by design",
        1,
        11,
        "const o = Object.hasOwn({}, 'a');",
    ),
    (
        "promise",
        "const p = Promise.resolve(1);",
        "ZTS001",
        "'Promise' is not supported; use Result types or callbacks instead",
        1,
        11,
        "const p = Result.ok(1);",
    ),
    (
        "regexp",
        "const r = RegExp('a+');",
        "ZTS001",
        "'RegExp' is not supported; use string methods instead",
        1,
        11,
        "const r = 'aa'.startsWith('a');",
    ),
    (
        "async-function",
        "async function f() {}",
        "ZTS001",
        f"'async' functions are not supported; {ASYNC_TAIL}",
        1,
        1,
        "function f() {}",
    ),
    (
        "async-arrow",
        "const f = async (x: number) => x;",
        "ZTS001",
        f"'async' functions are not supported; {ASYNC_TAIL}",
        1,
        11,
        "const f = (x: number) => x;",
    ),
    (
        "async-arrow-bare",
        "const f = async x => x;",
        "ZTS001",
        f"'async' functions are not supported; {ASYNC_TAIL}",
        1,
        11,
        "const async = (x: number) => x;\nasync(1);",
    ),
    (
        "await",
        "function f() {\n  const r = await g();\n}",
        "ZTS026",
        f"'await' is not supported; {ASYNC_TAIL}",
        2,
        13,
        "function f() {\n  const r = fetchSync('https://x');\n}",
    ),
    (
        "object-rest",
        "const o = { a: 1, b: 2 };\nconst { a, ...rest } = o;",
        "ZTS001",
        "rest element in object destructuring is not supported; bind the remaining properties explicitly instead",
        2,
        12,
        "const o = { a: 1, b: 2 };\nconst { a, b } = o;",
    ),
    (
        "array-rest",
        "const arr = [1, 2];\nconst [a, ...rest] = arr;",
        "ZTS001",
        "rest element in array destructuring is not supported; index the remaining elements explicitly instead",
        2,
        11,
        "const arr = [1, 2];\nconst [a, b] = arr;",
    ),
    (
        "rest-parameter",
        "function f(...args: number[]) {}",
        "ZTS001",
        "rest parameters ('...args') are not supported; accept an explicit array parameter instead",
        1,
        12,
        "function f(args: number[]) {}",
    ),
    (
        "destructured-parameter",
        "function f({ a }: { a: number }) {}",
        "ZTS001",
        "destructured parameters are not supported; destructure inside the body instead",
        1,
        12,
        "function f(o: { a: number }) {\n  const { a } = o;\n}",
    ),
    (
        "destructured-arrow-parameter",
        "const f = ([a, b]: number[]) => a;",
        "ZTS001",
        "destructured parameters are not supported; destructure inside the body instead",
        1,
        12,
        "const f = (pair: number[]) => pair[0];",
    ),
    (
        "array-elision",
        "const a = [1, , 3];",
        "ZTS001",
        "array elisions are not supported; use explicit undefined values instead",
        1,
        15,
        "const a = [1, undefined, 3];",
    ),
    (
        "unary-exponent",
        "const x = -3 ** 2;",
        "ZTS001",
        "unary operator before '**' requires parentheses: (-3)**2 or -(3**2)",
        1,
        11,
        "const x = (-3) ** 2;",
    ),
    (
        "default-import",
        'import env from "zigttp:env";',
        "ZTS002",
        "'import X from' default imports are not supported; use named imports: import { x } from \"module\"",
        1,
        1,
        'import { env } from "zigttp:env";\nenv("A");',
    ),
    (
        "namespace-import",
        'import * as env from "zigttp:env";',
        "ZTS001",
        "'import * as X' namespace imports are not supported; use named imports: import { x } from \"module\"",
        1,
        1,
        'import { env as e } from "zigttp:env";\ne("A");',
    ),
    (
        "side-effect-import",
        'import "zigttp:env";',
        "ZTS001",
        '\'import "module"\' side-effect imports are not supported; use named imports: import { x } from "module"',
        1,
        1,
        'import type { Spec } from "zigttp:types";',
    ),
    (
        "re-export",
        "const x = 1;\nexport { x };",
        "ZTS001",
        "'export { }' re-exports are not supported; use named exports: export function handler() {}",
        2,
        1,
        "export const x = 1;",
    ),
    (
        "re-export-from",
        'export { x } from "./other.ts";',
        "ZTS001",
        "'export { }' re-exports are not supported; use named exports: export function handler() {}",
        1,
        1,
        "export function x() {}",
    ),
    (
        "export-star",
        'export * from "./other.ts";',
        "ZTS001",
        "'export *' is not supported; use named exports: export function handler() {}",
        1,
        1,
        "export let counter = 0;",
    ),
    (
        "export-default-expression",
        "export default 42;",
        "ZTS001",
        "'export default' must be followed by a named function",
        1,
        1,
        "export default function main(req: Request): Response { return Response.text('x'); }",
    ),
    (
        "export-default-anonymous",
        "export default function (req: Request) {}",
        "ZTS001",
        "'export default' must be followed by a named function",
        1,
        1,
        "export default function page(req: Request): Response { return Response.text('x'); }",
    ),
    (
        "export-other",
        "export if (true) {}",
        "ZTS001",
        "'export' must be followed by 'function', 'const', or 'let'",
        1,
        1,
        "export type T = string;",
    ),
    (
        "duplicate-import",
        'import { env as a } from "zigttp:env";\nimport { sha256 as a } from "zigttp:crypto";',
        "ZTS019",
        "duplicate import binding",
        2,
        20,
        'import { env as a } from "zigttp:env";\nimport { sha256 as b } from "zigttp:crypto";',
    ),
    # Structural errors.
    (
        "return-outside",
        "return 1;",
        "ZTS024",
        "'return' outside of function",
        1,
        1,
        "function f() { return 1; }",
    ),
    (
        "break-outside",
        "function f() {\n  break;\n}",
        "ZTS022",
        "'break' outside of loop",
        2,
        3,
        "function f(xs: number[]) {\n  for (const x of xs) break;\n}",
    ),
    (
        "continue-outside",
        "function f() {\n  continue;\n}",
        "ZTS023",
        "'continue' outside of loop",
        2,
        3,
        "function f(xs: number[]) {\n  for (const x of xs) continue;\n}",
    ),
    (
        "match-no-arms",
        "const v = 1;\nconst m = match (v) { };",
        "ZTS002",
        "match expression must have at least one arm",
        2,
        21,
        "const v = 1;\nconst m = match (v) { default: 0 };",
    ),
    (
        "match-bad-arm",
        "const v = 1;\nconst m = match (v) { case 1: 2 };",
        "ZTS003",
        "expected 'when' or 'default'",
        2,
        23,
        "const v = 1;\nconst m = match (v) { when 1: 2 default: 3 };",
    ),
    (
        "match-bad-pattern",
        "const v = 1;\nconst m = match (v) { when v: 2 };",
        "ZTS004",
        "expected pattern (literal, object, array, or '_' wildcard)",
        2,
        28,
        "const v = 1;\nconst m = match (v) { when _: 2 };",
    ),
    (
        "pipe-empty",
        "const p = pipe();",
        "ZTS001",
        "pipe() requires at least one function argument",
        1,
        11,
        "const f = () => 1;\nconst p = pipe(f);",
    ),
    (
        "guard-no-handler",
        "const a = (r: Request) => undefined;\nconst h = guard(a) |> guard(a);",
        "ZTS001",
        "guard composition requires a handler function",
        2,
        11,
        "const a = (r: Request) => undefined;\nconst h = guard(a) |> guard(a) |> route;\nfunction route(r: Request) {}",
    ),
    (
        "guard-two-handlers",
        "const a = (r: Request) => undefined;\nconst h = guard(a) |> b |> c;",
        "ZTS001",
        "guard composition allows exactly one handler",
        2,
        28,
        "const a = (r: Request) => undefined;\nconst h = guard(a) |> b;\nconst b = (r: Request) => 1;",
    ),
    ("const-no-init", "const x;", "ZTS021", "const declarations must have an initializer", 1, 7, "let x;"),
    (
        "jsx-mismatch",
        "const e = <div><span></div></span>;",
        "ZTS033",
        "mismatched JSX closing tag; expected '</span>'",
        1,
        24,
        "const e = <div><span></span></div>;",
    ),
]


@pytest.mark.parametrize(
    ("failing", "code", "message", "line", "column"),
    [pytest.param(c[1], c[2], c[3], c[4], c[5], id=c[0]) for c in CASES],
)
def test_rejected_with_exact_message_and_position(
    failing: str, code: str, message: str, line: int, column: int
) -> None:
    filename = "handler.tsx" if "<div>" in failing else "handler.ts"
    found = errors(failing, filename)
    assert (code, message, line, column) in found, found


@pytest.mark.parametrize("passing", [pytest.param(c[6], id=c[0]) for c in CASES])
def test_near_miss_compiles(passing: str) -> None:
    filename = "handler.tsx" if "<div>" in passing else "handler.ts"
    compile_ok(passing + HANDLER_TAIL, filename)


def test_all_diagnostics_of_a_file_are_reported() -> None:
    source = "var a = 1;\nfunction f(x: any) {\n  while (x) { x++; }\n  return x == null;\n}\nclass K {}\n"
    found = errors(source)
    codes_and_lines = [(c, line) for c, _, line, _ in found]
    assert codes_and_lines == [
        ("ZTS001", 1),
        ("ZTS041", 2),
        ("ZTS001", 3),
        ("ZTS001", 3),
        ("ZTS001", 4),
        ("ZTS001", 4),
        ("ZTS001", 6),
    ]


def test_suggestion_is_the_part_after_semicolon() -> None:
    from zigttp.compiler import compile_source

    result = compile_source("function handler() { while (1) {} }")
    diagnostic = result.diagnostics[0]
    assert diagnostic.message == "'while' is not supported"
    assert diagnostic.suggestion == "use 'for-of' with a finite collection instead"


def test_javascript_files_reject_type_syntax() -> None:
    found = errors("let x: number = 1;\nfunction handler(req) { return Response.text('x'); }", "handler.js")
    assert found == [
        (
            "ZTS002",
            "type syntax is only allowed in .ts and .tsx files; remove it or rename the file to .ts",
            1,
            6,
        )
    ]
    compile_ok("let x = 1;\nfunction handler(req) { return Response.text('x' + x); }", "handler.js")


def test_jsx_requires_a_jsx_file() -> None:
    found = errors("const e = <div />;\n" + HANDLER_TAIL, "handler.js")
    assert found[0][:2] == ("ZTS002", "JSX is only allowed in .jsx and .tsx files; rename the file to .tsx")
    compile_ok("const e = <div />;\n" + HANDLER_TAIL, "handler.jsx")


def test_nesting_limit_statement_and_expression() -> None:
    deep_expression = "const x = " + "(" * 600 + "1" + ")" * 600 + ";"
    found = errors(deep_expression)
    assert found[0][:2] == (
        "ZTS041",
        "expression nests too deeply; simplify or split it (nesting limit is 512)",
    )
    deep_statements = "function f() " + "{" * 600 + "}" * 600
    found = errors(deep_statements)
    assert found[0][:2] == ("ZTS041", "statements nest too deeply; simplify or split (nesting limit is 512)")
    compile_ok("const x = " + "(" * 100 + "1" + ")" * 100 + ";" + HANDLER_TAIL)


def test_too_many_parameters() -> None:
    parameters = ", ".join(f"p{i}" for i in range(256))
    found = errors(f"function f({parameters}) {{}}")
    assert found[0][:2] == ("ZTS028", "too many parameters")


def test_duplicate_declarations_in_one_scope() -> None:
    message = "duplicate declaration of 'a'; rename one of them"
    assert errors("function f() {\n  const a = 1;\n  const a = 2;\n}") == [("ZTS019", message, 3, 9)]
    assert errors("function f(a: number) {\n  let a = 1;\n}") == [("ZTS019", message, 2, 7)]
    assert errors("import { env as a } from 'zigttp:env';\nfunction a() {}") == [("ZTS019", message, 2, 10)]
    compile_ok("function f(a: number) {\n  if (a) { const a = 2; }\n}" + HANDLER_TAIL)
    compile_ok("function f(x: string): string;\nfunction f(x) { return x; }" + HANDLER_TAIL)


def test_strict_mode_reserved_words_are_not_names() -> None:
    assert errors("const private = 1;") == [
        ("ZTS006", "'private' is a reserved word and cannot be used as a name", 1, 7)
    ]
    assert errors("function f() {\n  static;\n}")[0][:3] == (
        "ZTS006",
        "'static' is a reserved word and cannot be used as a name",
        2,
    )
    compile_ok("const privateKey = 1;\nconst module = 2;" + HANDLER_TAIL)


def test_generated_name_prefix_is_reserved() -> None:
    found = errors("const __zt_req = 1;\nfunction __zt_load_1() {}")
    assert [(code, line, column) for code, _, line, column in found] == [("ZTS006", 1, 7), ("ZTS006", 2, 10)]
    assert found[0][1] == "'__zt_req': names starting with '__zt_' are reserved for the compiler; rename it"
