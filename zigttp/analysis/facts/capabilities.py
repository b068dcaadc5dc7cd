"""Capability extraction: which env names, hosts, cache namespaces and SQL statements a handler reaches.

Driven by the module registry: an export whose `capability` is env, egress,
cache or sql and whose `capability_arg` names the target is a *capability
function*. Every module of the bundle is scanned (not only what the
verifier considers reachable), and every occurrence of a capability
function's local name is classified:

* a direct call (`env("API_KEY")`, `"K" |> env`) whose target argument is a
  proven literal (a string literal, a template without substitutions, a
  `comptime` string, or a `const` alias of one) adds that literal;
* a direct call with any other target (a variable, a concatenation, a
  template with substitutions, a request field, a spread) makes the
  capability *dynamic*;
* any other occurrence (aliasing `const f = env`, storing it in an array or
  object, passing it as a callback or to a helper, exporting it from a local
  module, `env.call(...)`, a parameter or local that reuses the name) makes
  the capability dynamic for the whole handler: the function may then be
  called with anything.

Egress targets are URLs: a literal URL adds its host (normalised like the
host's egress policy: lower case, no trailing dot, IDNA); a computed URL
whose literal prefix already fixes the host (`https://api.example.com/` +
anything) adds that host; anything else is dynamic. URLs the egress policy
always refuses (credentials `user@host`, other schemes) add nothing.

The global `fetchSync` is zigttp:fetch's `fetch` and is treated alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from zigttp.analysis.facts.hosts import literal_url_host, prefix_host
from zigttp.analysis.facts.literals import Literals
from zigttp.analysis.facts.nodes import location
from zigttp.compiler import ast as A
from zigttp.compiler.ast import unparen

if TYPE_CHECKING:
    from zigttp_host.registry import Export

CAPABILITIES = ("env", "egress", "cache", "sql")
GLOBAL_FETCH = "fetchSync"
TYPE_ONLY_MODULES = frozenset({"zigttp:types"})
# The kinds a module scan acts on: names, the calls and pipes that classify their callee, and properties
# whose key is a name, not a value.
_SCANNED = frozenset({A.Identifier, A.Call, A.Pipe, A.Property})
ALL_NAMESPACES = "*"  # cacheStats() without a namespace (zigttp_host.grants.ALL_NAMESPACES)
Exports = dict[tuple[str, str], "Export"]


@dataclass(frozen=True)
class Site:
    """One place a capability is reached: with a proven target, or dynamically (then `why`)."""

    capability: str
    function: str  # "zigttp:env.env"
    target: str | None
    at: str  # file:line:col
    why: str | None = None


@dataclass(frozen=True)
class SqlQuery:
    name: str
    statement: str
    operation: str
    tables: tuple[str, ...]


@dataclass
class Extraction:
    env: set[str] = field(default_factory=set)
    egress: set[str] = field(default_factory=set)
    cache: set[str] = field(default_factory=set)
    sql: set[str] = field(default_factory=set)
    dynamic: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(CAPABILITIES, False))
    sites: list[Site] = field(default_factory=list)
    sql_queries: list[SqlQuery] = field(default_factory=list)
    sql_registrations_dynamic: bool = False
    functions: dict[str, set[str]] = field(default_factory=dict)  # virtual module → exports referenced
    refused_urls: list[str] = field(default_factory=list)  # literal URLs the egress policy always refuses
    value_uses: set[tuple[str, str]] = field(default_factory=set)  # (module, export) used other than by a call

    @property
    def modules(self) -> list[str]:
        return sorted(self.functions)

    def proven(self, capability: str) -> set[str]:
        """The proven targets of one capability (env, egress, cache or sql)."""
        return {"env": self.env, "egress": self.egress, "cache": self.cache, "sql": self.sql}[capability]

    def names(self, capability: str) -> list[str]:
        return sorted(self.proven(capability))

    def dynamic_sites(self, capability: str | None = None) -> list[Site]:
        return [s for s in self.sites if s.why is not None and (capability is None or s.capability == capability)]

    def add(self, site: Site) -> None:
        self.sites.append(site)
        if site.why is not None:
            self.dynamic[site.capability] = True
        elif site.target is not None:
            self.proven(site.capability).add(site.target)


@dataclass(frozen=True)
class _Import:
    module: str  # "zigttp:env"
    name: str  # export name
    capability: str | None  # env egress cache sql (None: not a capability function)
    arg: int | None


def registry_exports() -> Exports:
    """The module registry keyed by (module, export name)."""
    from zigttp_host.modules import REGISTRY  # loaded when a handler is analysed, not when a contract is read

    return {(e.module, e.name): e for e in REGISTRY}


def _import_of(module: str, name: str, exports: Exports) -> _Import:
    export = exports.get((module, name))
    capability = export.capability if export is not None else None
    arg = export.capability_arg if export is not None else None
    if capability not in CAPABILITIES or arg is None:
        capability, arg = None, None
    return _Import(module, name, capability, arg)


def extract(program: A.Program, literals: Literals | None = None) -> Extraction:
    """Scans every module of `program` (the front end's `CompileResult.program`)."""
    return _Extractor(program, literals or Literals(program)).run()


class _Extractor:
    def __init__(self, program: A.Program, literals: Literals) -> None:
        self.program = program
        self.literals = literals
        self.exports = registry_exports()
        self.out = Extraction()

    def run(self) -> Extraction:
        for module in self.program.modules:
            self.module(module)
        self.out.sql_queries.sort(key=lambda q: q.name)
        return self.out

    def module(self, module: A.Module) -> None:
        imports: dict[str, _Import] = {}
        for imp in module.imports:
            if not imp.specifier.startswith("zigttp:") or imp.type_only or imp.specifier in TYPE_ONLY_MODULES:
                continue
            for spec in imp.names:
                if not spec.type_only:
                    imports[spec.local.name] = _import_of(imp.specifier, spec.imported, self.exports)
        if GLOBAL_FETCH not in imports:
            # the global alias of zigttp:fetch's fetch (a local of that name makes egress dynamic)
            imports[GLOBAL_FETCH] = _import_of("zigttp:fetch", "fetch", self.exports)
        self.imports = imports
        self.current = module
        # Source order, parents first; `skip` holds identifier nodes already classified by their parent.
        # Imports and type-level statements hold no values (nothing is listed under them).
        skip: set[int] = set()
        for node in A.preorder(self.program, module).nodes_of(_SCANNED):
            kind = type(node)
            if kind is A.Identifier:
                if node.name in imports and id(node) not in skip:  # type: ignore[attr-defined]
                    self.occurrence(node)  # type: ignore[arg-type]
                continue
            if kind is A.Call:
                self.call(node, node.callee, node.arguments, skip)  # type: ignore[attr-defined]
            elif kind is A.Pipe:
                self.call(node, node.right, [node.left], skip)  # type: ignore[attr-defined]
            elif kind is A.Property and not node.computed and type(node.key) is A.Identifier:  # type: ignore[attr-defined]
                skip.add(id(node.key))  # type: ignore[attr-defined]

    # ---------- classification ----------

    def occurrence(self, node: A.Identifier) -> None:
        """A name used other than as the callee of a direct call."""
        imp = self.imports.get(node.name)
        if imp is None:
            return
        self.out.functions.setdefault(imp.module, set()).add(imp.name)
        self.out.value_uses.add((imp.module, imp.name))
        if imp.capability is not None:
            self.out.add(Site(imp.capability, f"{imp.module}.{imp.name}", None, location(node),
                              f"'{node.name}' is used as a value (aliased, stored, passed or redeclared), "
                              "so it may be called with any argument"))

    def call(self, node: A.Node, callee: A.Node, arguments: list[A.Node], skip: set[int]) -> None:
        target = unparen(callee)
        if type(target) is not A.Identifier:
            return
        imp = self.imports.get(target.name)  # type: ignore[attr-defined]
        if imp is None:
            return
        skip.add(id(target))
        self.out.functions.setdefault(imp.module, set()).add(imp.name)
        if imp.module == "zigttp:sql" and imp.name == "sql":
            self.registration(node, arguments)
            return
        if imp.capability is None or imp.arg is None:
            return
        function = f"{imp.module}.{imp.name}"
        at = location(node)
        if any(type(a) is A.Spread for a in arguments[: imp.arg + 1]):
            self.out.add(Site(imp.capability, function, None, at, "arguments are spread"))
            return
        if imp.arg >= len(arguments):
            if imp.capability == "cache":  # cacheStats(): every namespace
                self.out.add(Site("cache", function, ALL_NAMESPACES, at))
            return  # a missing required argument: the call fails with a TypeError, reaching nothing
        argument = arguments[imp.arg]
        if imp.capability == "egress":
            self.egress(function, argument, at)
            return
        value = self.literals.string(argument, self.current)
        if value is None:
            self.out.add(Site(imp.capability, function, None, at, "the name is computed at run time"))
        else:
            self.out.add(Site(imp.capability, function, value, at))

    def egress(self, function: str, argument: A.Node, at: str) -> None:
        url = self.literals.string(argument, self.current)
        if url is not None:
            host = literal_url_host(url)
            if host is None:
                self.out.refused_urls.append(at)
                self.out.sites.append(Site("egress", function, None, at))
            else:
                self.out.add(Site("egress", function, host, at))
            return
        prefix = self.literals.prefix(argument, self.current)
        host = prefix_host(prefix) if prefix is not None else None
        if host is None:
            self.out.add(Site("egress", function, None, at, "the URL's host is computed at run time"))
        else:
            self.out.add(Site("egress", function, host, at))

    def registration(self, node: A.Node, arguments: list[A.Node]) -> None:
        name = self.literals.string(arguments[0], self.current) if arguments else None
        statement = self.literals.string(arguments[1], self.current) if len(arguments) > 1 else None
        if name is None or statement is None:
            self.out.sql_registrations_dynamic = True
            return
        operation, tables = describe_statement(statement)
        query = SqlQuery(name, statement, operation, tables)
        if query not in self.out.sql_queries:
            self.out.sql_queries.append(query)


# ---------- SQL ----------

_KEYWORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\"[^\"]*\"|`[^`]*`|\[[^\]]*\]|'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/|\S",
                      re.S)
