// /api/reports: staff analytics computed from the in-memory store.
import type { Category, Money, Order, OrderStatus } from "../lib/types.ts";
import { allOrders, allProducts, findProduct } from "../lib/store.ts";
import { add, format, money } from "../lib/money.ts";
import { ok } from "../lib/http.ts";
import { lineTotal, totals } from "./orders.ts";

type Bucket = { key: string; orders: number; revenue: Money };

const DAY_MS = comptime(24 * 60 * 60 * 1000);
const COUNTED: OrderStatus[] = ["paid", "shipped"];

function counted(orders: Order[]): Order[] {
  return orders.filter((o) => COUNTED.includes(o.status));
}

function dayKey(timestamp: number): string {
  const days = Math.floor(timestamp / DAY_MS);
  return `day-${days}`;
}

function bucketize(orders: Order[], keyOf: (o: Order) => string): Bucket[] {
  const buckets: Record<string, Bucket> = {};
  for (const order of orders) {
    const key = keyOf(order);
    const previous = buckets[key] ?? { key, orders: 0, revenue: money(0, "EUR") };
    buckets[key] = { key, orders: previous.orders + 1, revenue: add(previous.revenue, totals(order).total) };
  }
  return Object.values(buckets).toSorted((a, b) => b.revenue.cents - a.revenue.cents);
}

export function revenueByDay(): Response {
  const buckets = bucketize(counted(allOrders()), (o) => dayKey(o.createdAt));
  return ok({ buckets: buckets.map((b) => ({ day: b.key, orders: b.orders, revenue: format(b.revenue) })) });
}

export function revenueByCategory(): Response {
  const byCategory: Record<string, Money> = {};
  for (const order of counted(allOrders())) {
    for (const line of order.lines) {
      const category: Category | "unknown" = findProduct(line.productId)?.category ?? "unknown";
      byCategory[category] = add(byCategory[category] ?? money(0, "EUR"), lineTotal(line));
    }
  }
  const rows = Object.entries(byCategory)
    .map((entry) => {
      const [category, revenue] = entry;
      return { category, revenue: format(revenue), cents: revenue.cents };
    })
    .toSorted((a, b) => b.cents - a.cents);
  return ok({ rows });
}

export function bestSellers(limit: number): Response {
  const quantities: Record<string, number> = {};
  for (const order of counted(allOrders())) {
    for (const line of order.lines) {
      quantities[line.productId] = (quantities[line.productId] ?? 0) + line.quantity;
    }
  }
  const ranking = Object.entries(quantities)
    .toSorted((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map((entry) => {
      const [id, sold] = entry;
      return { id, name: findProduct(id)?.name ?? id, sold };
    });
  return ok({ ranking });
}

export function stockAlerts(threshold: number): Response {
  const low = allProducts()
    .filter((p) => p.stock < threshold)
    .map((p) => ({ id: p.id, name: p.name, stock: p.stock, level: p.stock === 0 ? "out" : "low" }));
  return ok({ threshold, alerts: low });
}

export function statusFunnel(): Response {
  const statuses: OrderStatus[] = ["draft", "placed", "paid", "shipped", "cancelled"];
  const orders = allOrders();
  const counts = statuses.map((status) => ({ status, count: orders.filter((o) => o.status === status).length }));
  const conversion = orders.length === 0 ? 0 : counted(orders).length / orders.length;
  return ok({ counts, conversion: Math.round(conversion * 1000) / 10 });
}

export function reportRoutes(req: Request, rest: string[]): Response {
  const limit = Math.min(50, Math.max(1, parseInt(String(req.query.limit ?? "5"), 10) || 5));
  return match (rest) {
    when ["revenue", "daily"]: revenueByDay()
    when ["revenue", "categories"]: revenueByCategory()
    when ["best-sellers"]: bestSellers(limit)
    when ["stock"]: stockAlerts(parseInt(String(req.query.below ?? "10"), 10) || 10)
    when ["funnel"]: statusFunnel()
    default: ok({ reports: ["revenue/daily", "revenue/categories", "best-sellers", "stock", "funnel"] })
  };
}
