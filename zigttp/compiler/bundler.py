"""Resolve, parse and order the module graph of one handler.

Local imports (`./x.ts`, `../lib/y.ts`) are parsed and bundled; `zigttp:*`
specifiers stay virtual-module imports; anything else is an error naming what
is allowed. Cycles are reported with their path. Modules come back in
dependency order (post-order DFS, the order ES modules evaluate), entry last.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from zigttp.compiler import ast as A
from zigttp.compiler import codes as _table
from zigttp.compiler import diagnostics as codes
from zigttp.compiler.codes import Rule
from zigttp.compiler.diagnostics import Diagnostic, file_diagnostic, make_diagnostic, nearest
from zigttp.compiler.modules import (
    allowed_specifiers_text,
    is_erased_virtual_module,
    is_known_virtual_module,
    is_virtual_specifier,
    module_signatures,
    virtual_module_name,
)
from zigttp.compiler.parser import parse_source
from zigttp.compiler.source import SourceFile

RESOLVE_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx")
ReadFile = Callable[[str], str]


def read_text(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def is_local_specifier(specifier: str) -> bool:
    return specifier.startswith(("./", "../"))


def resolve_local(importer_path: str, specifier: str) -> str | None:
    """Canonical path of a relative import, trying the usual extensions."""
    base = os.path.normpath(os.path.join(os.path.dirname(importer_path), specifier))
    candidates = [base]
    if os.path.splitext(base)[1] not in RESOLVE_EXTENSIONS:
        candidates += [base + ext for ext in RESOLVE_EXTENSIONS]
        candidates += [os.path.join(base, "index" + ext) for ext in RESOLVE_EXTENSIONS]
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    return None


def display_name(importer_display: str, importer_canonical: str, canonical: str) -> str:
    """Name a dependency relative to how the importing file was named."""
    relative = os.path.relpath(canonical, os.path.dirname(importer_canonical))
    return os.path.normpath(os.path.join(os.path.dirname(importer_display), relative))


class Bundler:
    def __init__(self, read_file: ReadFile = read_text) -> None:
        self.read_file = read_file
        self.diagnostics: list[Diagnostic] = []
        self.order: list[A.Module] = []
        self.done: dict[str, A.Module] = {}
        self.stack: list[str] = []
        self.display: dict[str, str] = {}
        self.files: list[str] = []
        self.resolutions: dict[tuple[str, str], str | None] = {}

    def build(self, entry_name: str, entry_text: str) -> A.Program:
        canonical = os.path.abspath(entry_name)
        self.display[canonical] = entry_name
        entry = self.visit(canonical, entry_name, entry_text)
        return A.Program(entry, self.order)

    def visit(self, canonical: str, name: str, text: str) -> A.Module:
        self.files.append(name)
        module, diagnostics = parse_source(SourceFile(name, text), canonical)
        self.diagnostics.extend(diagnostics)
        self.stack.append(canonical)
        for statement in module.imports:
            self.link(module, statement)
        self.stack.pop()
        self.done[canonical] = module
        self.order.append(module)
        return module

    def report(self, module: A.Module, statement: A.Import, rule: Rule, **values: object) -> None:
        """A diagnostic at the import's specifier, with `rule`'s message."""
        self.diagnostics.append(make_diagnostic(module.file, statement.specifier_start, statement.specifier_end,
                                                rule.code, rule.text(**values)))

    def check_virtual_names(self, module: A.Module, statement: A.Import) -> None:
        """Every name imported from a `zigttp:*` module must be one of its exports (the guest refuses others)."""
        if statement.type_only or is_erased_virtual_module(statement.specifier):
            return
        exports = module_signatures(virtual_module_name(statement.specifier)) or {}
        for name in statement.names:
            if name.type_only or name.imported in exports or name.imported == "default":
                continue
            guess = nearest(name.imported, exports)
            hint = f"did you mean '{guess}'?" if guess else f"it exports {', '.join(sorted(exports))}"
            self.diagnostics.append(make_diagnostic(
                module.file, name.start, name.end, _table.NO_SUCH_EXPORT.code,
                _table.NO_SUCH_EXPORT.text(specifier=statement.specifier, name=name.imported, hint=hint)))

    def link(self, module: A.Module, statement: A.Import) -> None:
        specifier = statement.specifier
        if is_virtual_specifier(specifier):
            if not is_known_virtual_module(specifier):
                self.report(
                    module,
                    statement,
                    _table.UNKNOWN_VIRTUAL_MODULE,
                    specifier=specifier, allowed=allowed_specifiers_text(),
                )
            else:
                self.check_virtual_names(module, statement)
            return
        if not is_local_specifier(specifier):
            self.report(
                module,
                statement,
                _table.INVALID_IMPORT,
                specifier=specifier, allowed=allowed_specifiers_text(),
            )
            return
        key = (os.path.dirname(module.path), specifier)
        if key not in self.resolutions:
            self.resolutions[key] = resolve_local(module.path, specifier)
        target = self.resolutions[key]
        if target is None:
            self.report(
                module,
                statement,
                _table.IMPORT_NOT_FOUND,
                specifier=specifier,
            )
            return
        module.resolved[specifier] = target
        if target in self.stack:
            cycle = [*self.stack[self.stack.index(target) :], target]
            path = " -> ".join(self.display.get(p, p) for p in cycle)
            self.report(
                module,
                statement,
                _table.IMPORT_CYCLE,
                path=path,
            )
            return
        if target in self.done:
            return
        name = display_name(module.file.name, module.path, target)
        self.display[target] = name
        try:
            text = self.read_file(target)
        except (OSError, UnicodeDecodeError) as error:
            message = _table.CANNOT_READ_FILE.text(error=error)
            self.diagnostics.append(file_diagnostic(name, codes.CANNOT_READ_FILE, message))
            return
        self.visit(target, name, text)


def build_program(
    entry_name: str, entry_text: str, read_file: ReadFile = read_text
) -> tuple[A.Program, list[Diagnostic], list[str]]:
    bundler = Bundler(read_file)
    program = bundler.build(entry_name, entry_text)
    return program, bundler.diagnostics, bundler.files
