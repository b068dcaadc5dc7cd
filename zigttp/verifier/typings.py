"""What the typed walk records, and the checkers it reports through.

The walk's collaborators (statements and functions in `analyzer.py`,
conditions, expressions, calls) each receive, when they are built, the tables
they write or read, the checkers they report to and the operations of the
others that they call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zigttp.verifier.typemodel import Type

if TYPE_CHECKING:
    from zigttp.verifier.calls import Callee
    from zigttp.verifier.matches import MatchChecker
    from zigttp.verifier.optionals import OptionalChecker
    from zigttp.verifier.results import ResultChecker
    from zigttp.verifier.scope import Binding
    from zigttp.verifier.sound import SoundChecker
    from zigttp.verifier.typecheck import TypeChecker

# Types one expression: (node, the refinements in force, the type the context expects or None) -> its type.
TypeExpression = Callable[..., Type]
# A value flows into a declared place: (node, got, expected, site, param=..., callee=...).
CheckFlow = Callable[..., None]


@dataclass(slots=True)
class Checkers:
    """Who decides and reports: the walk only types and asks."""

    types: TypeChecker
    sound: SoundChecker
    optionals: OptionalChecker
    results: ResultChecker
    matches: MatchChecker


@dataclass(slots=True)
class Typings:
    """The tables the walk fills; the flow, path, strict and property checkers read them afterwards."""

    expr_types: dict[int, Type] = field(default_factory=dict)  # id(expression node) -> its type
    binding_types: dict[Binding, Type] = field(default_factory=dict)  # declared or inferred type of a binding
    callees: dict[int, Callee] = field(default_factory=dict)  # id(call, pipe or JSX node) -> what it calls
    checked_literals: set[int] = field(default_factory=set)  # literals already checked property by property
    # Bindings read from an array element: typed T (TypeScript's default) but possibly absent.
    maybe_absent: set[Binding] = field(default_factory=set)
    # Optional results of virtual-module calls (`env(...)`, `cacheGet(...)`): the calls, and the
    # bindings they initialise. Unlike other optionals they must be narrowed before any use.
    module_optional_calls: set[int] = field(default_factory=set)
    module_optional_bindings: set[Binding] = field(default_factory=set)
