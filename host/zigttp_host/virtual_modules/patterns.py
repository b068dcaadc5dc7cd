"""Handler-supplied regular expressions (JSON Schema `pattern`, `patternProperties`, format `regex`) on RE2.

A pattern comes from the handler and the text it is matched against comes
from the client, so a backtracking engine lets one request hold a thread (and
the GIL) for as long as the pattern makes it: `^(a|aa)+$` against forty
`a`s and a `!` takes seconds. RE2 matches in time linear in the text and
releases the GIL while it does. It cannot do what needs backtracking
(lookaround, backreferences): those are refused when the schema is
compiled, naming the construct, rather than answered some other way.

JSON Schema patterns are ECMAScript regular expressions; `translate` turns one
into RE2 syntax where the two disagree (`.` and `\\s` cover every ECMAScript
line terminator and space, `\\uXXXX`, `\\cX`, `[^]`, `(?<name>`, `[\\b]`, a
literal `[` inside a class) and refuses what RE2 cannot run. The verifier
calls `problem()` on literal schemas so `zigttp verify` reports the same
refusal before the handler is ever served.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

# RE2's own limit on a counted repetition ({n,m} with n or m above it fails to compile).
MAX_REPEAT = 1000
CACHE_SIZE = 1024
# A format "regex" instance comes from the client: it is checked, never cached, and bounded.
MAX_INSTANCE_PATTERN = 16 << 10

# ECMAScript's `.` excludes exactly these line terminators; RE2's `.` only \n.
_DOT = r"[^\n\r\x{2028}\x{2029}]"
# ECMAScript's \s: WhiteSpace (tab, VT, FF, space, NBSP, ZWNBSP, every Zs) and LineTerminator.
_SPACE_ITEMS = r"\t\n\v\f\r\p{Zs}\x{feff}\x{2028}\x{2029}"
_ANY = r"[\x{0}-\x{10ffff}]"
_NOTHING = r"[^\x{0}-\x{10ffff}]"
_SYNTAX = set("^$\\.*+?()[]{}|/")
_HEX = set("0123456789abcdefABCDEF")
# `\p{Script=Greek}` and friends: RE2 names scripts and general categories directly.
_RANGE_PROPERTIES = {("p", "Any"): r"\x{0}-\x{10ffff}", ("P", "Any"): "",
                     ("p", "ASCII"): r"\x{0}-\x{7f}", ("P", "ASCII"): r"\x{80}-\x{10ffff}"}
_PROPERTY_PREFIXES = ("Script=", "sc=", "Script_Extensions=", "scx=", "General_Category=", "gc=")
# ECMAScript also spells general categories out; RE2 knows only the short names.
_CATEGORY_NAMES = {
    "Letter": "L", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll", "Titlecase_Letter": "Lt",
    "Modifier_Letter": "Lm", "Other_Letter": "Lo", "Mark": "M", "Combining_Mark": "M", "Nonspacing_Mark": "Mn",
    "Spacing_Mark": "Mc", "Enclosing_Mark": "Me", "Number": "N", "Decimal_Number": "Nd", "digit": "Nd",
    "Letter_Number": "Nl", "Other_Number": "No", "Punctuation": "P", "punct": "P", "Connector_Punctuation": "Pc",
    "Dash_Punctuation": "Pd", "Open_Punctuation": "Ps", "Close_Punctuation": "Pe", "Initial_Punctuation": "Pi",
    "Final_Punctuation": "Pf", "Other_Punctuation": "Po", "Symbol": "S", "Math_Symbol": "Sm",
    "Currency_Symbol": "Sc", "Modifier_Symbol": "Sk", "Other_Symbol": "So", "Separator": "Z",
    "Space_Separator": "Zs", "Line_Separator": "Zl", "Paragraph_Separator": "Zp", "Other": "C", "Control": "Cc",
    "cntrl": "Cc", "Format": "Cf", "Surrogate": "Cs", "Private_Use": "Co", "Unassigned": "Cn",
}


class PatternError(ValueError):
    """Why a pattern cannot run: `unsupported` (valid ECMAScript RE2 cannot run) or invalid syntax."""

    def __init__(self, reason: str, *, unsupported: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unsupported = unsupported


def _unsupported(what: str, construct: str) -> PatternError:
    return PatternError(f"uses {what} '{construct}', which the linear-time pattern engine does not support",
                        unsupported=True)


def _invalid(why: str) -> PatternError:
    return PatternError(f"is not a valid regular expression: {why}", unsupported=False)


class _Translator:
    """One left-to-right pass over an ECMAScript pattern, writing RE2 syntax."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.out: list[str] = []
        self.depth = 0

    def run(self) -> str:
        p = self.p
        while self.i < len(p):
            c = p[self.i]
            if c == "\\":
                self.out.append(self._escape(in_class=False))
            elif c == "[":
                self.out.append(self._class())
            elif c == "(":
                self._group()
            elif c == ")":
                self.depth -= 1
                if self.depth < 0:
                    raise _invalid("unmatched ')'")
                self.out.append(")")
                self.i += 1
            elif c == ".":
                self.out.append(_DOT)
                self.i += 1
            elif c == "{":
                self._brace()
            elif c in "]}":
                self.out.append("\\" + c)  # Annex B: a lone ] or } is itself
                self.i += 1
            else:
                self.out.append(c)
                self.i += 1
        if self.depth:
            raise _invalid("missing ')'")
        return "".join(self.out)

    def _group(self) -> None:
        p, i = self.p, self.i
        for prefix, what in (("(?<=", "a lookbehind"), ("(?<!", "a negative lookbehind"),
                             ("(?=", "a lookahead"), ("(?!", "a negative lookahead")):
            if p.startswith(prefix, i):
                raise _unsupported(what, prefix)
        self.depth += 1
        if p.startswith("(?<", i):
            end = p.find(">", i + 3)
            name = p[i + 3:end] if end > 0 else ""
            if not name.replace("_", "a").replace("$", "a").isalnum():
                raise _invalid(f"bad group name at offset {i}")
            self.out.append(f"(?P<{name}>")
            self.i = end + 1
        elif p.startswith("(?:", i):
            self.out.append("(?:")
            self.i = i + 3
        elif p.startswith("(?", i):
            end = p.find(":", i)
            raise _unsupported("an inline modifier group", p[i:end + 1] if 0 < end < i + 8 else "(?")
        else:
            self.out.append("(")
            self.i = i + 1

    def _brace(self) -> None:
        """A counted repetition passes through (bounded by RE2's limit); any other `{` is a literal."""
        p, i = self.p, self.i
        end = p.find("}", i)
        body = p[i + 1:end] if end > 0 else ""
        lo, comma, hi = body.partition(",")
        if lo.isdigit() and (hi.isdigit() or hi == "") and (comma or not hi):
            if int(lo) > MAX_REPEAT or (hi and int(hi) > MAX_REPEAT):
                raise _unsupported(f"a repetition count above {MAX_REPEAT}", "{" + body + "}")
            if hi and int(hi) < int(lo):
                raise _invalid(f"numbers out of order in {{{body}}} quantifier")
            self.out.append("{" + body + "}")
            self.i = end + 1
        else:
            self.out.append("\\{")
            self.i = i + 1

    def _class(self) -> str:
        p = self.p
        start = self.i
        self.i += 1
        negated = p.startswith("^", self.i)
        if negated:
            self.i += 1
        items: list[str] = []
        while True:
            if self.i >= len(p):
                raise _invalid(f"missing ']' for the class at offset {start}")
            c = p[self.i]
            if c == "]":
                self.i += 1
                break
            if c == "\\":
                items.append(self._escape(in_class=True))
            elif c in "[^":
                items.append("\\" + c)  # `[[:alpha:]]` is a POSIX class in RE2, a `[` and letters in ECMAScript
                self.i += 1
            else:
                items.append(c)
                self.i += 1
        if not items:
            return _ANY if negated else _NOTHING  # `[^]` is any character, `[]` none
        return ("[^" if negated else "[") + "".join(items) + "]"

    def _escape(self, *, in_class: bool) -> str:
        p = self.p
        if self.i + 1 >= len(p):
            raise _invalid("\\ at end of pattern")
        c = p[self.i + 1]
        self.i += 2
        if c in "dDwW":
            return "\\" + c
        if c == "s":
            return _SPACE_ITEMS if in_class else f"[{_SPACE_ITEMS}]"
        if c == "S":
            # Inside a class RE2's \S (ASCII whitespace) is the closest it can say.
            return "\\S" if in_class else f"[^{_SPACE_ITEMS}]"
        if c in "bB":
            return "\\x08" if in_class and c == "b" else ("\\" + c)
        if c in "tnvfr":
            return "\\" + c
        if c.isdigit():
            return self._digit_escape(c, in_class)
        if c == "k" and p.startswith("<", self.i):
            end = p.find(">", self.i)
            raise _unsupported("a named backreference", p[self.i - 2:end + 1] if end > 0 else "\\k<")
        if c == "c":
            return self._control()
        if c == "x":
            return self._hex(2)
        if c == "u":
            return self._unicode()
        if c in "pP":
            return self._property(c, in_class)
        return _literal(c)

    def _digit_escape(self, c: str, in_class: bool) -> str:
        if c == "0" and not (self.i < len(self.p) and self.p[self.i].isdigit()):
            return "\\x00"
        if not in_class and c != "0":
            j = self.i
            while j < len(self.p) and self.p[j].isdigit():
                j += 1
            raise _unsupported("a backreference", "\\" + self.p[self.i - 1:j])
        raise _unsupported("a legacy octal escape", "\\" + c)

    def _control(self) -> str:
        p = self.p
        if self.i < len(p) and p[self.i].isascii() and p[self.i].isalpha():
            code = ord(p[self.i]) % 32
            self.i += 1
            return f"\\x{{{code:x}}}"
        return "\\\\c"  # Annex B: `\c` not followed by a letter is a backslash and a c

    def _hex(self, n: int) -> str:
        digits = self.p[self.i:self.i + n]
        if len(digits) == n and set(digits) <= _HEX:
            self.i += n
            return f"\\x{{{digits}}}"
        return "x"  # Annex B: `\x` without two hex digits is the letter

    def _unicode(self) -> str:
        p = self.p
        if p.startswith("{", self.i):
            end = p.find("}", self.i)
            digits = p[self.i + 1:end] if end > 0 else ""
            if digits and set(digits) <= _HEX and int(digits, 16) <= 0x10FFFF:
                self.i = end + 1
                return _code_point(int(digits, 16))
            raise _invalid(f"bad \\u{{...}} escape at offset {self.i - 2}")
        digits = p[self.i:self.i + 4]
        if len(digits) < 4 or not set(digits) <= _HEX:
            return "u"
        self.i += 4
        code = int(digits, 16)
        if 0xD800 <= code <= 0xDBFF and p.startswith("\\u", self.i):
            low = p[self.i + 2:self.i + 6]
            if len(low) == 4 and set(low) <= _HEX and 0xDC00 <= int(low, 16) <= 0xDFFF:
                self.i += 6
                return _code_point(0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00))
        if 0xD800 <= code <= 0xDFFF:
            raise _unsupported("a lone surrogate escape", "\\u" + digits)
        return _code_point(code)

    def _property(self, c: str, in_class: bool) -> str:
        p = self.p
        end = p.find("}", self.i)
        if not p.startswith("{", self.i) or end < 0:
            return c  # Annex B: `\p` without braces is the letter
        name = p[self.i + 1:end]
        self.i = end + 1
        for prefix in _PROPERTY_PREFIXES:
            if name.startswith(prefix):
                name = name[len(prefix):]
        if not name.replace("_", "a").isalnum():
            raise _invalid(f"bad property name {name!r}")
        ranges = _RANGE_PROPERTIES.get((c, name))
        if ranges is not None:  # RE2 has no name for these: spelled as ranges
            return ranges if in_class else f"[{ranges}]" if ranges else _NOTHING
        return f"\\{c}{{{_CATEGORY_NAMES.get(name, name)}}}"


