from __future__ import annotations

from zigttp.compiler import scanner as S
from zigttp.compiler.scanner import Scanner, cook


def tokens(text: str) -> list[tuple[str, object]]:
    reported: list[tuple[str, str]] = []
    scanner = Scanner(text, lambda code, message, start, end: reported.append((code, message)))
    out = []
    while True:
        kind, value, _, _, _ = scanner.scan()
        if kind == S.EOF:
            return out + [(r[0], r[1]) for r in reported]
        out.append((kind, value))


def test_identifiers_keywords_numbers_strings() -> None:
    assert tokens("const x1 = 0x1F + 1_000 + .5e1 'a\\n' \"b\"") == [
        ("const", "const"),
        (S.IDENT, "x1"),
        ("=", "="),
        (S.NUMBER, 31.0),
        ("+", "+"),
        (S.NUMBER, 1000.0),
        ("+", "+"),
        (S.NUMBER, 5.0),
        (S.STRING, "a\n"),
        (S.STRING, "b"),
    ]


def test_punctuators_longest_match_but_single_greater() -> None:
    kinds = [k for k, _ in tokens("a?.b ?? c |> d === e !== f ** g >>= h ... =>")]
    assert kinds == [
        S.IDENT,
        "?.",
        S.IDENT,
        "??",
        S.IDENT,
        "|>",
        S.IDENT,
        "===",
        S.IDENT,
        "!==",
        S.IDENT,
        "**",
        S.IDENT,
        ">",
        ">",
        "=",
        S.IDENT,
        "...",
        "=>",
    ]


def test_optional_chain_is_not_a_conditional_number() -> None:
    assert [k for k, _ in tokens("a?.5:1")] == [S.IDENT, "?", S.NUMBER, ":", S.NUMBER]


def test_comments_and_newline_flag() -> None:
    scanner = Scanner("a // one\n/* two */ b", lambda *_: None)
    assert scanner.scan()[4] is False
    kind, value, _, _, newline = scanner.scan()
    assert (kind, value, newline) == (S.IDENT, "b", True)


def test_template_parts() -> None:
    scanner = Scanner("`a${x}b${y}c`", lambda *_: None)
    head = scanner.scan()
    assert head[:2] == (S.TEMPLATE_HEAD, "a")
    assert scanner.scan()[:2] == (S.IDENT, "x")
    close = scanner.scan()
    middle = scanner.rescan_template_continuation(close[2], False)
    assert middle[:2] == (S.TEMPLATE_MIDDLE, "b")
    scanner.scan()
    close = scanner.scan()
    assert scanner.rescan_template_continuation(close[2], False)[:2] == (S.TEMPLATE_TAIL, "c")


def test_regex_rescan_and_greater_rescan() -> None:
    scanner = Scanner("/a[/]b/g >>= 1", lambda *_: None)
    slash = scanner.scan()
    assert scanner.rescan_slash(slash[2], False)[:2] == (S.REGEX, "/a[/]b/g")
    greater = scanner.scan()
    assert scanner.rescan_greater(greater[2], False)[:2] == (">>=", ">>=")


def test_scanner_errors() -> None:
    assert ("ZTS008", "unterminated string literal") in tokens("'abc\n")
    assert ("ZTS011", "unterminated comment") in tokens("a /* b")
    assert ("ZTS009", "unterminated template literal") in tokens("`abc")
    assert ("ZTS012", "invalid number literal '12abc'") in tokens("12abc")
    assert ("ZTS040", "unexpected character '\\x01'") in tokens("\x01")


def test_bigint_and_private_name_tokens() -> None:
    assert tokens("10n #x") == [(S.BIGINT, "10n"), (S.PRIVATE_NAME, "x")]


def test_cook_escapes() -> None:
    assert cook(r"\u0041\u{1F600}\x41\t\\") == "A\U0001f600A\t\\"


def test_jsx_child_scanning() -> None:
    scanner = Scanner("hello {x}</a>", lambda *_: None)
    assert scanner.scan_jsx_child(0)[:2] == (S.JSX_TEXT, "hello ")
    assert scanner.scan_jsx_child(6)[:2] == ("{", "{")
    name = Scanner("hx-post=1", lambda *_: None)
    start = name.scan()
    assert name.extend_jsx_name(start[2], start[3], False)[:2] == (S.IDENT, "hx-post")
