"""Runs every checker over a parsed program, each isolated from the others' failures.

A checker that raises is a verifier bug: it becomes one `ZTS999 internal
compiler error` diagnostic naming the checker, and the other checkers still run.
"""

from __future__ import annotations

from collections.abc import Callable

from zigttp.compiler.diagnostics import file_diagnostic
from zigttp.verifier import codes as C
from zigttp.verifier.analyzer import Analyzer
from zigttp.verifier.context import Context
from zigttp.verifier.matches import MatchChecker
from zigttp.verifier.optionals import OptionalChecker
from zigttp.verifier.results import ResultChecker
from zigttp.verifier.sound import SoundChecker
from zigttp.verifier.typecheck import TypeChecker
from zigttp.verifier.typings import Checkers


def guarded(ctx: Context, name: str, run: Callable[[], object], failed: list[str]) -> object:
    try:
        return run()
    except RecursionError:
        failed.append(name)
        ctx.report(file_diagnostic(ctx.program.entry.file.name, C.INTERNAL.code,
                                   C.INTERNAL.text(detail=f"{name}: handler nests too deeply to analyse")))
    except Exception as error:  # a checker bug must never become a traceback
        failed.append(name)
        ctx.report(file_diagnostic(ctx.program.entry.file.name, C.INTERNAL.code,
                                   C.INTERNAL.text(detail=f"{name}: {type(error).__name__}: {error}")))
    return None


def run_typed(ctx: Context, failed: list[str]) -> Analyzer:
    """The typed walk with the type checker, sound mode, optional/Result checking and match exhaustiveness."""
    optionals = OptionalChecker(ctx)
    checkers = Checkers(TypeChecker(ctx, optionals), SoundChecker(ctx), optionals, ResultChecker(ctx),
                        MatchChecker(ctx))
    analyzer = Analyzer(ctx, checkers)
    guarded(ctx, "type analysis", analyzer.run, failed)
    return analyzer
