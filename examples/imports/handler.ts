// Local imports are resolved, checked and bundled into one module.
import { describe, priceOf } from "./lib/prices.ts";
import { formatMoney } from "./lib/format.ts";

export function handler(req: Request): Response {
  const product = req.path.slice(1);
  const price = priceOf(product);
  if (price === undefined) {
    return Response.json({ error: describe(product) }, { status: 404 });
  }
  return Response.json({ product, price: formatMoney(price), text: describe(product) });
}
