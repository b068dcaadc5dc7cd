"""Every rule `zigttp prove` applies to two contracts and their replay evidence: one table, stable ids.

A rule's id (`ZP101`) never changes meaning; a rule that changes meaning gets
a new id and the rule set a new `RULESET_VERSION`. Ids use the `ZP` prefix so
they never collide with diagnostics (`ZTS…`). Levels, weakest first:

* `info`: recorded, changes no verdict;
* `additive`: safe for existing clients, adds something (verdict SAFE_WITH_ADDITIONS);
* `review`: may be safe, a human decides (verdict NEEDS_REVIEW);
* `breaking`: an existing client or an in-flight run can fail (verdict BREAKING).

Direction says which side of the exchange a change touches: what the handler
accepts (`request`) or what it returns (`response`); `none` for the rest.
Narrowing what is accepted and changing what is returned break clients;
widening what is accepted and returning more are additive.
"""

from __future__ import annotations

from dataclasses import dataclass

RULESET_VERSION = "2"

LEVELS = ("info", "additive", "review", "breaking")  # weakest first
DIRECTIONS = ("request", "response", "none")
AREAS = ("route", "auth", "param", "body", "response", "behaviour", "capability", "property", "durable", "evidence",
         "comparability")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    level: str
    direction: str
    area: str
    kind: str  # what changed: added, removed, narrowed, widened, changed, became_dynamic, …
    summary: str
    widens_capability: bool = False  # an additive change that grants the handler more (reported as such)


RULES: dict[str, Rule] = {}


def _rule(id: str, name: str, level: str, direction: str, area: str, kind: str, summary: str,
          *, widens_capability: bool = False) -> Rule:
    assert level in LEVELS and direction in DIRECTIONS and area in AREAS, id
    assert id not in RULES, id
    rule = Rule(id, name, level, direction, area, kind, summary, widens_capability)
    RULES[id] = rule
    return rule


# ------------------------------------------------------------------ routes
ROUTE_REMOVED = _rule("ZP101", "route_removed", "breaking", "request", "route", "removed",
                      "a route is no longer served")
ROUTE_ADDED = _rule("ZP102", "route_added", "additive", "request", "route", "added",
                    "a new route is served")
ROUTES_BECAME_DYNAMIC = _rule("ZP103", "routes_became_dynamic", "breaking", "request", "route", "became_dynamic",
                              "the routes are no longer statically known")
ROUTES_BECAME_STATIC = _rule("ZP104", "routes_became_static", "info", "request", "route", "became_static",
                             "the routes became statically known")

# ------------------------------------------------------------------ parameters (what a route accepts)
PARAM_REQUIRED_ADDED = _rule("ZP201", "param_required_added", "breaking", "request", "param", "added",
                             "a new required parameter")
PARAM_OPTIONAL_ADDED = _rule("ZP202", "param_optional_added", "additive", "request", "param", "added",
                             "a new optional parameter")
PARAM_BECAME_REQUIRED = _rule("ZP203", "param_became_required", "breaking", "request", "param", "narrowed",
                              "an optional parameter became required")
PARAM_BECAME_OPTIONAL = _rule("ZP204", "param_became_optional", "additive", "request", "param", "widened",
                              "a required parameter became optional")
PARAM_REMOVED = _rule("ZP205", "param_removed", "review", "request", "param", "removed",
                      "a parameter is no longer read: clients that send it get other behaviour")
PARAM_SCHEMA_NARROWED = _rule("ZP206", "param_schema_narrowed", "breaking", "request", "param", "narrowed",
                              "a parameter accepts fewer values")
PARAM_SCHEMA_WIDENED = _rule("ZP207", "param_schema_widened", "additive", "request", "param", "widened",
                             "a parameter accepts more values")

# ------------------------------------------------------------------ request bodies
BODY_SCHEMA_ADDED = _rule("ZP211", "body_schema_added", "breaking", "request", "body", "narrowed",
                          "the request body is now validated against a schema")
BODY_SCHEMA_REMOVED = _rule("ZP212", "body_schema_removed", "additive", "request", "body", "widened",
                            "the request body is no longer validated against a schema")
BODY_CONTENT_TYPE_CHANGED = _rule("ZP213", "body_content_type_changed", "breaking", "request", "body", "removed",
                                  "the request content type the route accepts changed")
