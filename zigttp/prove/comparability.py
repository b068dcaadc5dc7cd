"""What two contracts cannot be compared on, and the facts both carry that flip between static and dynamic."""

from __future__ import annotations

from . import rules as R
from .findings import Finding, finding
from .view import KNOWN_VERSIONS, OPTIONAL_FACTS, ContractView

_FLAGS = {"routesDynamic": (R.ROUTES_BECAME_DYNAMIC, R.ROUTES_BECAME_STATIC),
          "schemasDynamic": (R.SCHEMAS_BECAME_DYNAMIC, R.SCHEMAS_BECAME_STATIC)}


def comparability_findings(old: ContractView, new: ContractView) -> list[Finding]:
    out: list[Finding] = []
    for side, view in (("old", old), ("new", new)):
        if view.version not in KNOWN_VERSIONS:
            out.append(finding(R.CONTRACT_VERSION_UNKNOWN, "contract", f"{side}.version",
                               old.version if side == "old" else None, new.version if side == "new" else None))
    for key, what in OPTIONAL_FACTS.items():
        a, b = old.optional_fact(key), new.optional_fact(key)
        if a is None or b is None:
            out.append(finding(R.FACT_NOT_COMPARED, "contract", key, _carried(a), _carried(b),
                               f"{what}: not compared (not carried by the {_missing(a, b)} contract)"))
        elif key in _FLAGS and a != b:
            became_dynamic, became_static = _FLAGS[key]
            out.append(finding(became_dynamic if b else became_static, "contract", key, a, b))
    return out


def _carried(value: object) -> str:
    return "absent" if value is None else "carried"


def _missing(a: object, b: object) -> str:
    return "old or new" if a is None and b is None else "old" if a is None else "new"
