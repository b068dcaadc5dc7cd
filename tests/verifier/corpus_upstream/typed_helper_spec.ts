// upstream examples/handler/handler.ts (run by tests/verify/run_tests.sh as
// "TypeScript handler passes"): a type alias, an interface, a typed helper that
// reads the clock, and Spec<...> properties that all hold.
import type { Spec } from "zigttp:types";

type Promises = Spec<"injection_safe" | "state_isolated" | "retry_safe" | "no_secret_leakage">;

type Visitor = {
  name: string;
  visits: number;
};

interface Greeting {
  text: string;
  at: number;
}

function greet(visitor: Visitor): Greeting {
  return { text: "Welcome, " + visitor.name, at: Date.now() };
}

function handler(req: Request): Response & Promises {
  const visitor: Visitor = { name: "guest", visits: 3 };
  const greeting: Greeting = greet(visitor);
  return Response.json(greeting);
}
// verdict: pass
// expect:
