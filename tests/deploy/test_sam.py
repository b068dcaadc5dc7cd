"""`zigttp build -Ddeploy=aws`: the SAM template follows the proven contract and passes cfn-lint."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import subprocess
from pathlib import Path

import pytest

from zigttp.deploy.facts import DeployError, facts_from_contract, pascal
from zigttp.deploy.package import requirement_name, requirements
from zigttp.deploy.sam import api_path, render_template

from ..support.server import REPO
from .conftest import build, cfn_lint, deploy

EXAMPLES = ["examples/hello.ts", "examples/contract/users.ts", "examples/routing/match-router.ts",
            "examples/modules/router.ts", "examples/modules/fetch.ts", "tests/deploy/handlers/egress.ts"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for example in EXAMPLES:
        folder = tmp_path_factory.mktemp(Path(example).stem)
        deploy(REPO / example, folder)
        out[example] = folder / "deploy" / "aws"
    return out


def template_of(built: dict[str, Path], example: str) -> dict:
    return json.loads((built[example] / "template.json").read_text())


def test_every_template_passes_cfn_lint(built: dict[str, Path]) -> None:
    exe = cfn_lint()
    assert exe is not None
    r = subprocess.run([exe, *(str(b / "template.json") for b in built.values())], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr


def test_env_vars_become_noecho_parameters_mapped_into_the_function(built: dict[str, Path]) -> None:
    t = template_of(built, "tests/deploy/handlers/egress.ts")
    assert t["Parameters"]["ApiKey"] == {"Type": "String", "NoEcho": True,
                                         "Description": "PROVEN: handler reads API_KEY"}
    fn = t["Resources"]["HandlerFunction"]["Properties"]
    assert fn["Environment"]["Variables"] == {"API_KEY": {"Ref": "ApiKey"}}
    assert fn["Handler"] == "zigttp_host.aws_lambda.handler" and fn["CodeUri"] == "package"


def test_egress_hosts_become_tags_and_a_security_group(built: dict[str, Path]) -> None:
    t = template_of(built, "tests/deploy/handlers/egress.ts")
    tags = t["Resources"]["HandlerFunction"]["Properties"]["Tags"]
    assert tags["zigttp:egressHosts"] == "api.example.com" and tags["zigttp:egressProven"] == "true"
    assert all(isinstance(v, str) for v in tags.values())
    group = t["Resources"]["EgressSecurityGroup"]
    assert group["Condition"] == "HasVpc" and "api.example.com" in group["Properties"]["GroupDescription"]


def test_routes_become_http_api_events(built: dict[str, Path]) -> None:
    t = template_of(built, "examples/contract/users.ts")
    events = t["Resources"]["HandlerFunction"]["Properties"]["Events"]
    assert events == {
        "RouteGetHealth": {"Type": "HttpApi", "Properties": {"Path": "/health", "Method": "GET"}},
        "RouteGetUsersId": {"Type": "HttpApi", "Properties": {"Path": "/users/{id}", "Method": "GET"}},
        "RoutePostUsers": {"Type": "HttpApi", "Properties": {"Path": "/users", "Method": "POST"}},
    }
    assert t["Resources"]["HandlerFunction"]["Properties"]["Tags"]["zigttp:proven"] == "true"


def test_a_handler_without_routes_gets_every_path(built: dict[str, Path]) -> None:
    t = template_of(built, "examples/hello.ts")
    assert t["Resources"]["HandlerFunction"]["Properties"]["Events"] == {"CatchAll": {"Type": "HttpApi"}}
    assert "Parameters" not in t


def test_a_complete_contract_has_no_warnings_and_a_partial_one_says_why(built: dict[str, Path],
                                                                         tmp_path: Path) -> None:
    for example in EXAMPLES:
        contract = json.loads((built[example] / "package" / "contract.json").read_text())
        meta = template_of(built, example)["Metadata"]["zigttp"]
        assert ("review" in meta) == (contract["proof"] != "complete"), example
    contract = json.loads((built["examples/contract/users.ts"] / "package" / "contract.json").read_text())
    contract["proof"], contract["dynamic"]["env"] = "partial", True
    facts = facts_from_contract(contract)
    meta = render_template(facts, zigttp_version="0")["Metadata"]["zigttp"]
    assert any("computed names" in w for w in meta["review"]) and any("proof level" in w for w in meta["review"])
    assert "CatchAll" in render_template(facts, zigttp_version="0")["Resources"]["HandlerFunction"]["Properties"][
        "Events"]


def test_a_durable_handler_is_refused_with_the_reason(tmp_path: Path) -> None:
    r = build(REPO / "examples/durable/approval.ts", tmp_path, "-Ddeploy=aws")
    assert r.returncode == 1
    assert "durable handler" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "deploy").exists()
    with pytest.raises(DeployError):
        facts_from_contract({"durable": {"used": True}})


@pytest.mark.parametrize("switch", ["-Ddeploy", "-Ddeploy=gcp", "-Ddeploy=true"])
def test_a_bad_deploy_switch_is_a_usage_error(tmp_path: Path, switch: str) -> None:
    r = build(REPO / "examples/hello.ts", tmp_path, switch)
    assert r.returncode == 2 and "-Ddeploy takes one of aws" in r.stderr


def test_the_report_lists_what_is_proven(built: dict[str, Path]) -> None:
    report = (built["examples/contract/users.ts"] / "deploy-report.txt").read_text()
    assert "env vars:         REGION" in report and "GET    /users/:id  ->  /users/{id}" in report
    assert "(none - all sections fully proven)" in report and "PROOF LEVEL: complete" in report


def test_names_and_paths() -> None:
    assert pascal("JWT_SECRET") == "JwtSecret" and pascal("/users/:id") == "UsersId"
    assert api_path("/users/:id/posts/:post") == "/users/{id}/posts/{post}"
    assert api_path("/files/*") == "/files/{proxy+}" and api_path("/") == "/"


def test_lambda_reserved_env_names_are_left_to_lambda() -> None:
    facts = facts_from_contract({"env": ["AWS_REGION", "TOKEN"], "proof": "complete"})
    t = render_template(facts, zigttp_version="0")
    assert list(t["Parameters"]) == ["Token"]
    assert t["Resources"]["HandlerFunction"]["Properties"]["Environment"]["Variables"] == {"TOKEN": {"Ref": "Token"}}
    assert t["Metadata"]["zigttp"]["envSetByLambda"] == ["AWS_REGION"]


def _third_party_imports() -> dict[str, bool]:
    """Each third-party module the host imports, and whether some import of it runs when a module loads
    (not inside a function, nor under `if TYPE_CHECKING:`)."""
    names: dict[str, bool] = {}

    def add(name: str, eager: bool) -> None:
        names[name] = names.get(name, False) or eager

    for path in (REPO / "host" / "zigttp_host").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lazy = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
                or (isinstance(f, ast.If) and ast.unparse(f.test) == "TYPE_CHECKING") for n in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    add(a.name.split(".")[0], id(node) not in lazy)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                add(node.module.split(".")[0], id(node) not in lazy)
    import sys

    return {n: eager for n, eager in names.items() if n not in sys.stdlib_module_names and n != "zigttp_host"}


def _optional_extras() -> set[str]:
    """The packages of the `scale` extra (Redis, PostgreSQL) in pyproject.toml: a Lambda function uses neither."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {requirement_name(r) for r in project["optional-dependencies"]["scale"]}


def test_the_package_requirements_cover_every_import_of_the_host() -> None:
    listed = {requirement_name(r) for r in requirements()}
    optional = _optional_extras()
    owners = importlib.metadata.packages_distributions()
    for module, eager in _third_party_imports().items():
        dists = {requirement_name(d) for d in owners.get(module, [])}
        if not eager and dists & optional:
            continue  # imported on first use only, by a store a Lambda function never configures
        assert dists & listed, f"zigttp_host imports {module} ({dists}) but the Lambda package does not require it"


