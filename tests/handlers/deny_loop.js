// tests/test_log_boundary.py: one request meets the egress policy's refusal many times.
export function handler(req) {
  let refused = 0;
  for (let i = 0; i < 1000; i++) {
    if (fetchSync("https://denied-" + (i % 7) + ".example/x").status === 599) refused++;
  }
  return Response.json({ refused });
}
