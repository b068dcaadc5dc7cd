// An optional number in arithmetic is NaN when absent.
type Item = { sku: string; price: number };
const ITEMS: Item[] = [{ sku: "a", price: 3 }];

function priceOf(sku: string): number | undefined {
  return ITEMS.find((i) => i.sku === sku)?.price;
}

export function handler(req: Request): Response {
  const price = priceOf(req.path.slice(1));
  const total = price * 2;
  return Response.json({ total });
}
// expect: ZTS308@11:17
