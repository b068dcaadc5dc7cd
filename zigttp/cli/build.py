"""`zigttp build HANDLER [-o DIR] [-Dverify] [-Dopenapi] [-Dprove=OLD[:TRACES]] [-Ddeploy=aws]`: bundle and more.

Writes DIR/handler.js (the compiled bundle) and DIR/contract.json always,
DIR/openapi.json with -Dopenapi (DIR defaults to .zigttp/build/), and with
-Ddeploy=aws an AWS SAM template, its Lambda package and a deploy report
under DIR/deploy/aws/ (zigttp.deploy). -Dprove=OLD[:TRACES] proves the
build against an older version (zigttp prove) and writes the certificate
beside it; a BREAKING verdict exits 1, one that needs review 3, and the
-Ddeploy step then does not run. Prints the
sandbox the contract derives and the handler's properties. -Dverify fails
the build on any verifier error; a declared Spec<...> that does not hold
(ZTS500-502) fails it always. Exit 0 built, 1 verification or build error,
2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(".zigttp/build")
SWITCHES = ("verify", "contract", "openapi")
# switches that take a value: name -> the values allowed
VALUE_SWITCHES: dict[str, tuple[str, ...]] = {"deploy": ("aws",)}
# switches that take a path: -Dprove=OLD[:TRACES]
PATH_SWITCHES = ("prove",)
_TRUE = ("", "true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


class UsageError(Exception):
    pass


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="compile a handler and write its bundle, contract.json and (with -Dopenapi) openapi.json",
        description="Compile HANDLER, derive its contract (the env names, egress hosts, cache namespaces and SQL "
                    "statements it reaches, and the properties proven about it) and write DIR/handler.js and "
                    "DIR/contract.json (with -Dopenapi also DIR/openapi.json). `zigttp serve` grants exactly "
                    "what the contract lists. Exit 0 built, 1 verification or build error, 2 usage or I/O error.",
    )
    p.add_argument("handler", type=Path, help="handler file (.ts, .tsx, .js, .jsx)")
    p.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                   help=f"output folder (default {DEFAULT_OUT}/)")
    p.add_argument("-D", dest="switches", action="append", default=[], metavar="NAME[=VALUE]",
                   help="build switch: -Dverify (fail on verifier errors), -Dcontract (contract.json, always "
                        "written), -Dopenapi (also write openapi.json), -Ddeploy=aws (an AWS SAM template, its "
                        "Lambda package and a deploy report under DIR/deploy/aws/; a durable handler is refused), "
                        "-Dprove=OLD[:TRACES] (prove the build against OLD, a contract.json or a bundle folder, "
                        "replaying TRACES against it; writes DIR/proof.json, proof-report.txt and "
                        "upgrade-manifest.json; exit 1 when BREAKING, 3 when it needs review); "
                        "-Dname=false turns one off")
    p.add_argument("--verify", action="store_true", help="same as -Dverify")
    p.add_argument("--contract", action="store_true", help="same as -Dcontract")
    p.add_argument("--openapi", action="store_true", help="same as -Dopenapi")
    p.set_defaults(run=run_build)


def parse_switches(values: list[str]) -> dict[str, bool | str]:
    out: dict[str, bool | str] = {}
    for raw in values:
        name, _, value = raw.partition("=")
        name = name.strip()
        if name in PATH_SWITCHES:
            if not value:
                raise UsageError(f"-D{name} takes the old version: -D{name}=old-contract.json[:traces.jsonl]")
            out[name] = value
            continue
        if name in VALUE_SWITCHES:
            allowed = VALUE_SWITCHES[name]
            if value not in allowed:
                raise UsageError(f"-D{name} takes one of {', '.join(allowed)} (-D{name}={allowed[0]})")
            out[name] = value
            continue
        if name not in SWITCHES:
            known = [*SWITCHES, *(f"{n}={'|'.join(v)}" for n, v in VALUE_SWITCHES.items()), "prove=OLD[:TRACES]"]
            raise UsageError(f"unknown build switch -D{name} (known: {', '.join('-D' + s for s in known)})")
        if value.lower() in _TRUE and not (value == "" and "=" in raw):
            out[name] = True
        elif value.lower() in _FALSE:
            out[name] = False
        else:
            raise UsageError(f"-D{name} takes true or false, not {value!r}")
    return out


def run_build(args: argparse.Namespace) -> int:
    try:
        switches = parse_switches(args.switches)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    verify = bool(args.verify or switches.get("verify", False))
    openapi = bool(args.openapi or switches.get("openapi", False))
    deploy = switches.get("deploy")
    from zigttp.compiler.source import not_a_file

    prove_against = switches.get("prove")
    handler: Path = args.handler
    if (why := not_a_file(handler)) is not None:
        print(f"error: {handler}: {why}", file=sys.stderr)
        return 2

    from zigttp import __version__
    from zigttp.compiler import render_text
    from zigttp.contract.derive import derive
    from zigttp.contract.openapi import build_openapi
    from zigttp.contract.schema import validation_errors
    from zigttp.contract.writer import dumps

    try:
        derived = derive(handler)
    except Exception as error:  # a bug in the analysis must not become a traceback
        print(f"internal error: cannot derive the contract of {handler}: {type(error).__name__}: {error}",
              file=sys.stderr)
        return 1
    if derived.unreadable:
        print(render_text(derived.diagnostics, derived.sources).rstrip(), file=sys.stderr)
        return 2
    if not derived.ok or derived.contract is None:
        print(render_text(derived.diagnostics, derived.sources).rstrip(), file=sys.stderr)
        print(f"error: {handler}: build failed", file=sys.stderr)
        return 1
    from zigttp.compiler.codes import codes_in

    spec_codes = codes_in("spec")
    shown = [d for d in derived.diagnostics if verify or d.code in spec_codes or d.severity != "error"]
    if shown:
        print(render_text(shown, derived.sources).rstrip(), file=sys.stderr)
    hidden = [d for d in derived.diagnostics if d not in shown]
    failed = [d for d in shown if d.severity == "error"]
    problems = validation_errors(derived.contract)
    if problems:  # a bug in the contract writer: never ship a contract that does not validate
        print("internal error: the contract does not match docs/contract.schema.json:\n  " + "\n  ".join(problems),
              file=sys.stderr)
        return 1
    out: Path = args.out
    outputs = {out / "handler.js": derived.js, out / "contract.json": dumps(derived.contract)}
    if openapi:
        outputs[out / "openapi.json"] = dumps(build_openapi(derived, __version__))
    if failed:
        print(f"error: {handler}: {len(failed)} verification error{'s' if len(failed) != 1 else ''}; "
              "nothing written", file=sys.stderr)
        return 1
    code = write_outputs(out, outputs, derived, prove_against, deploy, __version__)
    if code:
        return code
    if hidden:
        print(f"note: the verifier reported {len(hidden)} error{'s' if len(hidden) != 1 else ''} (the properties "
              "they concern are not proven); build with -Dverify to see them and fail on them")
    if verify:
        from zigttp.verifier.card import VERIFIED_LINE

        print(VERIFIED_LINE)
    return 0


def write_deploy(target: str, out: Path, contract: dict, contract_text: str, bundle_js: str, version: str) -> int:
    """-Ddeploy=TARGET: the deployment under OUT/deploy/TARGET; its warnings on stderr. Exit code, 0 written."""
    from zigttp.deploy import DeployError, write_deployment

    try:
        result = write_deployment(target, out, contract, contract_text, bundle_js, version)
    except DeployError as e:
        print(f"error: -Ddeploy={target}: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"error: -Ddeploy={target}: cannot write {out / 'deploy' / target}: {e}", file=sys.stderr)
        return 2
    print(f"  → {result.template}")
    print(f"  → {result.package}/")
    print(f"  → {result.report_path}")
    for warning in result.facts.warnings():
        print(f"warning: -Ddeploy={target}: {warning}", file=sys.stderr)
    print(result.report, end="")
    return 0


def write_outputs(out: Path, outputs: dict[Path, str], derived: Any, prove_against: object, deploy: object,
                  version: str) -> int:
    """Writes the build, then -Dprove's certificate and -Ddeploy's deployment. Exit code, 0 when all went well."""
    from zigttp.contract.summary import report
    from zigttp.contract.writer import write_text
    from zigttp.prove.inputs import InputError

    old_version = None
    if isinstance(prove_against, str):
        try:
            old_version = load_old(prove_against)
        except InputError as e:
            print(f"error: -Dprove: {e}", file=sys.stderr)
            return 2
    source = _source_among(outputs, derived.files)
    if source is not None:  # `build DIR/handler.js -o DIR` would replace the source with its compiled form
        print(f"error: {source} is a source of this build: write it to another folder (-o DIR)", file=sys.stderr)
        return 2
    try:
        for path, text in outputs.items():
            write_text(path, text)
    except OSError as e:
        print(f"error: cannot write {out}: {e}", file=sys.stderr)
        return 2
    print(f"zigttp build: {derived.path}")
    for path in outputs:
        print(f"  → {path}")
    print(report(derived.contract, derived.extraction), end="")
    if isinstance(prove_against, str):
        code = prove_build(prove_against, old_version, out)
        if code:
            return code
    if isinstance(deploy, str):
        return write_deploy(deploy, out, derived.contract, outputs[out / "contract.json"], derived.js, version)
    return 0


def _source_among(outputs: dict[Path, str], files: list[str]) -> Path | None:
    """The output path that is one of the build's source files (the handler or a local import), if any."""
    for path in outputs:
        for file in files:
            try:
                if path.exists() and path.samefile(file):
                    return path
            except OSError:  # a source that cannot be looked at is not this output
                continue
    return None


def load_old(spec: str) -> object:
    """-Dprove=OLD[:TRACES]: OLD read now, before this build may write over it (the same DIR, say)."""
    from zigttp.prove.inputs import load_side

    return load_side(spec.partition(":")[0])


def prove_build(spec: str, old: object, out: Path) -> int:
    """`zigttp prove OLD OUT --traces TRACES -o OUT`, OLD loaded beforehand. Exit code, 0 when safe."""
    from .prove import prove_loaded

    given, _, traces = spec.partition(":")
    args = argparse.Namespace(old=given, new=str(out), traces=Path(traces) if traces else None, out=out,
                              json=False, sign=None, verify=None, pubkey=None, durable=None)
    print(f"zigttp build: proving {out} against {given}" + (f" with {traces}" if traces else ""))
    return prove_loaded(args, old)