def _code_point(code: int) -> str:
    return f"\\x{{{code:x}}}"


def _literal(c: str) -> str:
    """An identity escape: the character itself, escaped when RE2 would read it as syntax."""
    if c in _SYNTAX or c == "-":
        return "\\" + c
    if c.isascii() and not c.isalnum():
        return "\\" + c if c.isprintable() and c != " " else _code_point(ord(c))
    return c


def translate(pattern: str) -> str:
    """The RE2 spelling of an ECMAScript pattern; PatternError when RE2 cannot run it."""
    return _Translator(pattern).run()


def _options() -> Any:
    import re2

    options = re2.Options()
    options.never_capture = True  # only "does it match" is asked: no group bookkeeping
    options.log_errors = False  # RE2 would print its complaint to stderr
    return options


def _compile(pattern: str) -> Any:
    import re2

    translated = translate(pattern)
    try:
        return re2.compile(translated, _options())
    except re2.error as e:
        raise _engine_error(e) from None


def _engine_error(e: Exception) -> PatternError:
    why = e.args[0] if e.args else ""
    why = why.decode("utf-8", "replace") if isinstance(why, bytes) else str(why)
    what, _, construct = why.partition(": ")
    if what in ("pattern too large - compile failed", "invalid repetition size"):
        return _unsupported("a repetition larger than the engine's limit", construct or "{...}")
    if what == "invalid character class range" and construct.startswith(("\\p", "\\P")):
        return _unsupported("a Unicode property", construct)
    return _invalid(why or "rejected by the pattern engine")


