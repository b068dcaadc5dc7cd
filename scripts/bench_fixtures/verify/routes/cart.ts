// /cart: a cookie-backed cart ("p-100:2,p-200:1"), no server state.
import type { Money, Product } from "../lib/types.ts";
import { findProduct } from "../lib/store.ts";
import { add, format, money, multiply } from "../lib/money.ts";
import { badRequest, notFound, ok } from "../lib/http.ts";

const COOKIE = "cart";
const MAX_LINES = 20;
const MAX_QUANTITY = 99;

export type CartLine = { productId: string; quantity: number };

type PricedLine = CartLine & { product: Product; lineTotal: Money };

export function parseCookies(header: string): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) {
      cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  }
  return cookies;
}

export function decodeCart(value: string): CartLine[] {
  const lines: CartLine[] = [];
  for (const item of value.split(",")) {
    const [id, count] = item.split(":");
    const quantity = parseInt(count ?? "", 10);
    if (id !== undefined && id.length > 0 && Number.isInteger(quantity) && quantity > 0) {
      lines.push({ productId: id, quantity: Math.min(quantity, MAX_QUANTITY) });
    }
  }
  return lines.slice(0, MAX_LINES);
}

export function encodeCart(lines: CartLine[]): string {
  return lines.map((line) => `${line.productId}:${line.quantity}`).join(",");
}

export function cartOf(req: Request): CartLine[] {
  const cookies = parseCookies(req.headers.get("cookie") ?? "");
  return decodeCart(cookies[COOKIE] ?? "");
}

function withItem(lines: CartLine[], productId: string, delta: number): CartLine[] {
  const existing = lines.find((line) => line.productId === productId);
  if (existing === undefined) {
    return delta > 0 ? [...lines, { productId, quantity: Math.min(delta, MAX_QUANTITY) }] : lines;
  }
  return lines
    .map((line) =>
      line.productId === productId
        ? { productId, quantity: Math.min(MAX_QUANTITY, line.quantity + delta) }
        : line,
    )
    .filter((line) => line.quantity > 0);
}

function priced(lines: CartLine[]): PricedLine[] {
  const result: PricedLine[] = [];
  for (const line of lines) {
    const product = findProduct(line.productId);
    if (product !== undefined) {
      result.push({ ...line, product, lineTotal: multiply(product.price, line.quantity) });
    }
  }
  return result;
}

function cartResponse(lines: CartLine[], status: number): Response {
  const rows = priced(lines);
  const total = rows.reduce((sum, row) => add(sum, row.lineTotal), money(0, "EUR"));
  const body = {
    lines: rows.map((row) => ({
      productId: row.productId,
      name: row.product.name,
      quantity: row.quantity,
      lineTotal: format(row.lineTotal),
    })),
    count: rows.reduce((n, row) => n + row.quantity, 0),
    total: format(total),
  };
  const cookie = `${COOKIE}=${encodeCart(lines)}; Path=/; HttpOnly; SameSite=Lax`;
  return Response.json(body, { status, headers: { "set-cookie": cookie } });
}

export function showCart(req: Request): Response {
  return cartResponse(cartOf(req), 200);
}

export function addToCart(req: Request, productId: string): Response {
  const product = findProduct(productId);
  if (product === undefined) {
    return notFound(`product ${productId}`);
  }
  const quantity = parseInt(String(req.query.quantity ?? "1"), 10);
  if (!Number.isInteger(quantity) || quantity < 1) {
    return badRequest("quantity must be a positive whole number");
  }
  if (product.stock < quantity) {
    return badRequest(`only ${product.stock} of ${product.name} in stock`);
  }
  return cartResponse(withItem(cartOf(req), productId, quantity), 200);
}

export function removeFromCart(req: Request, productId: string): Response {
  return cartResponse(withItem(cartOf(req), productId, -MAX_QUANTITY), 200);
}

export function clearCart(): Response {
  return cartResponse([], 200);
}

export function cartRoutes(req: Request, rest: string[]): Response {
  return match ({ method: req.method, rest }) {
    when { method: "GET", rest: [] }: showCart(req)
    when { method: "POST", rest: ["add", _] }: addToCart(req, rest[1])
    when { method: "POST", rest: ["remove", _] }: removeFromCart(req, rest[1])
    when { method: "POST", rest: ["clear"] }: clearCart()
    default: ok({ hint: "use GET /cart, POST /cart/add/:id, /cart/remove/:id or /cart/clear" })
  };
}
