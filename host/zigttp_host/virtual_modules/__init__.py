"""The `zigttp:*` virtual modules, one Python module per family.

Each family module defines `EXPORTS` (its registry entries, implementation
attached) and, where its signatures name helper types, `TYPES` (TypeScript
declarations for `zigttp types`). `zigttp_host.modules` concatenates them
into the one REGISTRY. Heavy libraries (cryptography, jsonschema, httpx,
sqlite3) are imported on first use, so reading the registry stays cheap for
the compiler.
"""
