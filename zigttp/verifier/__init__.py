"""The zigttp verifier: proves what a handler does before it is served.

Entry points: `verify_file(path, strict=False)` and `verify_source(text, name)`
return a `VerifyResult` (diagnostics in the compiler's shared format, the
derived handler properties, the execution-path count and the proof card).
See docs/verification.md for every check.
"""

from zigttp.verifier.api import VerifyResult, verify_compiled, verify_file, verify_source

__all__ = ["VerifyResult", "verify_compiled", "verify_file", "verify_source"]
