"""Property tests: whatever the input, the compiler only returns diagnostics.

Never an exception, never ZTS999 (an internal compiler error is a bug here).
Inputs are random token soup and random mutations of the example handlers.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zts_helpers import NODE, needs_node

from zigttp.compiler import CompileResult, Diagnostic, compile_source

EXAMPLES = sorted(Path(__file__).resolve().parents[2].glob("examples/**/*.ts*"))
EXAMPLE_TEXTS = {path: path.read_text() for path in EXAMPLES}

TOKENS = [
    # keywords and contextual words
    "const",
    "let",
    "var",
    "function",
    "return",
    "if",
    "else",
    "for",
    "of",
    "in",
    "while",
    "do",
    "break",
    "continue",
    "switch",
    "case",
    "default",
    "try",
    "catch",
    "throw",
    "class",
    "new",
    "this",
    "super",
    "null",
    "true",
    "false",
    "undefined",
    "typeof",
    "void",
    "delete",
    "import",
    "export",
    "from",
    "as",
    "type",
    "interface",
    "enum",
    "async",
    "await",
    "yield",
    "extends",
    "implements",
    "private",
    "namespace",
    "declare",
    "satisfies",
    "any",
    "readonly",
    "keyof",
    "infer",
    "is",
    "asserts",
    # dialect
    "match",
    "when",
    "_",
    "assert",
    "comptime",
    "pipe",
    "guard",
    "distinct",
    "|>",
    # identifiers and literals
    "handler",
    "req",
    "x",
    "y",
    "Response",
    "Object",
    "assign",
    "Promise",
    "0",
    "1.5",
    "0x1F",
    "1_000",
    "10n",
    "'s'",
    '"d"',
    "`t`",
    "`a${",
    "}b`",
    "/re/g",
    "#p",
    "@dec",
    # punctuators
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ";",
    ",",
    ".",
    "?.",
    "??",
    "...",
    "=>",
    "=",
    "==",
    "===",
    "!=",
    "!==",
    "+",
    "++",
    "-",
    "--",
    "*",
    "**",
    "/",
    "%",
    "<",
    ">",
    "<=",
    ">=",
    ">>",
    "&&",
    "||",
    "&&=",
    "??=",
    "!",
    "~",
    "?",
    ":",
    "&",
    "|",
    "^",
    # JSX fragments
    "<div>",
    "</div>",
    "<>",
    "</>",
    "<br />",
    "<A x={1}>",
    "</A>",
    "className=",
    "hx-post=",
    # trivia
    "//c\n",
    "/* c */",
    "/*",
    "\n",
    "\t",
    "\\",
    "\x00",
    "é",
]

FILENAMES = ["handler.ts", "handler.tsx", "handler.js", "handler.jsx"]

# ZIGTTP_FUZZ_SCALE=20 runs a long fuzzing session with the same tests.
FUZZ_SCALE = int(os.environ.get("ZIGTTP_FUZZ_SCALE", "1"))


def common(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples * FUZZ_SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


def check(result: CompileResult) -> None:
    assert not any(d.code == "ZTS999" for d in result.diagnostics), result.render_text()
    for diagnostic in result.diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        assert diagnostic.line >= 1 and diagnostic.column >= 1
        assert diagnostic.severity in ("error", "warning")
        assert diagnostic.code.startswith("ZTS")
        assert diagnostic.message
    if result.ok:
        assert isinstance(result.js, str) and "export" in result.js
    else:
        assert result.js == ""
    # Rendering never fails either.
    result.render_text()
    result.render_json()


@common(400)
@given(
    tokens=st.lists(st.sampled_from(TOKENS), max_size=60),
    separators=st.lists(st.sampled_from([" ", "", "\n"]), min_size=60, max_size=60),
    filename=st.sampled_from(FILENAMES),
)
def test_token_soup_only_yields_diagnostics(tokens: list[str], separators: list[str], filename: str) -> None:
    source = "".join(token + separator for token, separator in zip(tokens, separators, strict=False))
    check(compile_source(source, filename))


@common(150)
@given(
    tokens=st.lists(st.sampled_from(TOKENS), max_size=40),
    filename=st.sampled_from(FILENAMES),
)
def test_token_soup_inside_a_handler(tokens: list[str], filename: str) -> None:
    source = "function handler(req) {\n  " + " ".join(tokens) + "\n  return Response.text('x');\n}\n"
    check(compile_source(source, filename))


@st.composite
def mutated_example(draw: st.DrawFn) -> tuple[Path, str]:
    path = draw(st.sampled_from(EXAMPLES))
    text = EXAMPLE_TEXTS[path]
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not text:
            break
        size = len(text)
        start = draw(st.integers(min_value=0, max_value=size - 1))
        end = draw(st.integers(min_value=start, max_value=min(size, start + 40)))
        operation = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "swap"]))
        if operation == "delete":
            text = text[:start] + text[end:]
        elif operation == "duplicate":
            text = text[:end] + text[start:end] + text[end:]
        elif operation == "insert":
            text = text[:start] + " " + draw(st.sampled_from(TOKENS)) + " " + text[start:]
        elif operation == "replace":
            text = text[:start] + draw(st.sampled_from(TOKENS)) + text[end:]
        else:
            other = draw(st.integers(min_value=0, max_value=size - 1))
            lo, hi = sorted((start, other))
            text = text[:lo] + text[hi:end] + text[lo:hi] + text[end:] if hi < end else text
    return path, text


@common(300)
@given(case=mutated_example())
def test_mutated_examples_only_yield_diagnostics(case: tuple[Path, str]) -> None:
    path, text = case
    check(compile_source(text, str(path)))


@common(60)
@given(depth=st.integers(min_value=500, max_value=3000), opener=st.sampled_from(["(", "[", "{", "-", "!", "a+"]))
def test_deep_nesting_never_crashes(depth: int, opener: str) -> None:
    closer = {"(": ")", "[": "]", "{": "}"}.get(opener, "")
    check(compile_source("const x = " + opener * depth + "1" + closer * depth + ";"))


NODE_MODULE_CHECK = r"""
import vm from "node:vm";
import fs from "node:fs";
const bad = [];
for (const [name, text] of JSON.parse(fs.readFileSync(0, "utf8"))) {
  try { new vm.SourceTextModule(text); } catch (e) { bad.push([name, String(e.message)]); }
}
console.log(JSON.stringify(bad));
"""


@needs_node
def test_successful_compiles_emit_valid_es_modules(tmp_path: Path) -> None:
    """Whenever compilation succeeds on a mutated example, QuickJS-style ES2020 parsing must succeed too."""
    rng = random.Random(20260)
    outputs: list[tuple[str, str]] = []
    for index in range(800):
        path = rng.choice(EXAMPLES)
        text = EXAMPLE_TEXTS[path]
        for _ in range(rng.randint(1, 2)):
            start = rng.randrange(len(text))
            end = min(len(text), start + rng.randint(0, 30))
            operation = rng.choice(["delete", "duplicate", "insert"])
            if operation == "delete":
                text = text[:start] + text[end:]
            elif operation == "duplicate":
                text = text[:end] + text[start:end] + text[end:]
            else:
                text = text[:start] + " " + rng.choice(TOKENS) + " " + text[start:]
        result = compile_source(text, str(path))
        check(result)
        if result.ok:
            outputs.append((f"{path.name}#{index}", result.js))
    outputs += [(path.name, compile_source(text, str(path)).js) for path, text in EXAMPLE_TEXTS.items()]
    script = tmp_path / "check.mjs"
    script.write_text(NODE_MODULE_CHECK)
    completed = subprocess.run(
        [NODE, "--experimental-vm-modules", "--no-warnings", str(script)],
        input=json.dumps(outputs),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(completed.stdout) == []
    assert len(outputs) > 80
