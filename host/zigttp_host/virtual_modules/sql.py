"""zigttp:sql — named statements registered at module scope, run on one SQLite file.

The registration lives in guest memory (so in the snapshot): every call
sends the statement text with its name and parameters, and the host keeps
only caches (checked statements here, prepared ones in sqlite3). Reads go
through a query_only connection, so sqlOne/sqlMany cannot write.
"""

from __future__ import annotations

import base64
import contextlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..registry import Export, HostCallError, HostRangeError, HostTypeError, Param
from . import args as a
from .config import ModuleConfig
from .runtime import Budget, budget, loading, runtime_of
from .sqltext import Statement, StatementError, scan

if TYPE_CHECKING:
    import sqlite3

    from ..imports import CallContext

MAX_ROWS = 10_000
NAME_MAX = 128
# SQLite VM instructions between two looks at the request's deadline (about
# 0.1 ms of work: the check costs nothing measurable, the overshoot as little).
PROGRESS_STEPS = 10_000

REGISTER_JS = """(call, lib) => {
  const statements = lib.shared("sql");
  return function sql(name, statement) {
    if (typeof name === "string" && statements[name] !== undefined && statements[name] !== statement) {
      throw new TypeError(`sql(): '${name}' is already registered with a different statement`);
    }
    call([name, statement, new Error().stack]);
    statements[name] = statement;
    return true;
  };
}"""


def use_js(fn: str) -> str:
    return f"""(call, lib) => {{
  const statements = lib.shared("sql");
  return function {fn}(name, params) {{
    if (typeof name !== "string") throw new TypeError("{fn}(): parameter 'name' must be a string");
    const statement = statements[name];
    if (statement === undefined) {{
      throw new TypeError(
        `{fn}(): no statement named '${{name}}'; register it at module scope with sql(name, statement)`);
    }}
    // a key present with the value undefined binds NULL; a missing key is an error
    let bound = params;
    if (lib.isObject(params) && !(params instanceof Uint8Array)) {{
      bound = {{}};
      for (const k of Object.keys(params)) {{
        const v = params[k];
        bound[k] = v === undefined ? null : lib.bytesArg(v);
      }}
    }}
    return call([name, statement, bound]);
  }};
}}"""


# ---------- connections ----------

_SAFE_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "foreign_key_list"}


def _authorizer(action: int, arg1: str | None, arg2: str | None, db: str | None, source: str | None) -> int:
    import sqlite3

    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() not in _SAFE_PRAGMAS:
        # our own setup pragmas run before the authorizer is installed
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() == "load_extension":
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class Database:
    """Per-thread connections to the --sqlite file: one for writes, one query_only for reads."""

    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []

    def _open(self, read_only: bool) -> sqlite3.Connection:
        import sqlite3

        from ..sqlitewal import enable_wal

        conn = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None,
                               check_same_thread=False, cached_statements=256)
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        if not read_only:
            enable_wal(conn, self.busy_timeout_ms)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        if read_only:
            conn.execute("PRAGMA query_only = ON")
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.set_authorizer(_authorizer)
        with self._lock:
            self._all.append(conn)
        return conn

    def conn(self, read_only: bool) -> sqlite3.Connection:
        attr = "reader" if read_only else "writer"
        c = getattr(self._local, attr, None)
        if c is None:
            if read_only:
                self.conn(False)  # the writer sets WAL mode first
            c = self._open(read_only)
            setattr(self._local, attr, c)
        return c

    def close(self) -> None:
        import sqlite3

        with self._lock:
            conns, self._all = self._all, []
        for c in conns:
            with contextlib.suppress(sqlite3.Error):
                c.close()


def _database(ctx: CallContext, fn: str) -> Database:
    config = runtime_of(ctx).config
    if not config.sqlite_path:
        raise HostCallError(f"{fn}(): no database: start the server with --sqlite FILE "
                            "(embedders: ModuleConfig(sqlite_path=...))")
    return runtime_of(ctx).resource("sql", _make_database)


def _make_database(config: ModuleConfig) -> Database:
    assert config.sqlite_path is not None
    return Database(config.sqlite_path, config.sqlite_busy_timeout_ms)


