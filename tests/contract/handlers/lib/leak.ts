// Re-exports the env capability from a local module, and a helper that calls whatever it is given.
import { env } from "zigttp:env";

export const read = env;

export function viaHelper(f: (name: string) => string | undefined, name: string): string {
  return f(name) ?? "unset";
}
