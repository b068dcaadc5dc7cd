"""The compiler's binder pass: names declared twice in one scope (the guest would reject the module).

The parser lists every scope it closes (`Parser.scopes`): a module body or a
block, and a function body with its parameters; and every name an import
binds (`Parser.import_locals`). This pass checks them once
parsing is done, for every file, so `zigttp compile` reports the same
diagnostics as every other command. The list also holds scopes of statements
that a syntax error later dropped from the tree, so a file's duplicate
declarations are reported whatever else is wrong with it.
"""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler import codes as table
from zigttp.compiler.codes import Rejected as R
from zigttp.compiler.diagnostics import Diagnostic, make_diagnostic

# A statement list, and the parameters when it is a function body (None for a module or block).
Scope = tuple[list[A.Statement], list[A.Parameter] | None]


def duplicate_declarations(scopes: list[Scope], import_locals: list[A.Identifier]) -> list[Diagnostic]:
    """Names imported twice (in import order), then every duplicate declaration, scope by scope
    in the order the parser closed them."""
    out: list[Diagnostic] = []
    imported: set[str] = set()
    for local in import_locals:
        if local.name in imported:
            rule = R.DUPLICATE_IMPORT
            out.append(make_diagnostic(local.file, local.start, local.end, rule.code, rule.text()))
        imported.add(local.name)
    for body, parameters in scopes:
        if parameters is None:
            _statements(body, out)
        else:
            # only `let`/`const` clash with a parameter: redeclaring one with `function` is legal
            _against_parameters(body, parameters, out)
    return out


def _statements(body: list[A.Statement], out: list[Diagnostic]) -> None:
    seen: set[str] = set()
    for statement in body:
        for identifier in _declared(statement, False):
            if identifier.name in seen:
                out.append(_duplicate(identifier))
            seen.add(identifier.name)


def _against_parameters(body: list[A.Statement], parameters: list[A.Parameter], out: list[Diagnostic]) -> None:
    names = {name for parameter in parameters for name in A.binding_names(parameter.target)}
    for statement in body:
        for identifier in _declared(statement, True):
            if identifier.name in names:
                out.append(_duplicate(identifier))


def _declared(statement: A.Node, lexical_only: bool) -> list[A.Identifier]:
    """Value names a statement declares in its scope (lexical_only skips functions)."""
    kind = type(statement)
    if kind is A.Export:
        return _declared(statement.declaration, lexical_only)  # type: ignore[attr-defined]
    if kind is A.VariableDeclaration:
        return [i for d in statement.declarations for i in A.binding_identifiers(d.target)]  # type: ignore[attr-defined]
    if kind is A.FunctionDeclaration and statement.body is not None and not lexical_only:  # type: ignore[attr-defined]
        return [statement.name]  # type: ignore[attr-defined]
    if kind is A.TypeAlias and statement.distinct:  # type: ignore[attr-defined]
        return [statement.name]  # type: ignore[attr-defined]
    if kind is A.Import:
        return [n.local for n in statement.names]  # type: ignore[attr-defined]
    return []


def _duplicate(identifier: A.Identifier) -> Diagnostic:
    rule = table.DUPLICATE_BINDING
    text = rule.text(name=identifier.name)
    return make_diagnostic(identifier.file, identifier.start, identifier.end, rule.code, text)
