from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler.parser import normalize_jsx_text, parse_source
from zigttp.compiler.source import SourceFile


def parse(text: str, name: str = "handler.ts") -> A.Module:
    module, diagnostics = parse_source(SourceFile(name, text))
    assert diagnostics == [], diagnostics
    return module


def first_init(text: str, name: str = "handler.ts") -> A.Expression:
    statement = parse(text, name).body[0]
    assert isinstance(statement, A.VariableDeclaration)
    init = statement.declarations[0].init
    assert init is not None
    return init


def test_every_node_carries_file_line_column_and_end() -> None:
    module = parse("const a = 1;\nfunction f(x: number): string {\n  return `${x}`;\n}\n")
    function = module.body[1]
    assert isinstance(function, A.FunctionDeclaration)
    assert (function.filename, function.line, function.column) == ("handler.ts", 2, 1)
    assert (function.end_line, function.end_column) == (4, 2)
    statement = function.body.body[0]  # type: ignore[union-attr]
    assert isinstance(statement, A.Return)
    assert (statement.line, statement.column, statement.end_line, statement.end_column) == (3, 3, 3, 17)


def test_type_syntax_is_kept_in_the_tree() -> None:
    module = parse(
        "import type { Spec } from 'zigttp:types';\n"
        "type Id = `user-${number}` | 'anon';\n"
        "interface User<T extends object = {}> { readonly id: Id; name?: string; [k: string]: unknown;"
        " greet(x: T): string }\n"
        "type P = Pick<User<{}>, 'id'> & Partial<Readonly<{ a: number[] }>>;\n"
        "type F = <T>(x: T, ...rest: T[]) => x is T;\n"
        "type M = { readonly [K in keyof P]?: P[K] };\n"
        "type C<T> = T extends Array<infer U> ? U : never;\n"
        "type Tup = [a: string, b?: number, ...rest: boolean[]];\n"
        "distinct type UserId = string;\n"
        "function handler(req: Request): Response & Spec<'pure' | 'read_only'> { return Response.text(''); }\n"
    )
    kinds = [type(s).__name__ for s in module.body]
    assert kinds == [
        "Import",
        "TypeAlias",
        "Interface",
        "TypeAlias",
        "TypeAlias",
        "TypeAlias",
        "TypeAlias",
        "TypeAlias",
        "TypeAlias",
        "FunctionDeclaration",
    ]
    alias = module.body[1]
    assert isinstance(alias, A.TypeAlias) and isinstance(alias.type, A.UnionType)
    assert isinstance(alias.type.types[0], A.TemplateLiteralType)
    distinct = module.body[8]
    assert isinstance(distinct, A.TypeAlias) and distinct.distinct
    handler = module.body[9]
    assert isinstance(handler, A.FunctionDeclaration)
    assert isinstance(handler.return_type, A.IntersectionType)


def test_generic_calls_and_arrows_versus_comparisons() -> None:
    call = first_init("const a = f<string>(x);")
    assert isinstance(call, A.Call) and len(call.type_arguments) == 1
    comparison = first_init("const a = b < c && d > e;")
    assert isinstance(comparison, A.Binary) and comparison.operator == "&&"
    arrow = first_init("const id = <T,>(x: T): T => x;")
    assert isinstance(arrow, A.ArrowFunction) and arrow.type_parameters[0].name == "T"
    nested = parse("type A = Array<Array<string>>;").body[0]
    assert isinstance(nested, A.TypeAlias)


def test_pipe_and_pipe_call() -> None:
    pipe = first_init("const a = x |> f |> g;")
    assert isinstance(pipe, A.Pipe) and isinstance(pipe.left, A.Pipe)
    call = first_init("const a = pipe(f, g, h);")
    assert isinstance(call, A.PipeCall) and len(call.functions) == 3
    arrow_rhs = first_init("const a = x |> (y) => y + 1;")
    assert isinstance(arrow_rhs, A.Pipe) and isinstance(arrow_rhs.right, A.ArrowFunction)


def test_guard_chain_positions() -> None:
    chain = first_init("const handler = guard(a) |> guard(b) |> route |> guard(c);")
    assert isinstance(chain, A.GuardChain)
    assert [g.name for g in chain.pre_guards] == ["a", "b"]  # type: ignore[attr-defined]
    assert chain.handler.name == "route"  # type: ignore[attr-defined]
    assert [g.name for g in chain.post_guards] == ["c"]  # type: ignore[attr-defined]


