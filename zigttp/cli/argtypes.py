"""Argument types shared by the commands: each turns a bad value into argparse's usage error (exit 2)."""

from __future__ import annotations

import argparse

from zigttp_host.limits import parse_size


def size(text: str) -> int:
    """A byte size: 1048576, 512k, 64m, 1g."""
    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> int:
    """Seconds from 45s, 30m, 12h, 7d (a bare number is seconds)."""
    value = text.strip().lower()
    unit = _UNITS.get(value[-1:])
    digits = value[:-1] if unit else value
    if not digits.isdigit() or int(digits) <= 0:
        raise argparse.ArgumentTypeError(f"expected a duration like 7d, 12h, 30m or 45s, got {text!r}")
    return int(digits) * (unit or 1)


def durable_store(text: str) -> str:
    """`--durable`: a folder (made absolute) or a postgresql:// URL (checked for form, not reached here)."""
    from pathlib import Path

    from zigttp_host.durable.store import is_database_url

    if "://" not in text:
        return str(Path(text).resolve())
    if not is_database_url(text):
        raise argparse.ArgumentTypeError(f"expected a folder or a postgresql:// URL, got {text.split('://')[0]}://…")
    try:
        from psycopg.conninfo import conninfo_to_dict
    except ImportError:
        raise argparse.ArgumentTypeError("a postgresql:// store needs psycopg 3: pip install 'zigttp[scale]'") \
            from None
    try:
        conninfo_to_dict(text)
    except Exception as e:  # psycopg.ProgrammingError: the message names what is wrong, never the password
        raise argparse.ArgumentTypeError(f"not a valid postgresql:// URL: {str(e).splitlines()[0]}") from None
    return text


def positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {n}")
    return n


# Each handler thread holds its own sandbox instance (and, with --isolation fresh, two pool slots):
# past a few hundred a worker spends its memory on instances, not on throughput.
MAX_THREADS = 256


def threads(text: str) -> int:
    n = positive_int(text)
    if n > MAX_THREADS:
        raise argparse.ArgumentTypeError(f"at most {MAX_THREADS} threads per worker (each holds its own sandbox "
                                         f"instance; add --workers instead), got {n}")
    return n


# Each worker is a process with its own interpreter, engine and instances (~45 MB): a count in the
# thousands is a typo, and would fork until the machine runs out of memory.
MAX_WORKERS = 1024


def workers(text: str) -> int:
    n = positive_int(text)
    if n > MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"at most {MAX_WORKERS} worker processes, got {n}")
    return n


# A trace group is a request line, its io lines and a response line: a limit below this would put about
# one group in each rotated file.
MIN_TRACE_ROTATION_BYTES = 1 << 10


def trace_size(text: str) -> int:
    """`--trace-max-bytes`: a size of at least 1k, or 0 (never rotate)."""
    n = size(text)
    if 0 < n < MIN_TRACE_ROTATION_BYTES:
        raise argparse.ArgumentTypeError(f"expected at least 1k (or 0: never rotate), got {text!r}")
    return n


def non_negative_int(text: str) -> int:
    return 0 if text.strip() == "0" else positive_int(text)


def port(text: str) -> int:
    n = positive_int(text) if text != "0" else 0
    if n > 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, got {n}")
    return n


def egress_host(text: str) -> str:
    """An origin fetch may reach: `host` (https 443, http 80) or `host:port`, normalised."""
    from zigttp_host.virtual_modules.egress import normalise_grant

    try:
        return normalise_grant(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def name(text: str) -> str:
    """A granted name (env variable, cache namespace, SQL statement): 1 to 256 characters."""
    if not text or len(text) > 256:
        raise argparse.ArgumentTypeError(f"expected a name of 1 to 256 characters, got {text!r}")
    return text


def cache_store(text: str) -> str:
    """The zigttp:cache store of `zigttp serve --cache`: sqlite, memory, or a redis:// or rediss:// URL."""
    if text in ("sqlite", "memory"):  # argparse passes the default through here too: no import for it
        return text
    from zigttp_host.virtual_modules.config import REDIS_SCHEMES, check_redis_url

    if text.split("://", 1)[0] not in REDIS_SCHEMES:
        raise argparse.ArgumentTypeError(f"expected sqlite, memory or redis://HOST:PORT/DB (or rediss://), got "
                                         f"{text!r}")
    try:
        return check_redis_url(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
