"""`zigttp prove OLD NEW [--traces PATH] [-o DIR] [--json] [--sign KEY]` and `zigttp prove --verify CERT OLD NEW`.

Diffs the contracts of two versions of a handler with directional rules
(zigttp/prove/rules.py), replays recorded traffic against NEW, and writes a
certificate anyone can recompute. docs/prove.md has the rules and the format.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

EPILOG = """exit codes:
  0  SAFE or SAFE_WITH_ADDITIONS (with --verify: the certificate is reproduced byte for byte
     and, with --pubkey, its signature holds)
  1  BREAKING (with --verify: the certificate does not match, or its signature does not hold)
  2  usage or invalid input: a missing file, a bad contract or trace file, a handler that does not compile
  3  NEEDS_REVIEW
"""
DESCRIPTION = (
    "Prove that NEW can replace OLD. OLD and NEW are handler sources, bundle folders as `zigttp build` writes "
    "them (handler.js and contract.json), or contract.json files. The contracts are diffed with directional "
    "rules (narrowing what is accepted or changing what is returned is breaking; widening what is accepted "
    "and returning more are additive); with --traces every recorded request is replayed twice against NEW. "
    "Prints the classification (equivalent, additive, breaking), the upgrade verdict (SAFE, "
    "SAFE_WITH_ADDITIONS, NEEDS_REVIEW, BREAKING) and every finding with its rule id. With -o DIR writes "
    "proof.json (RFC 8785 canonical JSON), proof-report.txt and upgrade-manifest.json."
)


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prove", help="prove a new handler version against an old one (diff, replay, certificate)",
                       description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("old", help="the running version: handler source, bundle folder or contract.json")
    p.add_argument("new", help="the candidate version: handler source, bundle folder or contract.json")
    p.add_argument("--traces", type=Path, metavar="PATH",
                   help="a trace file or folder (zigttp serve --trace): replay every request against NEW")
    p.add_argument("-o", "--out", type=Path, metavar="DIR",
                   help="write proof.json, proof-report.txt and upgrade-manifest.json to DIR")
    p.add_argument("--json", action="store_true", help="print the certificate's statement as JSON")
    p.add_argument("--sign", type=Path, metavar="KEY",
                   help="also write DIR/proof.json.sig: Ed25519 over proof.json (KEY: PEM PKCS#8 private key)")
    p.add_argument("--verify", type=Path, metavar="CERT",
                   help="recompute the statement for OLD and NEW and compare it with CERT byte for byte")
    p.add_argument("--pubkey", type=Path, metavar="KEY",
                   help="with --verify: check CERT.sig against this PEM Ed25519 public key")
    p.add_argument("--durable", type=Path, metavar="DIR",
                   help="a durable folder (serve --durable DIR): replay every in-flight run against NEW, on a copy, "
                        "and make the verdict BREAKING for any run NEW would not resume (ZP607)")
    p.set_defaults(run=run_prove)


def _usage_problem(args: argparse.Namespace) -> str | None:
    if args.sign is not None and args.out is None:
        return "--sign needs -o DIR (the signature is written beside DIR/proof.json)"
    if args.pubkey is not None and args.verify is None:
        return "--pubkey is for --verify"
    if args.verify is not None and (args.out is not None or args.sign is not None):
        return "--verify checks a certificate; it does not take -o or --sign"
    return None


def run_prove(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from zigttp.prove.inputs import InputError

    out, err = stdout or sys.stdout, stderr or sys.stderr
    problem = _usage_problem(args)
    if problem is not None:
        err.write(f"zigttp prove: error: {problem}\n")
        return 2
    try:
        checking = _certificate_at_hand(args)  # before the proof's work: a missing file fails fast
        proof, statement, data = _prove(args)
        if checking is not None:
            return _verify(args, *checking, data, out, err)
    except InputError as e:
        err.write(f"error: {e}\n")
        return 2
    return emit(args, proof, statement, data, out, err)


def emit(args: argparse.Namespace, proof: Any, statement: dict[str, Any], data: bytes, out: TextIO,
         err: TextIO) -> int:
    """Writes the certificate and its companions (-o), prints the report; the verdict's exit code."""
    from zigttp.prove.inputs import InputError

    try:
        _write_outputs(args, proof, statement, data)
    except InputError as e:
        err.write(f"error: {e}\n")
        return 2
    for warning in proof.evidence.warnings if proof.evidence is not None else []:
        err.write(f"warning: {warning}\n")
    _print(args, proof, statement, out)
    return int(proof.verdict.exit_code)