BODY_NARROWED = _rule("ZP214", "body_narrowed", "breaking", "request", "body", "narrowed",
                      "the request body schema accepts less (a new required field, a tighter constraint, "
                      "a changed type)")
BODY_WIDENED = _rule("ZP215", "body_widened", "additive", "request", "body", "widened",
                     "the request body schema accepts more (a new optional field, a looser constraint)")

# ------------------------------------------------------------------ responses (what a route returns)
RESPONSE_REMOVED = _rule("ZP301", "response_removed", "breaking", "response", "response", "removed",
                         "a response status or content type is no longer returned")
RESPONSE_ADDED = _rule("ZP302", "response_added", "additive", "response", "response", "added",
                       "a new response status or content type")
RESPONSE_FIELD_ADDED = _rule("ZP303", "response_field_added", "additive", "response", "response", "added",
                             "a response gains a field")
RESPONSE_FIELD_REMOVED = _rule("ZP304", "response_field_removed", "breaking", "response", "response", "removed",
                               "a response field is no longer returned")
RESPONSE_TYPE_CHANGED = _rule("ZP305", "response_type_changed", "breaking", "response", "response", "changed",
                              "a response value's type changed")
RESPONSE_REQUIRED_CHANGED = _rule("ZP306", "response_required_changed", "breaking", "response", "response",
                                  "changed", "a response field's required flag toggled")
RESPONSE_VALUE_CHANGED = _rule("ZP307", "response_value_changed", "breaking", "response", "response", "changed",
                               "a response value's constraint changed or was dropped (const, enum, format, …)")
RESPONSE_VALUE_NARROWED = _rule("ZP308", "response_value_narrowed", "info", "response", "response", "narrowed",
                                "a response value gained a constraint: still within what was returned")
RESPONSE_SCHEMA_BECAME_DYNAMIC = _rule("ZP309", "response_schema_became_dynamic", "breaking", "response",
                                       "response", "became_dynamic", "a response schema is no longer known")
RESPONSE_SCHEMA_BECAME_STATIC = _rule("ZP310", "response_schema_became_static", "info", "response", "response",
                                      "became_static", "a response schema became known")
RESPONSE_VARIANTS_CHANGED = _rule("ZP311", "response_variants_changed", "breaking", "response", "response",
                                  "changed", "the schemas a status and content type may carry changed")
SCHEMAS_BECAME_DYNAMIC = _rule("ZP312", "schemas_became_dynamic", "breaking", "none", "response", "became_dynamic",
                               "the schemas are no longer statically known")
SCHEMAS_BECAME_STATIC = _rule("ZP313", "schemas_became_static", "info", "none", "response", "became_static",
                              "the schemas became statically known")

# ------------------------------------------------------------------ capabilities (env, egress, cache, sql)
CAPABILITY_REMOVED = _rule("ZP401", "capability_removed", "breaking", "none", "capability", "removed",
                           "an env name, egress host, cache namespace or SQL query is no longer used")
CAPABILITY_ADDED = _rule("ZP402", "capability_added", "additive", "none", "capability", "added",
                         "a new env name, egress host, cache namespace or SQL query (capability widening)",
                         widens_capability=True)
SQL_STATEMENT_CHANGED = _rule("ZP403", "sql_statement_changed", "breaking", "none", "capability", "changed",
                              "a named SQL query has another statement")
CAPABILITY_BECAME_DYNAMIC = _rule("ZP404", "capability_became_dynamic", "additive", "none", "capability",
                                  "became_dynamic", "a capability is no longer statically known (capability "
                                  "widening)", widens_capability=True)
CAPABILITY_BECAME_STATIC = _rule("ZP405", "capability_became_static", "info", "none", "capability",
                                 "became_static", "a capability became statically known")

# ------------------------------------------------------------------ proven properties (§7.6 upgrade severities)
PROPERTY_LOST_CRITICAL = _rule("ZP501", "property_lost_critical", "breaking", "none", "property", "regressed",
                               "a critical property no longer holds")
PROPERTY_LOST_WARNING = _rule("ZP502", "property_lost_warning", "review", "none", "property", "regressed",
                              "a warning-level property no longer holds")
PROPERTY_LOST = _rule("ZP503", "property_lost", "info", "none", "property", "regressed",
                      "another property no longer holds")
PROPERTY_GAINED = _rule("ZP504", "property_gained", "info", "none", "property", "gained",
                        "a property now holds")
