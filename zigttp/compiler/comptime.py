"""`comptime(expr)`: load-time constant folding (upstream §3.7).

Evaluates a small, deterministic subset of JavaScript in Python and returns the
value together with its JavaScript literal. Anything that is not a compile-time
constant (variables, non-whitelisted calls, `Date.now`, `Math.random`) is a
ZTS044 diagnostic at the offending node.
"""

from __future__ import annotations

import datetime
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass

from zigttp.compiler import ast as A
from zigttp.compiler.codes import ComptimeFailure as F
from zigttp.compiler.codes import Rule

MAX_LITERAL_BYTES = 8 * 1024
MAX_DEPTH = 64
VERSION = "0.1.0"


class _Undefined:
    __slots__ = ()

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = _Undefined()


@dataclass(frozen=True, slots=True)
class ComptimeError:
    node: A.Node
    rule: Rule  # a ComptimeFailure
    values: dict[str, object]  # its template's parameters


class _Fail(Exception):
    def __init__(self, node: A.Node, rule: Rule, **values: object) -> None:
        super().__init__(rule.text(**values))
        self.node = node
        self.rule = rule
        self.values = values


# ------------------------------------------------------------ JS semantics


def number_to_string(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        text = f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
    return text


def to_string(value: object) -> str:
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return number_to_string(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join("" if v is None or v is UNDEFINED else to_string(v) for v in value)
    return "[object Object]"


def to_number(value: object) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if value is None:
        return 0.0
    if value is UNDEFINED:
        return math.nan
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        try:
            if text[:2].lower() in ("0x", "0o", "0b"):
                return float(int(text[2:], {"x": 16, "o": 8, "b": 2}[text[1].lower()]))
            return (
                float(text)
                if text.lower() not in ("nan", "inf", "-inf", "+inf", "infinity")
                else (math.inf if text in ("Infinity", "+Infinity") else -math.inf if text == "-Infinity" else math.nan)
            )
        except ValueError:
            return math.nan
    return math.nan


def truthy(value: object) -> bool:
    if value is UNDEFINED or value is None or value is False:
        return False
    if isinstance(value, float):
        return not (value == 0 or value != value)
    if isinstance(value, str):
        return value != ""
    return True


def to_int32(value: object) -> int:
    number = to_number(value)
    if number != number or number in (math.inf, -math.inf):
        return 0
    result = int(number) & 0xFFFFFFFF
    return result - 0x100000000 if result >= 0x80000000 else result


def type_of(value: object) -> str:
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def strict_equals(left: object, right: object) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, float) and isinstance(right, float):
        return left == right
    if type(left) is not type(right):
        return False
    if isinstance(left, (list, dict)):
        return left is right
    return left == right


def fnv1a(text: str) -> str:
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value ^= byte
        value = (value * 0x01000193) & 0xFFFFFFFF
    return f"{value:08x}"


def js_parse_int(text: object, radix: object = UNDEFINED) -> float:
    source = to_string(text).strip()
    sign = 1
    if source[:1] in "+-" and source:
        sign = -1 if source[0] == "-" else 1
        source = source[1:]
    base = 10 if radix is UNDEFINED else int(to_number(radix))
    if (radix is UNDEFINED or base == 16) and source[:2].lower() == "0x":
        base = 16
        source = source[2:]
    if base == 0:
        base = 10
    if base < 2 or base > 36:
        return math.nan
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"[:base]
    end = 0
    while end < len(source) and source[end].lower() in digits:
        end += 1
    if end == 0:
        return math.nan
    return float(sign * int(source[:end], base))


def js_parse_float(text: object) -> float:
    source = to_string(text).strip()
    best = math.nan
    for end in range(len(source), 0, -1):
        try:
            best = float(source[:end])
            if source[:end].lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
                continue
            return best
        except ValueError:
            continue
    if source.startswith(("Infinity", "+Infinity")):
        return math.inf
    if source.startswith("-Infinity"):
        return -math.inf
    return math.nan


def from_json(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, dict):
        return {k: from_json(v) for k, v in value.items()}
    return value


def to_json_text(value: object) -> str | object:
    def convert(item: object) -> object:
        if item is UNDEFINED:
            return None
        if isinstance(item, float):
            if item != item or item in (math.inf, -math.inf):
                return None
            return int(item) if item == int(item) and abs(item) < 1e21 else item
        if isinstance(item, list):
            return [None if v is UNDEFINED else convert(v) for v in item]
        if isinstance(item, dict):
            return {k: convert(v) for k, v in item.items() if v is not UNDEFINED}
        return item

    if value is UNDEFINED:
        return UNDEFINED
    return json.dumps(convert(value), separators=(",", ":"), ensure_ascii=False)


def to_literal(value: object) -> str:
    """JavaScript source for a folded value (parenthesised where context could misparse it)."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        text = number_to_string(value)
        return f"({text})" if text.startswith("-") else text
    if isinstance(value, str):
        return json.dumps(value).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if isinstance(value, list):
        return "[" + ", ".join(to_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        body = ", ".join(f"{json.dumps(k)}: {to_literal(v)}" for k, v in value.items())
        return "({" + body + "})"
    raise TypeError(f"cannot express {type(value).__name__} as a literal")


# ----------------------------------------------------------------- builtins

_MATH_CONSTANTS = {
    "PI": math.pi,
    "E": math.e,
    "LN2": math.log(2),
    "LN10": math.log(10),
    "LOG2E": 1 / math.log(2),
    "LOG10E": 1 / math.log(10),
    "SQRT2": math.sqrt(2),
    "SQRT1_2": math.sqrt(0.5),
}


def _math_round(x: float) -> float:
    return math.floor(x + 0.5) if math.isfinite(x) else x


def _safe(fn: Callable[..., float]) -> Callable[..., float]:
    def wrapper(*args: float) -> float:
        try:
            return float(fn(*args))
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.nan

    return wrapper


_MATH_FUNCTIONS: dict[str, Callable[..., float]] = {
    "abs": _safe(abs),
    "floor": _safe(math.floor),
    "ceil": _safe(math.ceil),
    "round": _safe(_math_round),
    "trunc": _safe(math.trunc),
    "sqrt": _safe(math.sqrt),
    "cbrt": _safe(lambda x: math.copysign(abs(x) ** (1 / 3), x)),
    "sign": _safe(lambda x: x if x != x else (1.0 if x > 0 else -1.0 if x < 0 else x)),
    "log": _safe(math.log),
    "log2": _safe(math.log2),
    "log10": _safe(math.log10),
    "exp": _safe(math.exp),
    "sin": _safe(math.sin),
    "cos": _safe(math.cos),
    "tan": _safe(math.tan),
    "atan": _safe(math.atan),
    "atan2": _safe(math.atan2),
    "pow": _safe(lambda a, b: a**b),
    "hypot": _safe(math.hypot),
    "min": _safe(lambda *a: min(a) if a else math.inf),
    "max": _safe(lambda *a: max(a) if a else -math.inf),
}

_FORBIDDEN_CALLS = {"Date.now", "Math.random", "performance.now"}


class _Evaluator:
    def __init__(self) -> None:
        self.depth = 0

    def eval(self, node: A.Node) -> object:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Fail(node, F.NESTING)
        try:
            kind = type(node)
            if kind is A.NumberLiteral:
                return float(node.value)  # type: ignore[attr-defined]
            if kind is A.StringLiteral:
                return node.value  # type: ignore[attr-defined]
            if kind is A.BooleanLiteral:
                return node.value  # type: ignore[attr-defined]
            if kind is A.NullLiteral:
                return None
            if kind is A.Paren:
                return self.eval(node.expression)  # type: ignore[attr-defined]
            if kind is A.Comptime:
                return node.value  # type: ignore[attr-defined]
            if kind is A.TemplateLiteral:
                parts = [node.cooked[0]]  # type: ignore[attr-defined]
                for expression, cooked in zip(node.expressions, node.cooked[1:], strict=True):  # type: ignore[attr-defined]
                    parts.append(to_string(self.eval(expression)))
                    parts.append(cooked)
                return "".join(parts)
            if kind is A.Identifier:
                return self.identifier(node)  # type: ignore[arg-type]
            if kind is A.Unary:
                return self.unary(node)  # type: ignore[arg-type]
            if kind is A.Binary:
                return self.binary(node)  # type: ignore[arg-type]
            if kind is A.Conditional:
                test = self.eval(node.test)  # type: ignore[attr-defined]
                return self.eval(node.consequent if truthy(test) else node.alternate)  # type: ignore[attr-defined]
            if kind is A.ArrayLiteral:
                items: list[object] = []
                for element in node.elements:  # type: ignore[attr-defined]
                    if type(element) is A.Spread:
                        spread = self.eval(element.argument)
                        if not isinstance(spread, list):
                            raise _Fail(element, F.ARRAY_SPREAD)
                        items.extend(spread)
                    else:
                        items.append(self.eval(element))
                return items
            if kind is A.ObjectLiteral:
                return self.object_literal(node)  # type: ignore[arg-type]
            if kind is A.Member:
                return self.member(node)  # type: ignore[arg-type]
            if kind is A.Index:
                return self.index(self.eval(node.object), self.eval(node.index), node)  # type: ignore[attr-defined]
            if kind is A.Call:
                return self.call(node)  # type: ignore[arg-type]
            raise _Fail(node, F.NOT_CONSTANT)
        finally:
            self.depth -= 1

    def identifier(self, node: A.Identifier) -> object:
        name = node.name
        if name == "undefined":
            return UNDEFINED
        if name == "NaN":
            return math.nan
        if name == "Infinity":
            return math.inf
        if name == "__BUILD_TIME__":
            return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if name == "__GIT_COMMIT__":
            return os.environ.get("ZIGTTP_GIT_COMMIT", "unknown")
        if name == "__VERSION__":
            return VERSION
        raise _Fail(node, F.UNKNOWN_VARIABLE, name=name)

    def unary(self, node: A.Unary) -> object:
        value = self.eval(node.argument)
        operator = node.operator
        if operator == "-":
            return -to_number(value)
        if operator == "+":
            return to_number(value)
        if operator == "!":
            return not truthy(value)
        if operator == "~":
            return float(~to_int32(value))
        if operator == "typeof":
            return type_of(value)
        if operator == "void":
            return UNDEFINED
        raise _Fail(node, F.OPERATOR, operator=operator)

    def binary(self, node: A.Binary) -> object:
        operator = node.operator
        left = self.eval(node.left)
        if operator == "&&":
            return self.eval(node.right) if truthy(left) else left
        if operator == "||":
            return left if truthy(left) else self.eval(node.right)
        if operator == "??":
            return self.eval(node.right) if left is None or left is UNDEFINED else left
        right = self.eval(node.right)
        if operator == "+":
            if isinstance(left, (str, list, dict)) or isinstance(right, (str, list, dict)):
                return to_string(left) + to_string(right)
            return to_number(left) + to_number(right)
        if operator in ("-", "*", "/", "%", "**"):
            a, b = to_number(left), to_number(right)
            try:
                if operator == "-":
                    return a - b
                if operator == "*":
                    return a * b
                if operator == "/":
                    if b == 0:
                        return math.nan if a == 0 or a != a else math.copysign(math.inf, a) * math.copysign(1, b)
                    return a / b
                if operator == "%":
                    return math.fmod(a, b) if b != 0 else math.nan
                return float(a**b)
            except (OverflowError, ValueError, ZeroDivisionError):
                return math.nan
        if operator == "===":
            return strict_equals(left, right)
        if operator == "!==":
            return not strict_equals(left, right)
        if operator in ("<", ">", "<=", ">="):
            if isinstance(left, str) and isinstance(right, str):
                a_cmp: object = left
                b_cmp: object = right
            else:
                a_cmp, b_cmp = to_number(left), to_number(right)
            if operator == "<":
                return a_cmp < b_cmp  # type: ignore[operator]
            if operator == ">":
                return a_cmp > b_cmp  # type: ignore[operator]
            if operator == "<=":
                return a_cmp <= b_cmp  # type: ignore[operator]
            return a_cmp >= b_cmp  # type: ignore[operator]
        if operator in ("&", "|", "^", "<<", ">>", ">>>"):
            a_int, b_int = to_int32(left), to_int32(right)
            if operator == "&":
                return float(a_int & b_int)
            if operator == "|":
                return float(to_int32(float(a_int | b_int)))
            if operator == "^":
                return float(a_int ^ b_int)
            shift = b_int & 31
            if operator == "<<":
                return float(to_int32(float((a_int << shift) & 0xFFFFFFFF)))
            if operator == ">>":
                return float(a_int >> shift)
            return float((a_int & 0xFFFFFFFF) >> shift)
        if operator == "in":
            if isinstance(right, dict):
                return to_string(left) in right
            raise _Fail(node, F.IN_NEEDS_OBJECT)
        raise _Fail(node, F.OPERATOR, operator=operator)

    def object_literal(self, node: A.ObjectLiteral) -> object:
        result: dict[str, object] = {}
        for prop in node.properties:
            if type(prop) is A.Spread:
                spread = self.eval(prop.argument)
                if isinstance(spread, dict):
                    result.update(spread)
                    continue
                raise _Fail(prop, F.OBJECT_SPREAD)
            assert isinstance(prop, A.Property)
            if prop.kind != "init":
                raise _Fail(prop, F.ACCESSOR)
            if prop.computed:
                key = to_string(self.eval(prop.key))
            elif type(prop.key) is A.Identifier:
                key = prop.key.name  # type: ignore[attr-defined]
            elif type(prop.key) is A.NumberLiteral:
                key = number_to_string(float(prop.key.value))  # type: ignore[attr-defined]
            else:
                key = prop.key.value  # type: ignore[attr-defined]
            if prop.shorthand:
                raise _Fail(prop, F.SHORTHAND_VARIABLE, name=key)
            result[key] = self.eval(prop.value)
        return result

    def qualified_name(self, node: A.Node) -> str | None:
        if type(node) is A.Identifier:
            return node.name  # type: ignore[attr-defined]
        if type(node) is A.Member:
            base = self.qualified_name(node.object)  # type: ignore[attr-defined]
            return None if base is None else f"{base}.{node.name}"  # type: ignore[attr-defined]
        return None

    def member(self, node: A.Member) -> object:
        qualified = self.qualified_name(node)
        if qualified is not None:
            if qualified in _FORBIDDEN_CALLS:
                raise _Fail(node, F.NOT_DETERMINISTIC, name=qualified)
            head, _, tail = qualified.partition(".")
            if head == "Math" and tail in _MATH_CONSTANTS:
                return _MATH_CONSTANTS[tail]
            if head == "Env" and tail and "." not in tail:
                value = os.environ.get(tail)
                return UNDEFINED if value is None else value
        target = self.eval(node.object)
        return self.index(target, node.name, node)

    def index(self, target: object, key: object, node: A.Node) -> object:
        if isinstance(target, (str, list)):
            if key == "length":
                return float(len(target))
            if isinstance(key, float) and key == int(key) and 0 <= key < len(target):
                return target[int(key)]
            return UNDEFINED
        if isinstance(target, dict):
            return target.get(to_string(key), UNDEFINED)
        raise _Fail(node, F.PROPERTY, key=to_string(key), target=to_string(target))

    def call(self, node: A.Call) -> object:
        callee = node.callee
        qualified = self.qualified_name(callee)
        if qualified in _FORBIDDEN_CALLS:
            raise _Fail(node, F.NOT_DETERMINISTIC, name=qualified)
        args = [self.eval(a) for a in node.arguments]
        if qualified is not None:
            if qualified.startswith("Math."):
                function = _MATH_FUNCTIONS.get(qualified[5:])
                if function is not None:
                    return function(*[to_number(a) for a in args])
            if qualified == "parseInt" or qualified == "Number.parseInt":
                return js_parse_int(*args[:2]) if args else math.nan
            if qualified == "parseFloat" or qualified == "Number.parseFloat":
                return js_parse_float(args[0]) if args else math.nan
            if qualified == "JSON.parse":
                try:
                    return from_json(json.loads(to_string(args[0] if args else UNDEFINED)))
                except ValueError as error:
                    raise _Fail(node, F.JSON_PARSE, error=error) from None
            if qualified == "JSON.stringify":
                return to_json_text(args[0] if args else UNDEFINED)
            if qualified == "hash":
                return fnv1a(to_string(args[0] if args else UNDEFINED))
            if qualified == "String":
                return to_string(args[0]) if args else ""
            if qualified == "Number":
                return to_number(args[0]) if args else 0.0
            if qualified == "Boolean":
                return truthy(args[0]) if args else False
            if qualified == "String.fromCharCode":
                return "".join(chr(to_int32(a) & 0xFFFF) for a in args)
        if type(callee) is A.Member:
            receiver = self.eval(callee.object)
            return self.method(receiver, callee.name, args, node)
        raise _Fail(node, F.NOT_CALLABLE, name=qualified or "this call")

    def method(self, receiver: object, name: str, args: list[object], node: A.Node) -> object:
        found: object = _NO_METHOD
        if isinstance(receiver, str):
            found = _string_method(receiver, name, args, node)
        elif isinstance(receiver, list):
            found = _list_method(receiver, name, args)
        elif isinstance(receiver, float) and name == "toFixed":
            digits = int(to_number(_arg(args, 0, 0.0)))
            return f"{receiver:.{max(0, min(digits, 100))}f}"
        elif isinstance(receiver, float) and name == "toString":
            return number_to_string(receiver)
        if found is _NO_METHOD:
            raise _Fail(node, F.METHOD, name=name)
        return found


_NO_METHOD = object()


def _arg(args: list[object], i: int, default: object = UNDEFINED) -> object:
    return args[i] if i < len(args) else default


def _position(value: object, length: int, default: int) -> int:
    """A slice index as JavaScript reads it: negative from the end, clamped to the length."""
    if value is UNDEFINED:
        return default
    number = to_number(value)
    if number != number:
        return 0
    index = int(number)
    return max(0, length + index) if index < 0 else min(index, length)


def _string_method(s: str, name: str, args: list[object], node: A.Node) -> object:
    if name == "toUpperCase":
        return s.upper()
    if name == "toLowerCase":
        return s.lower()
    if name == "trim":
        return s.strip()
    if name == "trimStart":
        return s.lstrip()
    if name == "trimEnd":
        return s.rstrip()
    if name == "includes":
        return to_string(_arg(args, 0)) in s
    if name == "startsWith":
        return s.startswith(to_string(_arg(args, 0)))
    if name == "endsWith":
        return s.endswith(to_string(_arg(args, 0)))
    if name == "indexOf":
        return float(s.find(to_string(_arg(args, 0))))
    if name == "lastIndexOf":
        return float(s.rfind(to_string(_arg(args, 0))))
    if name == "charAt":
        i = int(to_number(_arg(args, 0, 0.0)))
        return s[i] if 0 <= i < len(s) else ""
    if name == "charCodeAt":
        i = int(to_number(_arg(args, 0, 0.0)))
        return float(ord(s[i])) if 0 <= i < len(s) else math.nan
    if name == "slice":
        start = _position(_arg(args, 0), len(s), 0)
        end = _position(_arg(args, 1), len(s), len(s))
        return s[start:end]
    if name == "substring":
        first = int(to_number(_arg(args, 0))) if _arg(args, 0) is not UNDEFINED else 0
        a = min(max(first, 0), len(s))
        b = len(s) if _arg(args, 1) is UNDEFINED else min(max(int(to_number(_arg(args, 1))), 0), len(s))
        return s[min(a, b) : max(a, b)]
    if name == "repeat":
        count = int(to_number(_arg(args, 0, 0.0)))
        if count < 0 or len(s) * count > MAX_LITERAL_BYTES:
            raise _Fail(node, F.REPEAT_RANGE)
        return s * count
    if name in ("padStart", "padEnd"):
        width = int(to_number(_arg(args, 0, 0.0)))
        fill = to_string(_arg(args, 1, " "))
        if width > MAX_LITERAL_BYTES:
            raise _Fail(node, F.PAD_RANGE)
        if width <= len(s) or not fill:
            return s
        padding = (fill * width)[: width - len(s)]
        return padding + s if name == "padStart" else s + padding
    if name == "split":
        separator = _arg(args, 0)
        if separator is UNDEFINED:
            return [s]
        separator_text = to_string(separator)
        return list(s) if separator_text == "" else s.split(separator_text)
    if name == "replace":
        return s.replace(to_string(_arg(args, 0)), to_string(_arg(args, 1)), 1)
    if name == "replaceAll":
        return s.replace(to_string(_arg(args, 0)), to_string(_arg(args, 1)))
    if name == "concat":
        return s + "".join(to_string(a) for a in args)
    return _NO_METHOD


def _list_method(items: list[object], name: str, args: list[object]) -> object:
    if name == "join":
        separator = "," if _arg(args, 0) is UNDEFINED else to_string(_arg(args, 0))
        return separator.join("" if v is None or v is UNDEFINED else to_string(v) for v in items)
    if name == "includes":
        return any(strict_equals(v, _arg(args, 0)) for v in items)
    if name == "indexOf":
        for i, v in enumerate(items):
            if strict_equals(v, _arg(args, 0)):
                return float(i)
        return -1.0
    if name == "slice":
        return items[_position(_arg(args, 0), len(items), 0) : _position(_arg(args, 1), len(items), len(items))]
    if name == "concat":
        result = list(items)
        for a in args:
            result.extend(a if isinstance(a, list) else [a])
        return result
    if name == "toReversed":
        return list(reversed(items))
    return _NO_METHOD


def fold(expression: A.Expression) -> tuple[object, str] | ComptimeError:
    """Evaluate `expression`; return (value, JavaScript literal) or the error."""
    try:
        value = _Evaluator().eval(expression)
        literal = to_literal(value)
    except _Fail as failure:
        return ComptimeError(failure.node, failure.rule, failure.values)
    if len(literal.encode("utf-8")) > MAX_LITERAL_BYTES:
        return ComptimeError(expression, F.TOO_LARGE, {})
    return value, literal
