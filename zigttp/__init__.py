"""zigttp: prove JavaScript/TypeScript HTTP handlers, then run them sandboxed."""

__version__ = "0.1.0"