# ---------- registration ----------

def _check_name(fn: str, args: list[Any]) -> str:
    name = a.string(fn, args, 0, "name", max_len=NAME_MAX)
    if not name or not all(c.isalnum() or c in "_.:-" for c in name):
        raise HostTypeError(f"{fn}(): parameter 'name' must be a non-empty name of letters, digits and _ . : -")
    return name


def _statement(ctx: CallContext, fn: str, name: str, text: Any) -> Statement:
    if not isinstance(text, str):
        raise HostTypeError(f"{fn}(): parameter 'statement' must be a string, got {a.describe(text)}")
    cache = runtime_of(ctx).statements
    found = cache.lookup(text)
    if found is not None:
        return found
    try:
        st = scan(text)
    except StatementError as e:
        raise HostTypeError(f"{fn}('{name}'): {e}") from None
    cache.put(text, st)
    return st


def sql(ctx: CallContext, args: list[Any]) -> bool:
    a.arity("sql", args, 3)
    name = _check_name("sql", args)
    st = _statement(ctx, "sql", name, a.get(args, 1))
    if not loading(ctx):
        raise HostTypeError(f"sql('{name}'): register statements at module scope, where --sql-schema can check "
                            "them at start")
    stack = a.get(args, 2)
    ctx.state.setdefault("sql", []).append({"name": name, "statement": st.text, "params": list(st.params),
                                            "stack": stack if isinstance(stack, str) else ""})
    return True


# ---------- running ----------

def _bind(fn: str, name: str, st: Statement, params: Any) -> dict[str, Any]:
    if params is None:
        params = {}
    if not isinstance(params, dict) or a.BYTES_KEY in params:
        raise HostTypeError(f"{fn}('{name}'): parameter 'params' must be an object, got {a.describe(params)}")
    bound: dict[str, Any] = {}
    for p in st.params:
        if p not in params:
            raise HostTypeError(f"{fn}('{name}'): missing parameter ':{p}'")
        v = params[p]
        if isinstance(v, bool):
            v = int(v)
        elif isinstance(v, dict) and isinstance(v.get(a.BYTES_KEY), str):
            v = v[a.BYTES_KEY].encode("latin-1")
        elif v is not None and not isinstance(v, str | int | float):
            raise HostTypeError(f"{fn}('{name}'): parameter ':{p}' must be a string, number, boolean or "
                                f"Uint8Array, got {a.describe(v)}")
        bound[p] = v
    extra = [k for k in params if k not in st.params]
    if extra:
        raise HostTypeError(f"{fn}('{name}'): unknown parameter ':{extra[0]}' (the statement uses "
                            f"{', '.join(':' + p for p in st.params) or 'none'})")
    return bound


def _cell(v: Any) -> Any:
    return base64.b64encode(v).decode("ascii") if isinstance(v, bytes) else v


def _stopper(deadline: float) -> Callable[[], int]:
    def past_deadline() -> int:
        return 1 if time.monotonic() > deadline else 0  # non-zero: SQLite abandons the statement

    return past_deadline


def _bounded(conn: sqlite3.Connection, b: Budget) -> sqlite3.Connection:
    """The connection with this call's deadline as its progress handler.

    Set per call: a connection belongs to one thread, which runs one request
    at a time, and stepping (execute, then fetchmany) happens inside the call.
    """
    if b.deadline is None:
        conn.set_progress_handler(None, 0)
    else:
        conn.set_progress_handler(_stopper(b.deadline), PROGRESS_STEPS)
    return conn


def _failed(fn: str, name: str, e: Exception, b: Budget, read_only: bool) -> HostCallError:
    """The guest's error for a failed statement: interrupted once the deadline has passed."""
    import sqlite3

    if isinstance(e, sqlite3.OperationalError):
        if "interrupted" in str(e) and b.expired():
            return b.interrupted()
        if read_only and "readonly" in str(e):
            return HostTypeError(f"{fn}('{name}'): the statement writes; run it with sqlExec")
    return HostCallError(f"{fn}('{name}'): {e}")


