"""The contract's durable section: keys, steps, signals and the run body's graph, from the one analysis."""

from __future__ import annotations

from collections.abc import Callable

from zigttp.contract.derive import Derived

Derive = Callable[..., Derived]
IMPORT = ('import { run, step, sleep, waitSignal, signal } from "zigttp:durable";\n'
          'import { cacheGet } from "zigttp:cache";\n')


def durable_of(derive_files: Derive, body: str) -> dict | None:
    d = derive_files({"h.ts": f"{IMPORT}\nexport function handler(req: Request): Response {{\n{body}\n}}\n"})
    assert d.ok and d.contract is not None, d.diagnostics
    return d.contract.get("durable")


def test_a_straight_run_body_is_a_complete_graph(derive_files: Derive) -> None:
    section = durable_of(derive_files, """  return run("order:1", () => {
    const a = step("a", () => 1);
    const hit = cacheGet("c", "k") ?? "";
    sleep(10);
    const go = waitSignal("go");
    return Response.json({ a, hit, go });
  });""")
    assert section is not None
    assert section["keys"] == {"literal": ["order:1"], "dynamic": False}
    assert section["steps"] == ["a"] and section["timers"] is True
    assert section["signals"] == {"literal": ["go"], "dynamic": False}
    flow = section["workflow"]
    assert flow["proofLevel"] == "complete" and flow["reasons"] == []
    assert flow["workflowId"].endswith("h.ts#order:1")
    assert [(n["kind"], n["label"]) for n in flow["nodes"]] == [
        ("step", "a"), ("call", "cache.cacheGet"), ("sleep", "10 ms"), ("waitSignal", "go")]
    assert [(e["from"], e["to"]) for e in flow["edges"]] == [
        ("start", "n1"), ("n1", "n2"), ("n2", "n3"), ("n3", "n4"), ("n4", "return")]


def test_a_branch_or_a_dynamic_key_makes_it_partial(derive_files: Derive) -> None:
    section = durable_of(derive_files, """  return run("k:" + req.path, () => {
    if (req.method === "POST") {
      step("write", () => 1);
    }
    return Response.text("ok");
  });""")
    assert section is not None
    assert section["keys"]["dynamic"] is True and section["workflow"]["workflowId"] is None
    flow = section["workflow"]
    assert flow["proofLevel"] == "partial"
    assert any("runs under a condition" in r for r in flow["reasons"])


def test_no_run_body_is_no_graph_and_no_durable_no_section(derive_files: Derive) -> None:
    section = durable_of(derive_files, """  const ok = signal("order:9", "approved", { by: "ops" });
  return Response.json({ ok });""")
    assert section is not None
    assert section["producerKeys"] == {"literal": ["order:9"], "dynamic": False}
    assert section["workflow"]["proofLevel"] == "none" and section["workflow"]["nodes"] == []
    d = derive_files({"p.ts": "export function handler(req: Request): Response { return Response.text('x'); }\n"})
    assert d.contract is not None and "durable" not in d.contract


def test_steps_in_a_helper_the_run_body_calls_are_in_the_graph(derive_files: Derive) -> None:
    d = derive_files({"h.ts": f"""{IMPORT}
function reserve(id: number): number {{
  const held = step("reserve", () => id);
  const stock = cacheGet("c", "stock") ?? "";
  return held + stock.length;
}}
function confirm(): string {{
  waitSignal("approved");
  return step("confirm", () => "ok");
}}
export function handler(req: Request): Response {{
  return run("order:7", () => {{
    const held = reserve(7);
    sleep(5);
    return Response.json({{ held, done: confirm() }});
  }});
}}
"""})
    assert d.ok and d.contract is not None, d.diagnostics
    flow = d.contract["durable"]["workflow"]
    assert [(n["kind"], n["label"]) for n in flow["nodes"]] == [
        ("step", "reserve"), ("call", "cache.cacheGet"), ("sleep", "5 ms"), ("waitSignal", "approved"),
        ("step", "confirm")]
    assert flow["proofLevel"] == "complete" and flow["nodes"][0]["at"].endswith("h.ts:5:16")
    assert len(flow["edges"]) == 6


def test_a_helper_called_under_a_condition_or_recursively_makes_it_partial(derive_files: Derive) -> None:
    d = derive_files({"h.ts": f"""{IMPORT}
function again(n: number): number {{
  step("again", () => n);
  return n > 0 ? again(n - 1) : 0;
}}
function maybe(): number {{
  return step("maybe", () => 1);
}}
export function handler(req: Request): Response {{
  return run("order:8", () => {{
    const a = req.method === "POST" ? maybe() : 0;
    return Response.json({{ a, b: again(2) }});
  }});
}}
"""})
    assert d.ok and d.contract is not None, d.diagnostics
    flow = d.contract["durable"]["workflow"]
    assert [n["label"] for n in flow["nodes"]] == ["maybe", "again"]
    assert flow["proofLevel"] == "partial"
    assert any("step() at line 9 runs under a condition" in r for r in flow["reasons"])
    assert any("again() calls itself" in r for r in flow["reasons"])
