"""What a deployment may rely on: the proven facts of one contract, independent of the platform."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

# Lambda sets these itself and refuses them in a function's environment.
LAMBDA_RESERVED_ENV = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})
# Properties reported and tagged, in this order: (contract name, what it means).
PROPERTY_TEXT = (
    ("retry_safe", "safe to retry (no effect repeats harmfully)"),
    ("read_only", "read-only (changes no state)"),
    ("idempotent", "idempotent"),
    ("deterministic", "deterministic"),
    ("injection_safe", "injection-safe (no untrusted data reaches a sink)"),
    ("state_isolated", "state isolated between requests"),
    ("no_secret_leakage", "no secret reaches a response or a log"),
    ("no_credential_leakage", "no credential reaches a response or a log"),
    ("input_validated", "input validated before use"),
    ("fault_covered", "every failing call is handled"),
    ("result_safe", "results checked before use"),
)


class DeployError(ValueError):
    """A contract that cannot be deployed to the platform asked for: the message says why and what to do."""


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST, ... or "*" (any)
    path: str  # the router's pattern: /users/:id


@dataclass(frozen=True)
class ProvenFacts:
    handler_path: str
    handler_name: str  # the file's stem
    proof: str  # complete | partial | none
    env: tuple[str, ...]
    env_proven: bool
    egress: tuple[str, ...]
    egress_proven: bool
    cache: tuple[str, ...]
    cache_proven: bool
    sql: tuple[str, ...]
    routes: tuple[Route, ...]
    properties: dict[str, bool]
    durable: bool
    modules: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return self.proof == "complete"

    def warnings(self) -> list[str]:
        """What a person must review before deploying: empty when every section is proven."""
        notes = []
        if not self.env_proven:
            notes.append("env: the handler reads variables by computed names; the template lists only the "
                         "proven ones, others it reads are denied")
        if not self.egress_proven:
            notes.append("egress: the handler fetches computed URLs; only the proven hosts are granted")
        if not self.cache_proven:
            notes.append("cache: the handler uses computed namespaces; only the proven ones are granted")
        if self.proof != "complete":
            notes.append(f"proof level is {self.proof}: some properties or routes are not proven, so every "
                         "path is routed to the function ($default) besides the proven routes")
        return notes

    def platform_notes(self) -> list[str]:
        """How Lambda differs from `zigttp serve` for what this handler uses."""
        notes = []
        if self.sql:
            notes.append("sql: zigttp:sql needs a database file that outlives the container (EFS): set the "
                         "SqlitePath parameter; the default in /tmp is lost with each container")
        if self.cache:
            notes.append("cache: zigttp:cache is in memory per container on Lambda; entries are not shared "
                         "between concurrent containers")
        return notes


def facts_from_contract(contract: dict[str, Any]) -> ProvenFacts:
    """The facts of a contract.json (version 1 or 2); DeployError for what a deployment cannot honour."""
    handler = contract.get("handler") or {}
    path = str(handler.get("path") or "handler")
    dynamic = contract.get("dynamic") or {}
    durable = bool((contract.get("durable") or {}).get("used"))
    if durable:
        raise DeployError("a durable handler (zigttp:durable) cannot be deployed to AWS Lambda yet: its runs need "
                          "a store that outlives the function's container, and only the file store exists; "
                          "serve it with `zigttp serve --durable DIR` on a host with a disk")
    routes = tuple(Route(str(r.get("method", "*")), str(r.get("path", "/"))) for r in contract.get("routes") or [])
    return ProvenFacts(
        handler_path=path,
        handler_name=PurePosixPath(path).stem or "handler",
        proof=str(contract.get("proof", "none")),
        env=tuple(contract.get("env") or ()),
        env_proven=not dynamic.get("env", False),
        egress=tuple(contract.get("egress") or ()),
        egress_proven=not dynamic.get("egress", False),
        cache=tuple(contract.get("cache") or ()),
        cache_proven=not dynamic.get("cache", False),
        sql=tuple(contract.get("sql") or ()),
        routes=routes,
        properties={k: bool(v) for k, v in (contract.get("properties") or {}).items() if isinstance(v, bool)},
        durable=durable,
        modules=tuple(contract.get("modules") or ()),
    )


def pascal(text: str) -> str:
    """`JWT_SECRET` -> `JwtSecret`, `/users/:id` -> `UsersId`: a CloudFormation logical id part."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", text) if w]
    return "".join(w[:1].upper() + w[1:].lower() if w.isupper() or w.islower() else w[:1].upper() + w[1:]
                   for w in words)
