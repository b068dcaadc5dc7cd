// tests/test_guest_hardening_served.py: tries to change engine-wide error settings in one request.
export function handler(req) {
  let assigned = "no";
  if (req.path === "/set") {
    try {
      Error.stackTraceLimit = 0;
      Error.prepareStackTrace = () => "forged";
      assigned = "yes";
    } catch (e) {
      assigned = e.name;
    }
  }
  return Response.json({
    assigned,
    limit: Error.stackTraceLimit,
    prepare: typeof Error.prepareStackTrace,
    stack: String(new Error("probe").stack).includes("handler"),
  });
}
