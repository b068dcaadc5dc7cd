// A readonly field is assigned.
type Money = { readonly cents: number; readonly currency: string };

function discount(price: Money): Money {
  price.cents = price.cents - 100;
  return price;
}

export function handler(req: Request): Response {
  return Response.json(discount({ cents: 500, currency: "EUR" }));
}
// expect: ZTS200@5:9
