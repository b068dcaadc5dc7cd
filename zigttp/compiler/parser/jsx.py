"""JSX elements, fragments, names, attributes and children."""

from __future__ import annotations

import html

from zigttp.compiler import ast as A
from zigttp.compiler import codes as table
from zigttp.compiler.codes import Rejected as R
from zigttp.compiler.diagnostics import make_diagnostic
from zigttp.compiler.parser.core import (
    ParserCore,
)
from zigttp.compiler.scanner import (
    EOF,
    IDENT,
    JSX_TEXT,
    STRING,
)


def _is_intrinsic_tag(name: str) -> bool:
    return "." not in name and (name[0].islower() or "-" in name or ":" in name)


def normalize_jsx_text(text: str) -> str:
    """JSX whitespace rules (as Babel/React): trim line edges, join lines with a space."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    last_non_empty = 0  # as Babel: a whitespace-only single line keeps no trailing extra space
    for index, line in enumerate(lines):
        if line.strip(" \t"):
            last_non_empty = index
    parts: list[str] = []
    last = len(lines) - 1
    for index, line in enumerate(lines):
        piece = line.replace("\t", " ")
        if index != 0:
            piece = piece.lstrip(" ")
        if index != last:
            piece = piece.rstrip(" ")
        if piece:
            if index != last_non_empty:
                piece += " "
            parts.append(piece)
    result = "".join(parts)
    if "&" in result:
        result = html.unescape(result)
    return result


class JsxParser(ParserCore):
    def parse_angle_primary(self, start: int, arrow_ok: bool) -> A.Expression:
        if self.jsx:
            if self.ts and arrow_ok:
                follower, _follower_value, _, _, _ = self.peek()
                if follower == IDENT:
                    arrow = self.try_generic_arrow(start)
                    if arrow is not None:
                        return arrow
            element = self.parse_jsx_root()
            return element
        if not self.ts:
            self.reject(R.JSX_IN_NON_JSX, start, self.end)
            return self.parse_jsx_root()
        raise self.expected(table.EXPECTED_EXPRESSION, "an expression")

    def parse_jsx_root(self) -> A.Expression:
        start = self.start
        self.next()
        element = self.parse_jsx_element(start)
        self.next()
        return element

    def parse_jsx_name(self) -> tuple[str, int]:
        if not self.is_word():
            raise self.expected(table.EXPECTED_JSX_NAME, "a JSX tag name")
        self.set_token(self.scanner.extend_jsx_name(self.start, self.end, self.nl))
        name = str(self.value)
        name_start = self.start
        self.next()
        if self.kind == ":":
            self.next()
            if not self.is_word():
                raise self.expected(table.EXPECTED_JSX_NAME, "a JSX name")
            self.set_token(self.scanner.extend_jsx_name(self.start, self.end, self.nl))
            name = f"{name}:{self.value}"
            self.next()
        else:
            while self.kind == ".":
                self.next()
                if not self.is_word():
                    raise self.expected(table.EXPECTED_JSX_NAME, "a JSX name")
                name = f"{name}.{self.value}"
                self.next()
        return name, name_start

    def jsx_component(self, name: str, start: int) -> A.Expression:
        parts = name.split(".")
        self.value_references.add(parts[0])
        offset = start
        expression: A.Expression = A.Identifier(self.file, offset, offset + len(parts[0]), parts[0])
        offset += len(parts[0])
        for part in parts[1:]:
            offset += 1
            expression = A.Member(self.file, start, offset + len(part), expression, part, offset, False)
            offset += len(part)
        return expression

    def parse_jsx_element(self, start: int) -> A.JSXElement:
        """Current token follows "<"; returns with the closing ">" as current token."""
        self.enter(R.EXPRESSION_NESTING)
        file = self.file
        if self.kind == ">":
            children = self.parse_jsx_children(start, "")
            if self.kind != ">":
                self.reject(R.MISMATCHED_JSX, self.start, self.end)
                raise self.expected(table.EXPECTED_TOKEN, "'>'")
            self.depth -= 1
            return A.JSXElement(file, start, self.end, None, None, [], children)
        name, name_start = self.parse_jsx_name()
        intrinsic = _is_intrinsic_tag(name)
        component = None if intrinsic else self.jsx_component(name, name_start)
        if self.kind == "<" and self.ts:
            self.parse_type_arguments()
        attributes: list[A.Node] = []
        while True:
            kind = self.kind
            if kind == "/":
                self.next()
                if self.kind != ">":
                    raise self.expected(table.EXPECTED_TOKEN, "'>'")
                self.depth -= 1
                return A.JSXElement(file, start, self.end, name if intrinsic else None, component, attributes, [])
            if kind == ">":
                break
            attribute_start = self.start
            if kind == "{":
                self.next()
                if self.kind != "...":
                    raise self.fail_with(table.EXPECTED_JSX_SPREAD)
                self.next()
                argument = self.parse_assign()
                if self.kind != "}":
                    raise self.expected(table.EXPECTED_TOKEN, "'}'")
                self.next()
                attributes.append(A.JSXSpreadAttribute(file, attribute_start, self.prev_end, argument))
                continue
            if not self.is_word():
                if kind == EOF:
                    raise self.fail_with(table.UNCLOSED_JSX_ELEMENT, start, start + 1, label=f"<{name}>")
                raise self.fail_with(table.INVALID_JSX_ATTRIBUTE, found=self.token_text())
            attribute_name, _ = self.parse_jsx_name()
            value: A.Expression | None = None
            if self.kind == "=":
                self.next()
                if self.kind == "{":  # inline: nested expressions stay one Python frame per level
                    self.next()
                    if self.kind == "}":
                        raise self.fail_with(table.JSX_EXPRESSION_EXPECTED)
                    value = self.parse_assign()
                    if self.kind != "}":
                        raise self.expected(table.EXPECTED_TOKEN, "'}'")
                    self.next()
                else:
                    value = self.parse_jsx_attribute_value()
            attributes.append(A.JSXAttribute(file, attribute_start, self.prev_end, attribute_name, value))
        children = self.parse_jsx_children(start, name)
        closing_start = self.start
        closing_name, _ = self.parse_jsx_name() if self.kind != ">" else ("", 0)
        if closing_name != name:
            self.diagnostics.append(
                make_diagnostic(file, closing_start, self.prev_end, table.MISMATCHED_JSX_TAG.code,
                                table.MISMATCHED_JSX_TAG.text(name=name))
            )
        if self.kind != ">":
            raise self.expected(table.EXPECTED_TOKEN, "'>'")
        self.depth -= 1
        return A.JSXElement(file, start, self.end, name if intrinsic else None, component, attributes, children)

    def parse_jsx_attribute_value(self) -> A.Expression:
        """After `name=`: a string or an element (`{expression}` is read by the caller)."""
        file = self.file
        value: A.Expression
        if self.kind == STRING:
            self.set_token(self.scanner.rescan_jsx_string(self.start, self.nl))
            text = str(self.value)
            if "&" in text:
                text = html.unescape(text)
            value = A.StringLiteral(file, self.start, self.end, text, self.text[self.start : self.end])
            self.next()
        elif self.kind == "<":
            element_start = self.start
            self.next()
            value = self.parse_jsx_element(element_start)
            self.next()
        else:
            raise self.fail_with(table.INVALID_JSX_ATTRIBUTE_VALUE, found=self.token_text())
        return value

    def parse_jsx_children(self, start: int, name: str) -> list[A.Expression]:
        """Current token is the ">" of the opening tag; stops after "</"."""
        file = self.file
        scanner = self.scanner
        children: list[A.Expression] = []
        self.set_token(scanner.scan_jsx_child(self.end))
        while True:
            kind = self.kind
            if kind == JSX_TEXT:
                raw = str(self.value)
                text = normalize_jsx_text(raw)
                if text:
                    # Span starts at the first visible character (what runtime errors should point at).
                    first = self.start + len(raw) - len(raw.lstrip())
                    children.append(A.JSXText(file, first, self.end, text))
                self.set_token(scanner.scan_jsx_child(self.end))
            elif kind == "{":
                container_start = self.start
                self.next()
                if self.kind == "}":
                    children.append(A.JSXExpressionContainer(file, container_start, self.end, None))
                else:
                    if self.kind == "...":
                        spread_start = self.start
                        self.next()
                        inner = self.parse_expression()
                        expression: A.Expression = A.Spread(file, spread_start, self.prev_end, inner)
                    else:
                        expression = self.parse_expression()
                    if self.kind != "}":
                        raise self.expected(table.EXPECTED_TOKEN, "'}'")
                    children.append(A.JSXExpressionContainer(file, container_start, self.end, expression))
                self.set_token(scanner.scan_jsx_child(self.end))
            elif kind == "<":
                child_start = self.start
                self.next()
                if self.kind == "/":
                    self.next()
                    return children
                children.append(self.parse_jsx_element(child_start))
                self.set_token(scanner.scan_jsx_child(self.end))
            else:
                label = f"<{name}>" if name else "<>"
                raise self.fail_with(table.UNCLOSED_JSX_ELEMENT, start, start + 1, label=label)