def _prove(args: argparse.Namespace, old: Any = None) -> tuple[Any, dict[str, Any], bytes]:
    """The proof, its statement and the statement's canonical bytes; `old`: OLD already loaded."""
    from zigttp.prove.certificate import canonical_bytes
    from zigttp.prove.inputs import load_side
    from zigttp.prove.run import prove
    from zigttp.prove.statement import build_statement

    proof = prove(old if old is not None else load_side(args.old), load_side(args.new), args.traces, args.durable)
    statement = build_statement(proof)
    return proof, statement, canonical_bytes(statement)


def prove_loaded(args: argparse.Namespace, old: Any) -> int:
    """`zigttp prove` with OLD loaded beforehand (zigttp build -Dprove reads it before writing over it)."""
    from zigttp.prove.inputs import InputError

    try:
        proof, statement, data = _prove(args, old)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return emit(args, proof, statement, data, sys.stdout, sys.stderr)


def _print(args: argparse.Namespace, proof: Any, statement: dict[str, Any], out: TextIO) -> None:
    import orjson

    from zigttp.prove.report import text_report

    if args.json:
        out.write(orjson.dumps(statement, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        out.write(text_report(proof, statement))


def _write_outputs(args: argparse.Namespace, proof: Any, statement: dict[str, Any], data: bytes) -> None:
    from zigttp.contract.writer import dumps, write_text
    from zigttp.prove.certificate import sign
    from zigttp.prove.inputs import InputError
    from zigttp.prove.report import text_report, upgrade_manifest

    if args.out is None:
        return
    signature = sign(data, args.sign) if args.sign is not None else None
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "proof.json").write_bytes(data)
        write_text(args.out / "proof-report.txt", text_report(proof, statement))
        write_text(args.out / "upgrade-manifest.json", dumps(upgrade_manifest(proof, statement)))
        if signature is not None:
            write_text(args.out / "proof.json.sig", signature)
    except OSError as e:
        raise InputError(f"cannot write {args.out}: {e.strerror or e}") from None


def _certificate_at_hand(args: argparse.Namespace) -> tuple[bytes, Any] | None:
    """With --verify: CERT's bytes and the public key (None without --pubkey)."""
    from zigttp.prove.certificate import load_public_key
    from zigttp.prove.inputs import InputError

    if args.verify is None:
        return None
    try:
        recorded = args.verify.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {args.verify}: {e.strerror or e}") from None
    return recorded, (load_public_key(args.pubkey) if args.pubkey is not None else None)


def _verify(args: argparse.Namespace, recorded: bytes, key: Any, data: bytes, out: TextIO, err: TextIO) -> int:
    from zigttp.prove.certificate import signature_holds

    cert: Path = args.verify
    ok = recorded == data
    if ok:
        out.write(f"{cert}: the statement matches byte for byte\n")
    else:
        err.write(f"{cert}: does not match the statement recomputed for {args.old} and {args.new}"
                  f"{_differing_keys(recorded, data)}\n")
    if key is not None:
        signature = Path(f"{cert}.sig")
        if not signature.is_file():
            err.write(f"{signature}: no signature file\n")
            return 1
        if signature_holds(recorded, signature, key):
            out.write(f"{signature}: the signature holds ({args.pubkey})\n")
        else:
            err.write(f"{signature}: the signature does not hold for {args.pubkey}\n")
            ok = False
    return 0 if ok else 1


def _differing_keys(recorded: bytes, data: bytes) -> str:
    import json

    try:
        a, b = json.loads(recorded), json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than json's decoder follows
        return " (CERT is not JSON)"
    if not isinstance(a, dict):
        return " (CERT is not a JSON object)"
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return f" (differs in: {', '.join(keys)})" if keys else " (same content, other bytes: not canonical)"
