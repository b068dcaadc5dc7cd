"""OLD and NEW as `zigttp prove` takes them: a handler source, a built bundle folder, or a contract file.

* a handler source (.ts, .tsx, .js, .jsx, .mjs) goes through the one analysis
  (zigttp.analysis) for its bundle and contract;
* a folder as `zigttp build` writes it: DIR/handler.js and DIR/contract.json;
* a contract.json alone: compared, but there is no bundle to replay against.

A source's contract records its path relative to where the command runs;
here it records the file's name, so a certificate does not depend on the
working directory (see docs/prove.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785

from zigttp_host.bundle import Bundle, LineMapper


class InputError(Exception):
    """OLD, NEW or the traces cannot be used: the message is one line, ready to print after `error: `."""


@dataclass(frozen=True)
class Side:
    given: str  # as typed on the command line
    kind: str  # source | bundle | contract
    contract: dict[str, Any]
    js: str | None  # the bundle; None for a contract file
    line_map: LineMapper | None = None

    @property
    def bundle_sha256(self) -> str | None:
        return None if self.js is None else hashlib.sha256(self.js.encode("utf-8")).hexdigest()

    @property
    def contract_sha256(self) -> str:
        """Of the contract's RFC 8785 canonical bytes: one value whatever the file's layout."""
        return hashlib.sha256(canonical(self.contract, f"the contract of {self.given}")).hexdigest()

    def bundle(self) -> Bundle | None:
        if self.js is None:
            return None
        return Bundle(self.js, "handler.js" if self.kind == "bundle" else Path(self.given).name, self.line_map)


def canonical(value: Any, what: str) -> bytes:
    """RFC 8785 bytes; a number JSON cannot carry exactly (an integer past 2^53) is invalid input."""
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as e:
        raise InputError(f"{what} has no canonical JSON form (RFC 8785): {e}") from None


def load_side(given: str) -> Side:
    from zigttp.loader import HANDLER_SUFFIXES

    path = Path(given)
    if not path.exists():
        raise InputError(f"{given}: no such file or directory")
    if path.is_dir():
        return _bundle_side(given, path)
    if path.suffix == ".json":
        return Side(given, "contract", _contract(path), None)
    if path.suffix in HANDLER_SUFFIXES:
        return _source_side(given, path)
    raise InputError(f"{given}: expected a handler ({', '.join(HANDLER_SUFFIXES)}), a bundle folder "
                     "(handler.js and contract.json) or a contract.json")


def _contract(path: Path) -> dict[str, Any]:
    from zigttp.contract.schema import ContractError, load_contract

    try:
        return load_contract(path)
    except ContractError as e:
        raise InputError(str(e).splitlines()[0] + _first_problem(str(e))) from None


def _first_problem(message: str) -> str:
    lines = message.splitlines()
    return f" {lines[1].strip()}" if len(lines) > 1 else ""


def _bundle_side(given: str, folder: Path) -> Side:
    js_path, contract_path = folder / "handler.js", folder / "contract.json"
    for needed in (js_path, contract_path):
        if not needed.is_file():
            raise InputError(f"{given}: a bundle folder needs {needed.name} (as `zigttp build` writes it)")
    try:
        js = js_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read {js_path}: {e}") from None
    return Side(given, "bundle", _contract(contract_path), js)


def _source_side(given: str, path: Path) -> Side:
    from zigttp.contract.derive import derive

    try:
        derived = derive(path)
    except Exception as e:  # a bug in the analysis: one line, never a traceback
        raise InputError(f"internal error: cannot analyse {given}: {type(e).__name__}: {e}") from None
    if not derived.ok or derived.contract is None:
        errors = derived.errors
        first = f": {errors[0].file}:{errors[0].line}:{errors[0].column}: {errors[0].message}" if errors else ""
        raise InputError(f"{given} does not compile{first}")
    contract = dict(derived.contract)
    contract["handler"] = {**contract["handler"], "path": path.name}
    line_map = _relative_positions(path, derived.line_map.lookup) if derived.line_map is not None else None
    return Side(given, "source", contract, derived.js, line_map)


def _relative_positions(entry: Path, lookup: LineMapper) -> LineMapper:
    """Positions of a runtime error name files relative to the handler's folder, as the contract's files do.

    A replayed answer then reads the same wherever the handler lives, and so does the certificate.
    """
    base = entry.resolve().parent

    def mapped(line: int, column: int) -> tuple[str, int, int] | None:
        found = lookup(line, column)
        if found is None:
            return None
        try:
            name = Path(found[0]).resolve().relative_to(base).as_posix()
        except ValueError:
            name = Path(found[0]).name
        return name, found[1], found[2]

    return mapped
