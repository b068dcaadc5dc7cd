"""zigttp:env — env(name)."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from ..registry import CapabilityDenied, Export, Param
from . import args as a
from .runtime import runtime_of

if TYPE_CHECKING:
    from ..imports import CallContext

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,255}$")


def env(ctx: CallContext, args: list[Any]) -> str | None:
    a.arity("env", args, 1)
    name = a.string("env", args, 0, "name", max_len=256)
    if not _NAME.match(name):
        raise a.HostTypeError(f"env(): parameter 'name' must be a variable name ([A-Za-z_][A-Za-z0-9_]*), "
                              f"got {name!r}")
    config = runtime_of(ctx).config
    if config.env_allow is not None and name not in config.env_allow:
        raise CapabilityDenied("env", name)
    if config.env_from_process:
        return os.environ.get(name)
    return None if config.env is None else config.env.get(name)


EXPORTS = (
    Export("zigttp:env", "env", (Param("name", "string"),), "string | undefined", return_kind="optional",
           effect="read", capability="env", capability_arg=0, failure="soft", labels=("secret",), impl=env,
           module_scope=False,  # no environment value may end up in a snapshot
           doc="The environment variable `name`, or undefined. Not at module scope."),
)
