"""Names that do not exist (ZTS312, error): every identifier resolves to a binding, an import or a known global.

An identifier no declaration or import binds is a global, and the guest has
only the globals of `builtins.KNOWN_GLOBALS`; any other name throws
ReferenceError when the code runs. Reported wherever it is written (module
scope runs at load, any function may be called), except as the operand of
`typeof`, which never throws. The help names a virtual-module export of that
name (the missing import), or the nearest binding or global.
"""

from __future__ import annotations

from zigttp.compiler.diagnostics import nearest
from zigttp.verifier import codes as C
from zigttp.verifier.builtins import KNOWN_GLOBALS
from zigttp.verifier.context import Context
from zigttp.verifier.registry import exports_by_key


def check_undefined(ctx: Context) -> None:
    unknown = [node for node in ctx.scopes.unresolved if node.name not in KNOWN_GLOBALS]
    if not unknown:
        return
    exports: dict[str, list[str]] = {}
    for module, name in exports_by_key():
        exports.setdefault(name, []).append(module)
    for node in unknown:
        ctx.report(C.diagnostic(C.UNDEFINED_NAME, node, name=node.name, hint=_hint(ctx, node.name, exports)))


def _hint(ctx: Context, name: str, exports: dict[str, list[str]]) -> str:
    modules = sorted(exports.get(name, ()))
    if modules:
        return f'import it: `import {{ {name} }} from "{modules[0]}";`'
    declared = {b.name for b in ctx.scopes.bindings}
    guess = nearest(name, sorted(KNOWN_GLOBALS | declared))
    if guess is not None:
        return f"did you mean '{guess}'?"
    return "declare it, or import it from a local module or a zigttp:* virtual module"
