"""Run keys and signal names as file names: safe, unambiguous, reversible through the file itself.

A key is any string (`order:42`, `a/../b`, NUL, emoji, 10 kB). A name made
of [A-Za-z0-9_.:@=+] (not starting with ".", no "..") up to 100 bytes is used
as written; anything else is `~` + a short readable prefix + "~" + the first
32 hex digits of its SHA-256, and every file under that name records the
real key (the oplog's first line, a signal's JSON), which `zigttp admin`
shows. The two forms cannot collide (a plain name never contains "~"), and
since neither contains "-", `scheduled/<unix_ms>-<key>-<name>.json` splits
one way only.
"""

from __future__ import annotations

import hashlib
import re

MAX_PLAIN = 100
_PLAIN = re.compile(r"[A-Za-z0-9_:@=+][A-Za-z0-9_.:@=+]{0,99}")
_READABLE = re.compile(r"[^A-Za-z0-9_]+")


def file_name(text: str) -> str:
    """The file-system name for a run key or signal name."""
    if _PLAIN.fullmatch(text) and len(text.encode()) <= MAX_PLAIN and ".." not in text:
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    readable = _READABLE.sub("_", text)[:32].strip("_")
    return f"~{readable}~{digest}"
