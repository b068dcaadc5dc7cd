// /api/orders: checkout and order lifecycle.
import type { Money, Order, OrderLine, OrderStatus, OrderSummary, Session } from "../lib/types.ts";
import { isOrderStatus, productId } from "../lib/types.ts";
import { add, format, money, multiply, percentOf, sum } from "../lib/money.ts";
import {
  allOrders,
  createOrder,
  findOrder,
  findProduct,
  ordersFor,
  reserveStock,
  setOrderStatus,
} from "../lib/store.ts";
import { hasRole, sessionOf } from "../lib/auth.ts";
import { listQuery, page, sortBy } from "../lib/pagination.ts";
import {
  conflict,
  created,
  forbidden,
  invalid,
  notFound,
  ok,
  paged,
  parseJsonBody,
  unauthorized,
} from "../lib/http.ts";
import { validateOrderLines } from "../lib/validate.ts";

const FREE_SHIPPING_FROM = money(5000, "EUR");
const SHIPPING = money(495, "EUR");
const VAT_PERCENT = 21;

// Allowed status transitions; anything else is a conflict.
const TRANSITIONS: Record<OrderStatus, OrderStatus[]> = {
  draft: ["placed", "cancelled"],
  placed: ["paid", "cancelled"],
  paid: ["shipped", "cancelled"],
  shipped: [],
  cancelled: [],
};

export type Totals = { subtotal: Money; shipping: Money; vat: Money; total: Money };

export function lineTotal(line: OrderLine): Money {
  return multiply(line.unitPrice, line.quantity);
}

export function totals(order: Order): Totals {
  const subtotal = sum(order.lines.map(lineTotal), "EUR");
  const shipping = subtotal.cents >= FREE_SHIPPING_FROM.cents || subtotal.cents === 0 ? money(0, "EUR") : SHIPPING;
  const vat = percentOf(subtotal, VAT_PERCENT);
  return { subtotal, shipping, vat, total: add(add(subtotal, shipping), vat) };
}

export function summarize(order: Order): OrderSummary {
  const itemCount = order.lines.reduce((count, line) => count + line.quantity, 0);
  return {
    id: order.id,
    customerId: order.customerId,
    status: order.status,
    createdAt: order.createdAt,
    note: order.note,
    itemCount,
    total: totals(order).total,
  };
}

function describe(order: Order) {
  const t = totals(order);
  return {
    ...summarize(order),
    lines: order.lines.map((line) => {
      const product = findProduct(line.productId);
      return {
        productId: line.productId,
        name: product?.name ?? "unknown product",
        quantity: line.quantity,
        unitPrice: format(line.unitPrice),
        lineTotal: format(lineTotal(line)),
      };
    }),
    subtotal: format(t.subtotal),
    shipping: format(t.shipping),
    vat: format(t.vat),
    total: format(t.total),
  };
}

function canSee(session: Session, order: Order): boolean {
  return order.customerId === session.customerId || hasRole(session, "staff");
}

export function listOrders(req: Request): Response {
  const session = sessionOf(req);
  if (session === undefined) {
    return unauthorized("sign in to see orders");
  }
  const query = listQuery(req, ["createdAt", "status", "total"], "-createdAt");
  const visible = hasRole(session, "staff") ? allOrders() : ordersFor(session.customerId);
  const wantedStatus = String(req.query.status ?? "");
  const filtered = isOrderStatus(wantedStatus) ? visible.filter((o) => o.status === wantedStatus) : visible;
  const summaries = filtered.map(summarize);
  const sorted = sortBy(
    summaries,
    (s) => (query.sort === "total" ? s.total.cents : query.sort === "status" ? s.status : s.createdAt),
    query.direction,
  );
  const result = page(sorted, query);
  return paged({ ...result, items: result.items.map((s) => ({ ...s, total: format(s.total) })) }, "/api/orders");
}

export function showOrder(req: Request, id: string): Response {
  const session = sessionOf(req);
  const order = findOrder(id);
  if (session === undefined) {
    return unauthorized("sign in to see orders");
  }
  if (order === undefined || !canSee(session, order)) {
    return notFound(`order ${id}`);
  }
  return ok(describe(order));
}

export function placeOrder(req: Request): Response {
  const session = sessionOf(req);
  if (session === undefined) {
    return unauthorized("sign in to order");
  }
  const checked = validateOrderLines(parseJsonBody(req));
  if (!checked.ok) {
    return invalid(checked.errors);
  }
  const lines: OrderLine[] = [];
  for (const wanted of checked.value) {
    const product = findProduct(wanted.productId);
    if (product === undefined) {
      return invalid([{ field: "lines", message: `unknown product ${wanted.productId}` }]);
    }
    if (!reserveStock(product.id, wanted.quantity)) {
      return conflict(`only ${product.stock} of ${product.name} left`);
    }
    lines.push({ productId: productId(product.id), quantity: wanted.quantity, unitPrice: product.price });
  }
  const order = createOrder(session.customerId, lines, Date.now());
  return created(describe(order), `/api/orders/${order.id}`);
}

export function changeStatus(req: Request, id: string, next: string): Response {
  const session = sessionOf(req);
  if (session === undefined) {
    return unauthorized("sign in first");
  }
  const order = findOrder(id);
  if (order === undefined || !canSee(session, order)) {
    return notFound(`order ${id}`);
  }
  if (!isOrderStatus(next)) {
    return invalid([{ field: "status", message: `unknown status ${next}` }]);
  }
  const customerMayDo = next === "cancelled" && order.customerId === session.customerId;
  if (!customerMayDo && !hasRole(session, "staff")) {
    return forbidden("only staff can move orders forward");
  }
  if (!TRANSITIONS[order.status].includes(next)) {
    return conflict(`cannot go from ${order.status} to ${next}`);
  }
  const updated = setOrderStatus(id, next);
  assert updated !== undefined, notFound(`order ${id}`);
  return ok(describe(updated));
}

export function orderRoutes(req: Request, rest: string[]): Response {
  return match ({ method: req.method, rest }) {
    when { method: "GET", rest: [] }: listOrders(req)
    when { method: "POST", rest: [] }: placeOrder(req)
    when { method: "GET", rest: [_] }: showOrder(req, rest[0])
    when { method: "POST", rest: [_, "status", _] }: changeStatus(req, rest[0], rest[2])
    when { method: "POST", rest: [_, "cancel"] }: changeStatus(req, rest[0], "cancelled")
    default: notFound(`route ${req.method} /api/orders/${rest.join("/")}`)
  };
}
