"""The AWS SAM template of a proven contract: env vars -> Parameters, routes -> HttpApi events, egress -> tags.

The function runs the Lambda package `package.py` writes (Python runtime,
handler `zigttp_host.aws_lambda.handler`), which confines the bundle to the
contract's grants at run time. The template is what the contract proves:

* one NoEcho String parameter per proven env var (the function's
  environment maps each to its parameter); Lambda's reserved names are left
  to Lambda;
* one HttpApi event per proven route (`:name` -> `{name}`, `*` ->
  `{proxy+}`, method `*` -> ANY); with no proven routes, or a proof level
  below complete, the API's `$default` route sends every other path to the
  function too;
* with egress hosts, optional VPC subnets and a security group whose
  description names the proven hosts (security groups cannot filter by
  host name: the sandbox does, per request);
* tags carrying the proof level, each property and the proven hosts.
"""

from __future__ import annotations

from typing import Any

from .facts import LAMBDA_RESERVED_ENV, PROPERTY_TEXT, ProvenFacts, Route, pascal

PYTHON_RUNTIME = "python3.12"
FUNCTION_HANDLER = "zigttp_host.aws_lambda.handler"
MEMORY_MB = 512
TIMEOUT_S = 30
SQLITE_DEFAULT = "/tmp/zigttp.sqlite"


def render_template(facts: ProvenFacts, *, zigttp_version: str, code_uri: str = "package") -> dict[str, Any]:
    parameters, variables = _parameters(facts)
    has_egress = bool(facts.egress)
    function: dict[str, Any] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "Handler": FUNCTION_HANDLER,
            "Runtime": PYTHON_RUNTIME,
            "CodeUri": code_uri,
            "MemorySize": MEMORY_MB,
            "Timeout": TIMEOUT_S,
            "Architectures": ["x86_64"],
            "Environment": {"Variables": variables},
            "Events": _events(facts),
            "Tags": _tags(facts),
        },
    }
    resources: dict[str, Any] = {"HandlerFunction": function}
    conditions: dict[str, Any] = {}
    if has_egress:
        conditions["HasVpc"] = {"Fn::Not": [{"Fn::Equals": [{"Fn::Join": ["", {"Ref": "VpcSubnetIds"}]}, ""]}]}
        function["Properties"]["VpcConfig"] = {"Fn::If": ["HasVpc", {
            "SecurityGroupIds": [{"Ref": "EgressSecurityGroup"}], "SubnetIds": {"Ref": "VpcSubnetIds"}},
            {"Ref": "AWS::NoValue"}]}
        resources["EgressSecurityGroup"] = _security_group(facts)
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": f"zigttp proven deployment - {facts.handler_path} (proof: {facts.proof})",
        "Metadata": {"zigttp": _metadata(facts, zigttp_version)},
        "Parameters": parameters,
    }
    if conditions:
        template["Conditions"] = conditions
    template["Resources"] = resources
    template["Outputs"] = {"ApiUrl": {
        "Description": "The HTTP API's URL",
        "Value": {"Fn::Sub": "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}}}
    if not parameters:
        del template["Parameters"]
    return template


def _parameters(facts: ProvenFacts) -> tuple[dict[str, Any], dict[str, Any]]:
    parameters: dict[str, Any] = {}
    variables: dict[str, Any] = {}
    taken: set[str] = set()
    for name in facts.env:
        if name in LAMBDA_RESERVED_ENV:
            continue
        logical = _unique(pascal(name) or "Env", taken)
        prefix = "PROVEN: " if facts.env_proven else ""
        parameters[logical] = {"Type": "String", "NoEcho": True, "Description": f"{prefix}handler reads {name}"}
        variables[name] = {"Ref": logical}
    if facts.sql:
        logical = _unique("SqlitePath", taken)
        parameters[logical] = {"Type": "String", "Default": SQLITE_DEFAULT,
                               "Description": "SQLite file for zigttp:sql (put it on EFS to keep it)"}
        variables["ZIGTTP_SQLITE"] = {"Ref": logical}
    if facts.egress:
        parameters["VpcSubnetIds"] = {"Type": "CommaDelimitedList", "Default": "",
                                      "Description": "subnets to run in (empty: no VPC)"}
        parameters["VpcId"] = {"Type": "String", "Default": "",
                               "Description": "the VPC of VpcSubnetIds (only with subnets)"}
    return parameters, variables


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken or candidate in ("VpcSubnetIds", "VpcId"):
        candidate, n = f"{name}{n}", n + 1
    taken.add(candidate)
    return candidate


def api_path(pattern: str) -> str:
    """A router pattern as an API Gateway path: `:name` -> `{name}`, a trailing `*` -> `{proxy+}`."""
    segments = []
    for segment in pattern.strip("/").split("/"):
        if segment.startswith(":") and len(segment) > 1:
            segments.append("{" + segment[1:] + "}")
        elif segment == "*":
            segments.append("{proxy+}")
            break
        elif segment:
            segments.append(segment)
    return "/" + "/".join(segments)


def _events(facts: ProvenFacts) -> dict[str, Any]:
    events: dict[str, Any] = {}
    for route in facts.routes:
        logical = _route_id(route, events)
        method = "ANY" if route.method in ("*", "", "ANY") else route.method.upper()
        events[logical] = {"Type": "HttpApi", "Properties": {"Path": api_path(route.path), "Method": method}}
    if not facts.routes or not facts.complete:
        events["CatchAll"] = {"Type": "HttpApi"}  # the API's $default route
    return events


def _route_id(route: Route, taken: dict[str, Any]) -> str:
    method = "Any" if route.method in ("*", "", "ANY") else pascal(route.method)
    base = "Route" + method + (pascal(route.path) or "Root")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    return candidate


def _security_group(facts: ProvenFacts) -> dict[str, Any]:
    hosts = ", ".join(facts.egress)
    description = f"zigttp proven egress - restricted to: {hosts}" if facts.egress_proven else \
        "zigttp egress - REVIEW: handler uses dynamic URLs"
    return {
        "Type": "AWS::EC2::SecurityGroup",
        "Condition": "HasVpc",
        "Properties": {
            "GroupDescription": description[:255],
            "VpcId": {"Ref": "VpcId"},
            "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0",
                                     "Description": f"HTTPS to {hosts}"[:255]}],
        },
    }


def _tags(facts: ProvenFacts) -> dict[str, str]:
    tags = {"zigttp:proven": "true" if facts.complete else "false", "zigttp:proofLevel": facts.proof}
    for name, _ in PROPERTY_TEXT:
        if name in facts.properties:
            tags["zigttp:" + _camel(name)] = "true" if facts.properties[name] else "false"
    if facts.egress:
        tags["zigttp:egressProven"] = "true" if facts.egress_proven else "false"
        tags["zigttp:egressHosts"] = ",".join(facts.egress)[:256]
    return tags


def _metadata(facts: ProvenFacts, zigttp_version: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"version": zigttp_version, "proofLevel": facts.proof, "handler": facts.handler_path,
                            "envProven": facts.env_proven, "egressProven": facts.egress_proven}
    if facts.egress:
        meta["egressHosts"] = list(facts.egress)
    reserved = [n for n in facts.env if n in LAMBDA_RESERVED_ENV]
    if reserved:
        meta["envSetByLambda"] = reserved
    warnings, notes = facts.warnings(), facts.platform_notes()
    if warnings:
        meta["review"] = warnings
    if notes:
        meta["notes"] = notes
    return meta


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)