class _Cache:
    """Compiled patterns (or why they cannot compile), by pattern text; the oldest go first past the limit.

    A hit is one dict lookup, without the lock (a dict read is atomic): it
    runs for every string a schema pattern applies to.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lock = threading.Lock()
        self.items: dict[str, Any] = {}

    def get(self, pattern: str) -> Any:
        found = self.items.get(pattern)
        if found is not None:
            return found
        try:
            found = _tester(_compile(pattern))
        except PatternError as e:
            found = e
        with self.lock:
            self.items[pattern] = found
            while len(self.items) > self.limit:
                del self.items[next(iter(self.items))]
        return found


_CACHE = _Cache(CACHE_SIZE)


def _tester(regexp: Any) -> Callable[[bytes], bool]:
    """`regexp.search(data) is not None`, through RE2's Match directly when the binding offers it.

    The binding's search() is a Python generator around Match (3 µs a call
    against 0.8 µs): it matters, as a schema pattern runs for every string
    it applies to. Match releases the GIL while RE2 runs.
    """
    import re2

    match = getattr(getattr(regexp, "_regexp", None), "Match", None)
    unanchored = getattr(getattr(re2, "_Anchor", None), "UNANCHORED", None)
    if match is None or unanchored is None:
        return lambda data: regexp.search(data) is not None
    return lambda data: match(unanchored, data, 0, len(data))[0][0] >= 0


def compiled(pattern: str) -> Callable[[bytes], bool]:
    """Whether UTF-8 text matches a handler's pattern (compiled once, cached); PatternError when it cannot run."""
    found = _CACHE.get(pattern)
    if isinstance(found, PatternError):
        raise found
    return found  # type: ignore[no-any-return]


