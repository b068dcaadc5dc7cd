"""`--sql-schema`: every literal `sql(name, statement)` must prepare against the schema (ZTS330).

Statements are compiled with SQLite's `EXPLAIN` on an in-memory database
built from the schema, so nothing runs and no file is touched. Statements
written as non-literals are not checked here (strict mode asks for literals,
ZTS602); the runtime check of `zigttp serve --sql-schema` still covers them.
"""

from __future__ import annotations

import re
import sqlite3

from zigttp.compiler import ast as A
from zigttp.compiler.ast import children, unparen
from zigttp.verifier import codes as C
from zigttp.verifier.analyzer import Analyzer
from zigttp.verifier.context import Context

_PARAMETER = re.compile(r"(?<![:\w])[:@$]([A-Za-z_][A-Za-z0-9_]*)")


def schema_error(schema: str) -> str | None:
    """Why the schema itself does not load (None when it does)."""
    try:
        with sqlite3.connect(":memory:") as conn:
            conn.executescript(schema)
    except sqlite3.Error as error:
        return str(error)
    except ValueError:  # sqlite3 refuses a script with a NUL byte before SQLite sees it
        return "it contains a NUL byte"
    return None


def check_sql(ctx: Context, analyzer: Analyzer, schema: str) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(schema)
    except sqlite3.Error:
        conn.close()
        return  # the CLI refuses an unloadable schema before verifying
    try:
        for module in ctx.program.modules:
            stack: list[A.Node] = list(module.body)
            while stack:
                node = stack.pop()
                if type(node) is A.Call:
                    _check_call(ctx, analyzer, conn, node)
                stack.extend(children(node))
    finally:
        conn.close()


def _check_call(ctx: Context, analyzer: Analyzer, conn: sqlite3.Connection, node: A.Call) -> None:
    callee = analyzer.callees.get(id(node))
    if callee is None or callee.kind != "export" or callee.name != "zigttp:sql.sql" or len(node.arguments) < 2:
        return
    name_node, statement_node = node.arguments[0], node.arguments[1]
    statement = _literal(statement_node)
    if statement is None:
        return
    name = _literal(name_node) or "?"
    parameters = {match: None for match in _PARAMETER.findall(statement)}
    try:
        conn.execute(f"EXPLAIN {statement}", parameters)
    except (sqlite3.Error, sqlite3.Warning, ValueError) as error:
        ctx.report(C.diagnostic(C.SQL_STATEMENT, statement_node, name=name, error=str(error)))


def _literal(node: A.Node) -> str | None:
    node = unparen(node)
    if type(node) is A.StringLiteral:
        return node.value
    if type(node) is A.TemplateLiteral and not node.expressions:
        return node.cooked[0] if node.cooked else ""
    return None
