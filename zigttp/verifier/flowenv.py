"""The refinement environment the typed walk threads through a function, and its operations.

An environment maps a reference (a binding, or a binding plus a literal member
path such as `r.ok`) to its refined type at one program point; `None` stands
for "unreachable". Joining keeps what both sides agree on, as unions.
"""

from __future__ import annotations

from zigttp.verifier.builtins import named_builtin
from zigttp.verifier.scope import Binding
from zigttp.verifier.typemodel import (
    NEVER,
    union,
)

Key = object  # Binding, or (Binding, "a.b") for a literal member path
Env = dict  # Key -> refined Type; None means "unreachable"

REQUEST = named_builtin("Request")
RESPONSE = named_builtin("Response")
JSX_NODE = named_builtin("JSXNode")
_ARITHMETIC = frozenset({"-", "*", "/", "%", "**", "&", "|", "^", "<<", ">>", ">>>"})
_RELATIONAL = frozenset({"<", ">", "<=", ">="})
_EQUALITY = frozenset({"===", "!=="})


def join(a: Env | None, b: Env | None) -> Env | None:
    if a is None:
        return b
    if b is None:
        return a
    if a is b:
        return a
    out: Env = {}
    for key, t in a.items():
        other = b.get(key)
        if other is not None:
            out[key] = t if t is other else union((t, other))
    return out


def _is_never_env(env: Env) -> bool:
    return any(t is NEVER for t in env.values())


def _invalidate(env: Env, key: Key) -> None:
    env.pop(key, None)
    _invalidate_children(env, key)


def _invalidate_children(env: Env, key: Key) -> None:
    if type(key) is Binding:
        for other in [k for k in env if type(k) is tuple and k[0] is key]:
            del env[other]
    else:
        binding, path = key  # type: ignore[misc]
        prefix = path + "."
        for other in [k for k in env if type(k) is tuple and k[0] is binding and k[1].startswith(prefix)]:
            del env[other]


def _stable(key: Key) -> bool:
    """Refinements a closure may keep: the root binding is never reassigned."""
    binding = key if type(key) is Binding else key[0]  # type: ignore[index]
    return not binding.writes