PROOF_LEVEL_CHANGED = _rule("ZP505", "proof_level_changed", "info", "none", "property", "changed",
                            "the contract's proof level changed")

# ------------------------------------------------------------------ durable step sequences
DURABLE_STEP_APPENDED = _rule("ZP601", "durable_step_appended", "additive", "none", "durable", "added",
                              "durable steps appended after the recorded ones")
DURABLE_STEP_REMOVED = _rule("ZP602", "durable_step_removed", "breaking", "none", "durable", "removed",
                             "a durable step was removed: in-flight runs cannot resume")
DURABLE_STEPS_REORDERED = _rule("ZP603", "durable_steps_reordered", "breaking", "none", "durable", "changed",
                                "durable steps run in another order: in-flight runs cannot resume")
DURABLE_STEP_INSERTED = _rule("ZP604", "durable_step_inserted", "breaking", "none", "durable", "added",
                              "a durable step was inserted before a recorded one: in-flight runs cannot resume")
DURABLE_ADDED = _rule("ZP605", "durable_added", "additive", "none", "durable", "added",
                      "the handler starts using zigttp:durable")
DURABLE_REMOVED = _rule("ZP606", "durable_removed", "breaking", "none", "durable", "removed",
                        "the handler no longer uses zigttp:durable: in-flight runs cannot resume")
DURABLE_RUN_DIVERGES = _rule("ZP607", "durable_run_diverges", "breaking", "none", "durable", "changed",
                             "an in-flight durable run does not replay on the new version")

# ------------------------------------------------------------------ authentication (per route)
AUTH_ADDED = _rule("ZP111", "auth_added", "breaking", "request", "auth", "narrowed",
                   "a route now checks credentials it did not: clients without them are refused")
AUTH_REMOVED = _rule("ZP112", "auth_removed", "review", "request", "auth", "widened",
                     "a route no longer checks credentials: it accepts requests it refused")

# ------------------------------------------------------------------ behaviour paths
BEHAVIOUR_REMOVED = _rule("ZP901", "behaviour_removed", "breaking", "response", "behaviour", "removed",
                          "a behaviour path is gone: requests that took it are answered another way")
BEHAVIOUR_ADDED = _rule("ZP902", "behaviour_added", "additive", "response", "behaviour", "added",
                        "a new behaviour path: decisions no path of OLD took")
BEHAVIOUR_RESPONSE_CHANGED = _rule("ZP903", "behaviour_response_changed", "breaking", "response", "behaviour",
                                   "changed", "the same decisions answer with another status or content type")
BEHAVIOURS_NOT_EXHAUSTIVE = _rule("ZP904", "behaviours_not_exhaustive", "info", "none", "behaviour",
                                  "not_compared", "a contract's behaviour paths were not all enumerated: "
                                  "behaviour paths not compared")

# ------------------------------------------------------------------ replay evidence
REPLAY_NOT_IDENTICAL = _rule("ZP701", "replay_not_identical", "breaking", "response", "evidence", "changed",
                             "a recorded request answers differently on NEW")
REPLAY_NONDETERMINISTIC = _rule("ZP702", "replay_nondeterministic", "review", "response", "evidence", "changed",
                                "replaying a recorded request twice on NEW gave two answers")
STATIC_EQUIVALENCE_CONTRADICTED = _rule("ZP703", "static_equivalence_contradicted", "breaking", "none",
                                        "evidence", "changed",
                                        "the contracts are equivalent but replay shows a difference")
TRACES_NOT_COMPARABLE = _rule("ZP704", "traces_not_comparable", "review", "none", "evidence", "changed",
                              "recorded requests come from a handler that keeps module state: not replayed")

# ------------------------------------------------------------------ what could not be compared
FACT_NOT_COMPARED = _rule("ZP801", "fact_not_compared", "info", "none", "comparability", "not_compared",
                          "a fact the contracts do not carry was not compared")
PATH_COVERAGE_UNAVAILABLE = _rule("ZP802", "path_coverage_unavailable", "info", "none", "comparability",
                                  "not_compared",
                                  "behaviour-path coverage needs behaviour paths the contract does not carry")
CONTRACT_VERSION_UNKNOWN = _rule("ZP803", "contract_version_unknown", "review", "none", "comparability",
                                 "not_compared", "a contract version this rule set does not know: compared on "
                                 "what both carry")


def rule(id: str) -> Rule:
    return RULES[id]


def level_rank(level: str) -> int:
    return LEVELS.index(level)
