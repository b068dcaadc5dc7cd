"""zigttp:compose — guard and pipe. The compiler desugars them; at run time they are plain functions."""

from __future__ import annotations

from ..registry import Export, Param

M = "zigttp:compose"
PIPE_JS = """(call, lib) => function pipe(...fs) {
  if (fs.length === 0) throw new TypeError("pipe() requires at least one function argument");
  let acc = fs[0]();
  for (let i = 1; i < fs.length; i++) acc = fs[i](acc);
  return acc;
}"""
EXPORTS = (
    Export(M, "guard", (Param("fn", "F"),), "F", js="(call, lib) => function guard(f) { return f; }",
           traced=False, doc="Marks a pre- or post-guard for `|>` chains; identity at run time."),
    Export(M, "pipe", (Param("fns", "(x?: any) => any", variadic=True),), "any",
           js=PIPE_JS, traced=False,
           doc="pipe(f1, f2, ..., fN) is fN(...f2(f1())): f1 supplies the value, each next function transforms it "
               "(the compiler's desugaring, reproduced at run time for plain JavaScript)."),
)
