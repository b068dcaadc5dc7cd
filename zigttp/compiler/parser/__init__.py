"""Recursive-descent / Pratt parser for zigts (.ts, .tsx, .js, .jsx).

One parser for the whole dialect: TypeScript type syntax (kept in the tree),
JSX, `|>`, `pipe()`, guard chains, `match`, `assert`, `comptime` and
`distinct type`. Unsupported constructs are parsed completely and reported with
their exact upstream message (`codes.Rejected`, the diagnostics table), so every diagnostic of a
file is reported in one run. Real syntax errors abort the current statement
(`ParseAbort`) and the statement list resynchronises.

Each module of this package holds the grammar of one concern as a class over
the token cursor (`core.ParserCore`); `Parser` composes them. Names declared
twice are the binder's business (`zigttp.compiler.binder`), run by
`parse_source` once the file is parsed.
"""

from __future__ import annotations

from zigttp.compiler import ast as A
from zigttp.compiler.binder import duplicate_declarations
from zigttp.compiler.diagnostics import Diagnostic
from zigttp.compiler.parser.core import GENERATED_PREFIX, ParseAbort, ParserCore
from zigttp.compiler.parser.declarations import DeclarationParser
from zigttp.compiler.parser.dialect import DialectParser
from zigttp.compiler.parser.expressions import ExpressionParser
from zigttp.compiler.parser.jsx import JsxParser, normalize_jsx_text
from zigttp.compiler.parser.modules import ModuleParser
from zigttp.compiler.parser.primary import PrimaryParser
from zigttp.compiler.parser.rejected import RejectedParser
from zigttp.compiler.parser.statements import StatementParser
from zigttp.compiler.parser.types import TypeParser
from zigttp.compiler.source import SourceFile

__all__ = ["GENERATED_PREFIX", "ParseAbort", "Parser", "normalize_jsx_text", "parse_source"]


class Parser(StatementParser, DeclarationParser, ModuleParser, RejectedParser, ExpressionParser, PrimaryParser,
             DialectParser, JsxParser, TypeParser, ParserCore):
    """The whole grammar; `parse_module` reads one file."""


def parse_source(source: SourceFile, path: str | None = None) -> tuple[A.Module, list[Diagnostic]]:
    """Parse one file and bind its scopes; returns the module and every diagnostic found in it."""
    parser = Parser(source, path)
    module = parser.parse_module()
    return module, parser.diagnostics + duplicate_declarations(parser.scopes, parser.import_locals)
