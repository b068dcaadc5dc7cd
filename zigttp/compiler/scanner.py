"""Hand-written, on-demand scanner.

The parser owns the current token and asks for the next one; context-dependent
tokens (regular expressions, template continuations, `>>`-style operators, JSX
text and names) are produced by explicit re-scan calls, the way the TypeScript
scanner does it. Each scan returns a plain tuple

    (kind, value, start, end, newline_before)

where `kind` is the punctuator or keyword text itself ("(", "const"), or one of
the names below. Compiled regular expressions match whole tokens at a position
(never one character at a time).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from zigttp.compiler import codes as _table
from zigttp.compiler import diagnostics as codes

EOF = "eof"
IDENT = "ident"
NUMBER = "number"
BIGINT = "bigint"
STRING = "string"
TEMPLATE = "template"  # no-substitution template `...`
TEMPLATE_HEAD = "template_head"  # `...${
TEMPLATE_MIDDLE = "template_middle"  # }...${
TEMPLATE_TAIL = "template_tail"  # }...`
REGEX = "regex"
PRIVATE_NAME = "private_name"
JSX_TEXT = "jsx_text"
ERROR_TOKEN = "error_token"

Token = tuple[str, object, int, int, bool]
Reporter = Callable[[str, str, int, int], None]

KEYWORDS = frozenset(
    {
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "new",
        "null",
        "return",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
    }
)

_TRIVIA = re.compile(
    r"(?:[ \t\n\r\f\v\u00a0\ufeff\u2028\u2029\u1680\u2000-\u200a\u202f\u205f\u3000]+"
    r"|//[^\n\r\u2028\u2029]*|/\*[\s\S]*?\*/)*"
)
_IDENT = re.compile(r"(?:[^\W\d]|\$)[\w$\u200c\u200d]*")
_NUMBER = re.compile(
    r"0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*n?"
    r"|0[oO][0-7](?:_?[0-7])*n?"
    r"|0[bB][01](?:_?[01])*n?"
    r"|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?n?"
)
_IDENT_TAIL = re.compile(r"[\w$]+")
_SIMPLE_STRING = {
    '"': re.compile(r'"([^"\\\n\r]*)"'),
    "'": re.compile(r"'([^'\\\n\r]*)'"),
}
_STRING_BODY = {
    '"': re.compile(r'(?:[^"\\\n\r]|\\(?:\r\n|[\s\S]))*'),
    "'": re.compile(r"(?:[^'\\\n\r]|\\(?:\r\n|[\s\S]))*"),
}
_TEMPLATE_CHUNK = re.compile(r"(?:[^`\\$]+|\\[\s\S]|\$(?!\{))*")
_REGEX_BODY = re.compile(r"(?:[^/\\\[\n\r]|\\[^\n\r]|\[(?:[^\]\\\n\r]|\\[^\n\r])*\])+")
_REGEX_FLAGS = re.compile(r"[\w$]*")
_JSX_TEXT = re.compile(r"[^<{]+")
_JSX_NAME_TAIL = re.compile(r"[\w$-]*")
_ESCAPE = re.compile(
    r"\\(?:u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(\r\n|[\n\r\u2028\u2029])|([0-7])(?![0-9])|(.)|$)",
    re.S,
)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}

# Every punctuator, as one regular expression whose alternatives are grouped by first character,
# longer forms first, so one match call finds the longest. ">" is always scanned alone; the
# parser re-scans it into ">=", ">>", ... in operator position so that `Array<Array<T>>` closes
# two type-argument lists. "?." before a digit is "?" (`a?.5:b`), "." before a digit starts a
# number, and "/*" is no punctuator (a comment the trivia pattern could not close).
_PUNCTUATOR = re.compile(
    r"[{}()\[\];,~:@>]"
    r"|\?(?:\?=?|\.(?![0-9]))?"
    r"|\.(?:\.\.|(?![0-9]))"
    r"|<(?:<=?|=)?"
    r"|=(?:==?|>)?"
    r"|!(?:==?)?"
    r"|\+[+=]?"
    r"|-[-=]?"
    r"|\*(?:\*=?|=)?"
    r"|/(?!\*)=?"
    r"|%=?"
    r"|&(?:&=?|=)?"
    r"|\|(?:\|=?|[=>])?"
    r"|\^=?"
)

# Characters that always form a one-character token (">" included, see above), and those that may begin
# whitespace or a comment (the only ones worth running the trivia regex for).
_SINGLE_PUNCTUATORS = frozenset("{}()[];,~:@>")
_TRIVIA_START = frozenset(" \t\n\r\f\v/\u00a0\ufeff\u2028\u2029\u1680\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)
# A line break and its indentation followed by a token (a character that cannot begin more trivia).
_LINE_GAP = re.compile("\n[ \t]*(?=[^" + "".join(re.escape(c) for c in sorted(_TRIVIA_START)) + "])")
# The rest of a word whose first character is an ASCII letter, "_" or "$" (cheaper than `_IDENT`).
_WORD = re.compile(r"[\w$\u200c\u200d]+")
# What may follow a "." that is not a member access dot: "..." or a number such as ".5".
_DOT_CONTINUATIONS = frozenset("0123456789.")
_GREATER_FORMS = (">>>=", ">>>", ">>=", ">>", ">=", ">")
_IDENT_START_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$")
_DIGITS = frozenset("0123456789")


def _unescape_match(m: re.Match[str]) -> str:
    brace, four, two, newline, octal, other = m.groups()
    if brace is not None:
        code = int(brace, 16)
        return chr(code) if code <= 0x10FFFF else "\ufffd"
    if four is not None:
        return chr(int(four, 16))
    if two is not None:
        return chr(int(two, 16))
    if newline is not None:
        return ""
    if octal is not None:
        return chr(int(octal, 8))
    if other is not None:
        return _SIMPLE_ESCAPES.get(other, other)
    return ""


def cook(raw: str) -> str:
    """Value of string/template text with JavaScript escapes applied."""
    if "\\" not in raw:
        return raw
    return _ESCAPE.sub(_unescape_match, raw)


class Scanner:
    """Scans one source text; `pos` is the offset just after the last token."""

    __slots__ = ("length", "pos", "report", "text")

    def __init__(self, text: str, report: Reporter) -> None:
        self.text = text
        self.length = len(text)
        self.report = report
        self.pos = 0
        if text.startswith("#!"):
            newline = text.find("\n")
            self.pos = self.length if newline < 0 else newline

    # -- main entry -------------------------------------------------------

    def scan(self) -> Token:
        text = self.text
        start = self.pos
        if start >= self.length:
            return (EOF, None, self.length, self.length, False)
        newline = False
        pos = start
        ch = text[pos]
        if ch in _TRIVIA_START:
            if ch == " " and pos + 1 < self.length and text[pos + 1] not in _TRIVIA_START:
                pos += 1  # the commonest trivia, one space between tokens, without a regex
            elif ch == "\n" and (gap := _LINE_GAP.match(text, pos)) is not None:
                pos, newline = gap.end(), True  # the next commonest: a line break and its indentation
            else:
                pos = _TRIVIA.match(text, start).end()
                newline = pos > start and (text.find("\n", start, pos) >= 0 or text.find("\r", start, pos) >= 0)
                if pos >= self.length:
                    self.pos = self.length
                    return (EOF, None, self.length, self.length, newline)
            ch = text[pos]
        if ch in _IDENT_START_ASCII:
            m = _WORD.match(text, pos)
            end = m.end()
            self.pos = end
            word = m.group()
            if word in KEYWORDS:
                return (word, word, pos, end, newline)
            return (IDENT, word, pos, end, newline)
        if ch in _SINGLE_PUNCTUATORS or (ch == "." and text[pos + 1 : pos + 2] not in _DOT_CONTINUATIONS):
            self.pos = pos + 1
            return (ch, ch, pos, pos + 1, newline)
        m = _PUNCTUATOR.match(text, pos)
        if m is not None:
            end = m.end()
            self.pos = end
            punct = m.group()
            return (punct, punct, pos, end, newline)
        return self._scan_other(pos, ch, newline)

    def _scan_other(self, pos: int, ch: str, newline: bool) -> Token:
        """Every token that is neither a word nor a punctuator."""
        text = self.text
        if ch in _DIGITS or ch == ".":  # a "." here is followed by a digit (else it is a punctuator)
            return self._scan_number(pos, newline)
        if ch == '"' or ch == "'":
            return self._scan_string(pos, ch, newline)
        if ch == "`":
            return self._scan_template(pos + 1, pos, TEMPLATE, TEMPLATE_HEAD, newline)
        if ch == "/":  # "/*" whose comment never closes (else the trivia pattern took it)
            self.report(codes.UNTERMINATED_COMMENT, _table.UNTERMINATED_COMMENT.text(), pos, self.length)
            self.pos = self.length
            return (EOF, None, self.length, self.length, True)
        if ch == "#":
            m = _IDENT.match(text, pos + 1)
            if m is not None:
                self.pos = m.end()
                return (PRIVATE_NAME, m.group(), pos, m.end(), newline)
        if ch.isidentifier() or ch == "\\":
            m = _IDENT.match(text, pos)
            if m is not None:
                self.pos = m.end()
                return (IDENT, m.group(), pos, m.end(), newline)
        self.report(codes.UNEXPECTED_CHARACTER, _table.UNEXPECTED_CHARACTER.text(char=ch), pos, pos + 1)
        self.pos = pos + 1
        return (ERROR_TOKEN, ch, pos, pos + 1, newline)

    def peek(self) -> Token:
        """The token after the current one, without moving."""
        saved = self.pos
        token = self.scan()
        self.pos = saved
        return token

    # -- literals ---------------------------------------------------------

    def _scan_number(self, pos: int, newline: bool) -> Token:
        text = self.text
        m = _NUMBER.match(text, pos)
        end = m.end()
        raw = m.group()
        tail = _IDENT_TAIL.match(text, end)
        if tail is not None:
            end = tail.end()
            self.pos = end
            self.report(codes.INVALID_NUMBER, _table.INVALID_NUMBER.text(text=text[pos:end]), pos, end)
            return (NUMBER, 0.0, pos, end, newline)
        self.pos = end
        if raw.endswith("n"):
            return (BIGINT, raw, pos, end, newline)
        digits = raw.replace("_", "")
        if len(digits) > 1 and digits[0] == "0" and digits[1] in _DIGITS:
            self.report(
                _table.LEGACY_OCTAL.code,
                _table.LEGACY_OCTAL.text(),
                pos,
                end,
            )
            return (NUMBER, 0.0, pos, end, newline)
        prefix = digits[:2].lower()
        if prefix == "0x":
            value: float = float(int(digits[2:], 16))
        elif prefix == "0o":
            value = float(int(digits[2:], 8))
        elif prefix == "0b":
            value = float(int(digits[2:], 2))
        else:
            value = float(digits)
        return (NUMBER, value, pos, end, newline)

    def _scan_string(self, pos: int, quote: str, newline: bool) -> Token:
        text = self.text
        m = _SIMPLE_STRING[quote].match(text, pos)
        if m is not None:
            end = m.end()
            self.pos = end
            return (STRING, m.group(1), pos, end, newline)
        body_end = _STRING_BODY[quote].match(text, pos + 1).end()
        if body_end < self.length and text[body_end] == quote:
            end = body_end + 1
            self.pos = end
            return (STRING, cook(text[pos + 1 : body_end]), pos, end, newline)
        self.pos = body_end
        self.report(codes.UNTERMINATED_STRING, _table.UNTERMINATED_STRING.text(), pos, body_end)
        return (STRING, cook(text[pos + 1 : body_end]), pos, body_end, newline)

    def _scan_template(self, body_start: int, start: int, whole: str, head: str, newline: bool) -> Token:
        """Scan template characters from `body_start` up to "`" or "${"."""
        text = self.text
        body_end = _TEMPLATE_CHUNK.match(text, body_start).end()
        raw = text[body_start:body_end]
        if body_end < self.length and text[body_end] == "`":
            self.pos = body_end + 1
            return (whole, raw, start, body_end + 1, newline)
        if text.startswith("${", body_end):
            self.pos = body_end + 2
            return (head, raw, start, body_end + 2, newline)
        self.pos = self.length
        self.report(codes.UNTERMINATED_TEMPLATE, _table.UNTERMINATED_TEMPLATE.text(), start, self.length)
        return (whole, raw, start, self.length, newline)

    # -- re-scans requested by the parser ----------------------------------

    def rescan_slash(self, start: int, newline: bool) -> Token:
        """Re-read a "/" or "/=" token that starts a regular expression."""
        text = self.text
        m = _REGEX_BODY.match(text, start + 1)
        body_end = m.end() if m is not None else start + 1
        if body_end < self.length and text[body_end] == "/":
            end = _REGEX_FLAGS.match(text, body_end + 1).end()
            self.pos = end
            return (REGEX, text[start:end], start, end, newline)
        self.pos = body_end
        self.report(codes.UNTERMINATED_REGEX, _table.UNTERMINATED_REGEX.text(), start, body_end)
        return (REGEX, text[start:body_end], start, body_end, newline)

    def rescan_template_continuation(self, start: int, newline: bool) -> Token:
        """Re-read the "}" that closes a template substitution."""
        return self._scan_template(start + 1, start, TEMPLATE_TAIL, TEMPLATE_MIDDLE, newline)

    def rescan_greater(self, start: int, newline: bool) -> Token:
        text = self.text
        for form in _GREATER_FORMS:
            if text.startswith(form, start):
                end = start + len(form)
                self.pos = end
                return (form, form, start, end, newline)
        raise AssertionError("rescan_greater called away from '>'")

    def scan_jsx_child(self, pos: int) -> Token:
        """Scan JSX text, "{", "<" or end of file starting exactly at `pos`."""
        text = self.text
        if pos >= self.length:
            self.pos = self.length
            return (EOF, None, self.length, self.length, False)
        ch = text[pos]
        if ch == "<" or ch == "{":
            self.pos = pos + 1
            return (ch, ch, pos, pos + 1, False)
        end = _JSX_TEXT.match(text, pos).end()
        self.pos = end
        return (JSX_TEXT, text[pos:end], pos, end, False)

    def extend_jsx_name(self, start: int, end: int, newline: bool) -> Token:
        """Extend an identifier with JSX name characters ("hx-post", "data-id")."""
        text = self.text
        if end < self.length and text[end] == "-":
            end = _JSX_NAME_TAIL.match(text, end).end()
        self.pos = end
        return (IDENT, text[start:end], start, end, newline)

    def rescan_jsx_string(self, start: int, newline: bool) -> Token:
        """JSX attribute strings have no escapes: read up to the same quote."""
        text = self.text
        quote = text[start]
        close = text.find(quote, start + 1)
        if close < 0:
            self.pos = self.length
            self.report(codes.UNTERMINATED_STRING, _table.UNTERMINATED_STRING.text(), start, self.length)
            return (STRING, text[start + 1 :], start, self.length, newline)
        self.pos = close + 1
        return (STRING, text[start + 1 : close], start, close + 1, newline)
