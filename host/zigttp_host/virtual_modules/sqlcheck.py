"""--sql-schema: prepare every statement a handler registers with sql() against a schema, at start.

The registrations are made by the handler's module scope, which runs when
the snapshot is built (maybe in another process, maybe cached). This check
runs the module scope once more in a throwaway instance, collects what
sql() recorded (name, statement, the caller's position), and prepares each
statement with EXPLAIN on an in-memory database built from the schema.
A server that forks its workers must not create a wasmtime engine first, so
`zigttp serve` runs this as a child process:

    echo '{"source": ..., "name": ..., "schema": "path"}' | python -m zigttp_host.virtual_modules.sqlcheck
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

_FRAME = re.compile(r"at (?:[^\s(]+ \()?([^():\s]+):(\d+):(\d+)\)?")


class SqlCheckError(Exception):
    """The check itself could not run (unreadable schema, handler that does not load)."""


@dataclass(frozen=True)
class Problem:
    name: str
    message: str
    at: str | None  # bundle:line:col of the sql() call


def caller_position(stack: str, bundle_name: str) -> str | None:
    for m in _FRAME.finditer(stack or ""):
        if m.group(1) == bundle_name:
            return f"{m.group(1)}:{m.group(2)}:{m.group(3)}"
    return None


def check_statements(schema_sql: str, registrations: list[dict[str, Any]], bundle_name: str) -> list[Problem]:
    db = sqlite3.connect(":memory:")
    try:
        try:
            db.executescript(schema_sql)
        except sqlite3.Error as e:
            raise SqlCheckError(f"the schema does not run: {e}") from None
        except ValueError:  # sqlite3 refuses a NUL byte before SQLite sees the script
            raise SqlCheckError("the schema does not run: it contains a NUL byte") from None
        problems = []
        for reg in registrations:
            try:
                db.execute("EXPLAIN " + reg["statement"], dict.fromkeys(reg.get("params", ())))
            except (sqlite3.Error, ValueError) as e:  # ValueError: a NUL byte in the statement
                problems.append(Problem(reg["name"], str(e), caller_position(reg.get("stack", ""), bundle_name)))
        return problems
    finally:
        db.close()


def registrations_of(source: str, name: str) -> list[dict[str, Any]]:
    """Runs the handler's module scope in a throwaway instance and returns what sql() recorded."""
    from ..host import Host
    from ..instance import GuestFailure, GuestInstance
    from ..limits import Limits

    host = Host()
    inst = GuestInstance(host.engine.wasmtime, host.base_pre, host.functions, memory_limit=256 << 20,
                         logger=lambda level, text: None, fresh_module=True, statics=host.statics)
    try:
        inst.init(host.prelude.encode(), clock_seed_ns=1)
        inst.configure(js_stack_bytes=Limits().js_stack_bytes)
        inst.load(source.encode(), name, clock_seed_ns=1)
    except GuestFailure as e:
        raise SqlCheckError(f"the handler does not load: {e.info.get('message', e.kind)}") from None
    return list(inst.ctx.state.get("sql", []))


def check(source: str, name: str, schema: Path) -> list[Problem]:
    try:
        schema_sql = schema.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SqlCheckError(f"cannot read the schema: {e}") from None
    return check_statements(schema_sql, registrations_of(source, name), name)


def check_in_subprocess(source: str, name: str, schema: Path) -> list[Problem]:
    request = json.dumps({"source": source, "name": name, "schema": str(schema)})
    proc = subprocess.run([sys.executable, "-m", "zigttp_host.virtual_modules.sqlcheck"], capture_output=True,
                          text=True, input=request, timeout=300)
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        raise SqlCheckError(proc.stderr.strip() or "the check failed") from None
    if "error" in result:
        raise SqlCheckError(result["error"])
    return [Problem(**p) for p in result["problems"]]


def main() -> int:
    request = json.load(sys.stdin)
    try:
        problems = check(request["source"], request["name"], Path(request["schema"]))
    except SqlCheckError as e:
        print(json.dumps({"error": str(e)}))
        return 1
    print(json.dumps({"problems": [asdict(p) for p in problems]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
