"""Argument checks shared by the host implementations.

Arguments arrive JSON-decoded from the guest (`undefined` arrives as None or
is missing). A wrong call raises HostTypeError (a JS TypeError) naming the
function and the parameter; a size past a bound raises HostRangeError.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import parse_qsl

from ..registry import HostRangeError, HostTypeError

# Bytes crossing as a string: the guest sends Uint8Array/ArrayBuffer values
# as {"$bytes": <one char per byte>} (see lib.bytesArg in the prelude).
BYTES_KEY = "$bytes"
MAX_STRING = 8 << 20


def get(args: list[Any], i: int) -> Any:
    return args[i] if i < len(args) else None


def arity(fn: str, args: list[Any], most: int) -> None:
    if not isinstance(args, list):
        raise HostTypeError(f"{fn}(): arguments must be an array")
    if len(args) > most:
        extra = args[most:]
        if any(a is not None for a in extra):
            raise HostTypeError(f"{fn}() takes at most {most} argument{'s' if most != 1 else ''}, got {len(args)}")


def string(fn: str, args: list[Any], i: int, name: str, *, max_len: int = MAX_STRING) -> str:
    v = get(args, i)
    if not isinstance(v, str):
        raise HostTypeError(f"{fn}(): parameter '{name}' must be a string, got {describe(v)}")
    if len(v) > max_len:
        raise HostRangeError(f"{fn}(): parameter '{name}' is longer than {max_len} characters")
    return v


def opt_string(fn: str, args: list[Any], i: int, name: str, *, max_len: int = MAX_STRING) -> str | None:
    if get(args, i) is None:
        return None
    return string(fn, args, i, name, max_len=max_len)


def number(fn: str, args: list[Any], i: int, name: str, *, integer: bool = False,
           low: float | None = None, high: float | None = None) -> float:
    v = get(args, i)
    if isinstance(v, bool) or not isinstance(v, int | float) or (isinstance(v, float) and not math.isfinite(v)):
        raise HostTypeError(f"{fn}(): parameter '{name}' must be a finite number, got {describe(v)}")
    if integer and v != int(v):
        raise HostTypeError(f"{fn}(): parameter '{name}' must be an integer, got {v}")
    if (low is not None and v < low) or (high is not None and v > high):
        raise HostRangeError(f"{fn}(): parameter '{name}' must be between {_n(low)} and {_n(high)}, got {_n(v)}")
    return int(v) if integer else v


def opt_number(fn: str, args: list[Any], i: int, name: str, *, integer: bool = False,
               low: float | None = None, high: float | None = None) -> float | None:
    if get(args, i) is None:
        return None
    return number(fn, args, i, name, integer=integer, low=low, high=high)


def boolean(fn: str, args: list[Any], i: int, name: str) -> bool:
    v = get(args, i)
    if not isinstance(v, bool):
        raise HostTypeError(f"{fn}(): parameter '{name}' must be a boolean, got {describe(v)}")
    return v


def obj(fn: str, args: list[Any], i: int, name: str) -> dict[str, Any]:
    v = get(args, i)
    if not isinstance(v, dict) or BYTES_KEY in v:
        raise HostTypeError(f"{fn}(): parameter '{name}' must be an object, got {describe(v)}")
    return v


def opt_obj(fn: str, args: list[Any], i: int, name: str) -> dict[str, Any]:
    if get(args, i) is None:
        return {}
    return obj(fn, args, i, name)


def array(fn: str, args: list[Any], i: int, name: str) -> list[Any]:
    v = get(args, i)
    if not isinstance(v, list):
        raise HostTypeError(f"{fn}(): parameter '{name}' must be an array, got {describe(v)}")
    return v


def data(fn: str, args: list[Any], i: int, name: str, *, max_len: int = MAX_STRING) -> bytes:
    """A `string | Uint8Array` parameter as bytes (strings as UTF-8)."""
    v = get(args, i)
    if isinstance(v, str):
        if len(v) > max_len:
            raise HostRangeError(f"{fn}(): parameter '{name}' is longer than {max_len} characters")
        return v.encode("utf-8", "surrogatepass")
    if isinstance(v, dict) and isinstance(v.get(BYTES_KEY), str) and len(v) == 1:
        raw = v[BYTES_KEY]
        if len(raw) > max_len:
            raise HostRangeError(f"{fn}(): parameter '{name}' is longer than {max_len} bytes")
        try:
            return raw.encode("latin-1")
        except UnicodeEncodeError:
            pass
    raise HostTypeError(f"{fn}(): parameter '{name}' must be a string or a Uint8Array, got {describe(v)}")


def field(fn: str, options: dict[str, Any], key: str, kinds: type | tuple[type, ...], what: str,
          param: str = "options") -> Any:
    """An optional member of an options object, type-checked."""
    v = options.get(key)
    if v is None:
        return None
    if isinstance(v, bool) and bool not in (kinds if isinstance(kinds, tuple) else (kinds,)):
        raise HostTypeError(f"{fn}(): {param}.{key} must be {what}, got {describe(v)}")
    if not isinstance(v, kinds):
        raise HostTypeError(f"{fn}(): {param}.{key} must be {what}, got {describe(v)}")
    return v


def describe(v: Any) -> str:
    if v is None:
        return "undefined"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int | float):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "a Uint8Array" if BYTES_KEY in v else "an object"
    return type(v).__name__


def _n(v: float | None) -> str:
    if v is None:
        return "…"
    return str(int(v)) if float(v).is_integer() else str(v)


def drop_none(value: Any) -> Any:
    """Objects lose their None members (the subset has no null); arrays keep their length."""
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_none(v) for v in value]
    return value


def group_pairs(fn: str, text: str, max_fields: int) -> dict[str, Any]:
    """Form/query text as an object; a repeated key collects its values in a list."""
    out: dict[str, Any] = {}
    try:
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=max_fields)
    except ValueError:
        raise HostRangeError(f"{fn}(): more than {max_fields} fields") from None
    for k, v in pairs:
        if k in out:
            prev = out[k]
            out[k] = [*prev, v] if isinstance(prev, list) else [prev, v]
        else:
            out[k] = v
    return out
