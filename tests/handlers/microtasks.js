// Promise jobs are work like any other: they run inside the request that
// queued them, within its deadline and fuel.
let bumped = 0;

function spin() {
  Promise.resolve().then(spin);
}

export function handler(req) {
  const p = req.path;
  if (p === "/ok") return Response.json({ ok: true, bumped });
  if (p === "/spin-async") {
    spin();
    return Promise.resolve(Response.json({ answered: true }));
  }
  if (p === "/spin-sync") {
    spin();
    return Response.json({ answered: true });
  }
  if (p === "/spin-then-throw") {
    spin();
    throw new Error("thrown after queuing jobs");
  }
  if (p === "/bump") {
    Promise.resolve().then(() => { bumped = bumped + 1; });
    return Response.json({ bumped });
  }
  return Response.text("not found", { status: 404 });
}