_OPERATIONS = ("select", "insert", "update", "delete")


def describe_statement(statement: str) -> tuple[str, tuple[str, ...]]:
    """(operation, tables): the first keyword (select/insert/update/delete, else its lower-case self,
    WITH resolved to the main statement) and the names after FROM, JOIN, INTO, UPDATE and
    CREATE/DROP/ALTER TABLE [IF [NOT] EXISTS]."""
    tokens = [t for t in _KEYWORD.findall(statement) if not t.startswith(("--", "/*", "'"))]
    words = [t.lower() for t in tokens]
    operation = words[0] if words else ""
    if operation == "with":
        depth = 0
        for word in words:
            if word == "(":
                depth += 1
            elif word == ")":
                depth -= 1
            elif depth == 0 and word in _OPERATIONS:
                operation = word
                break
    tables: list[str] = []
    for i, word in enumerate(words[:-1]):
        if word in ("from", "join", "into", "update") or (word == "table" and i > 0
                                                           and words[i - 1] in ("create", "drop", "alter")):
            j = i + 1
            while j < len(words) - 1 and words[j] in ("if", "not", "exists"):
                j += 1
            i = j - 1
            name = tokens[i + 1]
            if name == "(":
                continue
            if i + 3 < len(tokens) and tokens[i + 2] == ".":
                name = tokens[i + 3]
            name = name.strip('"`[]')
            if name.lower() not in ("select", "(") and name not in tables and re.match(r"^[A-Za-z_]", name):
                tables.append(name)
    return operation, tuple(tables)