def test_match_patterns() -> None:
    match = first_init(
        "const m = match (req) {\n"
        "  when { method: 'GET', path: '/x' }: 1,\n"
        "  when [1, -2, _]: 2\n"
        "  when true: 3\n"
        "  when undefined: 4\n"
        "  default: 5\n"
        "};"
    )
    assert isinstance(match, A.Match)
    patterns = [type(arm.pattern).__name__ for arm in match.arms]
    assert patterns == ["ObjectPattern", "ArrayPattern", "LiteralPattern", "LiteralPattern"]
    assert match.default is not None


def test_match_as_plain_identifier_and_call() -> None:
    call = first_init("const m = match(a, b);")
    assert isinstance(call, A.Call)
    member = first_init("const m = s.match('x');")
    assert isinstance(member, A.Call)
    identifier = first_init("const m = match;")
    assert isinstance(identifier, A.Identifier)


def test_assert_statement_and_assert_identifier() -> None:
    module = parse("function f(x: number) {\n  assert x > 0;\n  assert x < 9, 1;\n  return x;\n}")
    body = module.body[0].body.body  # type: ignore[attr-defined]
    assert isinstance(body[0], A.Assert) and body[0].value is None
    assert isinstance(body[1], A.Assert) and body[1].value is not None
    plain = parse("const assert = 1;\nassert;\n")
    assert isinstance(plain.body[1], A.ExpressionStatement)


def test_comptime_is_folded_in_the_tree() -> None:
    folded = first_init("const k = comptime('ab'.toUpperCase() + (2 ** 3));")
    assert isinstance(folded, A.Comptime)
    assert folded.value == "AB8" and folded.literal == '"AB8"'


def test_jsx_tree() -> None:
    element = first_init(
        'const e = <div className="a" hx-post="/x" {...rest}>hi {name}<br /><Foo.Bar x /></div>;', "page.tsx"
    )
    assert isinstance(element, A.JSXElement) and element.tag == "div"
    names = [a.name for a in element.attributes if isinstance(a, A.JSXAttribute)]
    assert names == ["className", "hx-post"]
    assert [type(c).__name__ for c in element.children] == [
        "JSXText",
        "JSXExpressionContainer",
        "JSXElement",
        "JSXElement",
    ]
    component = element.children[3]
    assert isinstance(component, A.JSXElement) and isinstance(component.component, A.Member)


def test_jsx_text_whitespace_rules() -> None:
    assert normalize_jsx_text("\n    Hello\n    world  \n  ") == "Hello world"
    assert normalize_jsx_text("  a  ") == "  a  "
    assert normalize_jsx_text("\n   \n") == ""
    assert normalize_jsx_text("x &amp; y &lt;") == "x & y <"


def test_object_literal_methods_getters_and_optional_chaining() -> None:
    literal = first_init("const o = { a, 'b-c': 1, [k]: 2, m(x) { return x; }, get g() { return 1; }, ...r };")
    assert isinstance(literal, A.ObjectLiteral)
    kinds = [p.kind if isinstance(p, A.Property) else "spread" for p in literal.properties]
    assert kinds == ["init", "init", "init", "method", "get", "spread"]
    chained = first_init("const v = a?.b?.[c]?.(d) ?? e;")
    assert isinstance(chained, A.Binary) and chained.operator == "??"


def test_asi_and_restricted_return() -> None:
    module = parse("function f() {\n  return\n  1\n}\nconst a = 1\nconst b = 2")
    function = module.body[0]
    assert isinstance(function, A.FunctionDeclaration)
    assert function.body.body[0].argument is None  # type: ignore[union-attr]
    assert len(module.body) == 3


def test_syntax_errors_recover_per_statement() -> None:
    _, diagnostics = parse_source(SourceFile("h.ts", "const a = ;\nconst b = 1;\nconst c = ) ;\nlet d = 2;"))
    assert [(d.code, d.line) for d in diagnostics] == [("ZTS004", 1), ("ZTS004", 3)]


def test_value_references_exclude_type_positions() -> None:
    module = parse("import { A, b } from './x.ts';\nconst v: A = b;")
    assert "b" in module.value_references
    assert "A" not in module.value_references