def _run(ctx: CallContext, fn: str, args: list[Any], read_only: bool) -> tuple[sqlite3.Cursor, Statement, Budget]:
    a.arity(fn, args, 3)
    b = budget(ctx, fn)
    name = _check_name(fn, args)
    st = _statement(ctx, fn, name, a.get(args, 1))
    bound = _bind(fn, name, st, a.get(args, 2))
    db = _database(ctx, fn)
    import sqlite3

    try:
        return _bounded(db.conn(read_only), b).execute(st.text, bound), st, b
    except sqlite3.Error as e:
        raise _failed(fn, name, e, b, read_only) from None


def _rows(cur: sqlite3.Cursor, limit: int) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description or ()]
    rows = cur.fetchmany(limit + 1)
    return [{c: _cell(v) for c, v in zip(cols, row, strict=True) if v is not None} for row in rows]


def _fetch(fn: str, args: list[Any], cur: sqlite3.Cursor, b: Budget, limit: int) -> list[dict[str, Any]]:
    """The rows (stepping the statement further, so the deadline applies here too)."""
    import sqlite3

    try:
        return _rows(cur, limit)
    except sqlite3.Error as e:
        raise _failed(fn, str(args[0]), e, b, True) from None
    finally:
        cur.close()


def sql_one(ctx: CallContext, args: list[Any]) -> dict[str, Any] | None:
    cur, _, b = _run(ctx, "sqlOne", args, True)
    rows = _fetch("sqlOne", args, cur, b, 1)
    return rows[0] if rows else None


def sql_many(ctx: CallContext, args: list[Any]) -> list[dict[str, Any]]:
    cur, _, b = _run(ctx, "sqlMany", args, True)
    rows = _fetch("sqlMany", args, cur, b, MAX_ROWS)
    if len(rows) > MAX_ROWS:
        raise HostRangeError(f"sqlMany('{args[0]}'): more than {MAX_ROWS} rows; add a LIMIT")
    return rows


def sql_exec(ctx: CallContext, args: list[Any]) -> dict[str, Any]:
    import sqlite3

    cur, st, b = _run(ctx, "sqlExec", args, False)
    try:
        cur.fetchall()  # RETURNING rows, if any, are consumed: the statement completes
        out: dict[str, Any] = {"rowsAffected": max(cur.rowcount, 0)}
        if st.verb in ("INSERT", "REPLACE") and cur.lastrowid:
            out["lastInsertRowId"] = cur.lastrowid
        return out
    except sqlite3.Error as e:
        raise _failed("sqlExec", str(args[0]), e, b, False) from None
    finally:
        cur.close()


TYPES = """\
type SqlParams = Record<string, string | number | boolean | Uint8Array | undefined>;
type SqlRow = Record<string, string | number>;
interface SqlExecResult { rowsAffected: number; lastInsertRowId?: number }
"""

M = "zigttp:sql"
NAME, PARAMS = Param("name", "string"), Param("params", "SqlParams", optional=True)
EXPORTS = (
    Export(M, "sql", (NAME, Param("statement", "string")), "boolean", effect="write", capability="sql",
           capability_arg=0, traced=False, impl=sql, js=REGISTER_JS, module_scope=True,
           doc="Registers a named statement (one statement, :named parameters) at module scope."),
    Export(M, "sqlOne", (NAME, PARAMS), "SqlRow | undefined", return_kind="optional", effect="read",
           capability="sql", capability_arg=0, failure="soft", labels=("internal",), impl=sql_one,
           js=use_js("sqlOne"), doc="The first row (NULL columns left out), or undefined. Cannot write."),
    Export(M, "sqlMany", (NAME, PARAMS), "SqlRow[]", effect="read", capability="sql", capability_arg=0,
           labels=("internal",), impl=sql_many, js=use_js("sqlMany"),
           doc=f"Every row (at most {MAX_ROWS}). Cannot write."),
    Export(M, "sqlExec", (NAME, PARAMS), "SqlExecResult", effect="write", capability="sql", capability_arg=0,
           impl=sql_exec, js=use_js("sqlExec"), doc="Runs a statement; rows affected and the last insert rowid."),
)