def problem(pattern: str) -> PatternError | None:
    """Why a handler's pattern cannot run (None: it can)."""
    found = _CACHE.get(pattern)
    return found if isinstance(found, PatternError) else None


def search(pattern: str, text: str) -> bool:
    """ECMAScript `new RegExp(pattern, "u").test(text)`, in time linear in `text`."""
    found = _CACHE.items.get(pattern) or _CACHE.get(pattern)  # compiled() inlined: this is the hot path
    if isinstance(found, PatternError):
        raise found
    # A lone surrogate (legal in a JS string) passes through as its three bytes.
    return found(text.encode("utf-8", "surrogatepass"))  # type: ignore[no-any-return]


def is_valid_ecmascript(text: str) -> bool:
    """Format "regex": is `text` (client data) a valid ECMAScript pattern? Never cached."""
    if len(text) > MAX_INSTANCE_PATTERN:
        return False
    try:
        _compile(text)
    except PatternError as e:
        return e.unsupported  # valid ECMAScript that RE2 cannot run is still a regex
    return True


# ---------- where a schema keeps its patterns ----------

# Keywords whose value is a schema, an array of schemas, or an object of schemas.
_ONE = ("additionalProperties", "items", "contains", "not", "if", "then", "else", "propertyNames",
        "unevaluatedItems", "unevaluatedProperties", "additionalItems", "contentSchema")
_MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
_NAMED = ("properties", "$defs", "definitions", "dependentSchemas")
_MAX_DEPTH = 256


def _pointer(parts: tuple[str, ...]) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def schema_patterns(schema: Any) -> Iterator[tuple[str, str]]:
    """Every (JSON pointer, pattern) a schema evaluates: `pattern`, `patternProperties` keys.

    Only schema positions are visited, so data inside `const`, `enum`,
    `default` or `examples` that happens to have a "pattern" member is not.
    """
    stack: list[tuple[Any, tuple[str, ...]]] = [(schema, ())]
    while stack:
        node, at = stack.pop()
        if not isinstance(node, dict) or len(at) > _MAX_DEPTH:
            continue
        if isinstance(node.get("pattern"), str):
            yield _pointer((*at, "pattern")), node["pattern"]
        pattern_props = node.get("patternProperties")
        if isinstance(pattern_props, dict):
            for key, sub in pattern_props.items():
                yield _pointer((*at, "patternProperties", key)), key
                stack.append((sub, (*at, "patternProperties", key)))
        for kw in _ONE:
            if kw in node:
                stack.append((node[kw], (*at, kw)))
        for kw in _MANY:
            if isinstance(node.get(kw), list):
                stack.extend((sub, (*at, kw, str(n))) for n, sub in enumerate(node[kw]))
        if isinstance(node.get("items"), list):  # draft 4-7 tuple form
            stack.extend((sub, (*at, "items", str(n))) for n, sub in enumerate(node["items"]))
        for kw in (*_NAMED, "dependencies"):
            if isinstance(node.get(kw), dict):
                stack.extend((sub, (*at, kw, name)) for name, sub in node[kw].items())


def schema_problems(schema: Any) -> Iterator[tuple[str, PatternError]]:
    """(JSON pointer, why) for every pattern in the schema the engine cannot run, in document order."""
    found = [(where, p) for where, p in schema_patterns(schema)]
    found.sort(key=lambda item: item[0])
    for where, pattern in found:
        error = problem(pattern)
        if error is not None:
            yield where, error
