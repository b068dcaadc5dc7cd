// Catalogue, customers and orders. The seed data is module-scope and never changes; everything a
// request creates or changes lives in zigttp:cache, so no request can see another's module state.
import type { Category, Customer, Order, OrderLine, OrderStatus, Product, ProductPatch } from "./types.ts";
import { customerId, orderId, productId } from "./types.ts";
import { money } from "./money.ts";
import { cacheGet, cacheIncr, cacheSet } from "zigttp:cache";

const products: Product[] = [
  {
    id: productId("p-100"), sku: "SKU-GREEN-01", name: "Sencha", description: "Steamed Japanese green tea.",
    category: "tea", price: money(1250, "EUR"), stock: 40, tags: ["green", "japan"],
  },
  {
    id: productId("p-101"), sku: "SKU-BLACK-02", name: "Assam", description: "Malty black tea for mornings.",
    category: "tea", price: money(990, "EUR"), stock: 65, tags: ["black", "india"],
  },
  {
    id: productId("p-102"), sku: "SKU-OOLONG-03", name: "Tieguanyin", description: "Floral rolled oolong.",
    category: "tea", price: money(1890, "EUR"), stock: 12, tags: ["oolong", "china"],
  },
  {
    id: productId("p-200"), sku: "SKU-BEAN-01", name: "Ethiopia Guji", description: "Light roast, berry notes.",
    category: "coffee", price: money(1450, "EUR"), stock: 30, tags: ["light", "single-origin"],
  },
  {
    id: productId("p-201"), sku: "SKU-BEAN-02", name: "House Espresso", description: "Chocolate and hazelnut.",
    category: "coffee", price: money(1190, "EUR"), stock: 80, tags: ["espresso", "blend"],
  },
  {
    id: productId("p-300"), sku: "SKU-CAKE-01", name: "Lemon drizzle", description: "A slice, baked daily.",
    category: "pastry", price: money(450, "EUR"), stock: 18, tags: ["cake"],
  },
  {
    id: productId("p-301"), sku: "SKU-CROIS-02", name: "Croissant", description: "All-butter, laminated.",
    category: "pastry", price: money(280, "EUR"), stock: 0, tags: ["viennoiserie"], discontinued: false,
  },
  {
    id: productId("p-400"), sku: "SKU-MUG-01", name: "Stoneware mug", description: "Holds 350 ml.",
    category: "merch", price: money(2200, "EUR"), stock: 9, tags: ["ceramic"],
  },
];

const customers: Customer[] = [
  { id: customerId("c-1"), email: "ada@example.com", name: "Ada", role: "admin", country: "GB", marketingOptIn: false },
  { id: customerId("c-2"), email: "lin@example.com", name: "Lin", role: "staff", country: "NL", marketingOptIn: true },
  { id: customerId("c-3"), email: "sam@example.com", name: "Sam", role: "customer", country: "DE", marketingOptIn: true },
  { id: customerId("c-4"), email: "ola@example.com", name: "Ola", role: "customer", country: "NO", marketingOptIn: false },
];

const orders: Order[] = [
  {
    id: orderId("o-1"), customerId: customerId("c-3"), status: "paid", createdAt: 1700000000000,
    lines: [{ productId: productId("p-100"), quantity: 2, unitPrice: money(1250, "EUR") }],
  },
  {
    id: orderId("o-2"), customerId: customerId("c-3"), status: "shipped", createdAt: 1700500000000,
    lines: [
      { productId: productId("p-200"), quantity: 1, unitPrice: money(1450, "EUR") },
      { productId: productId("p-300"), quantity: 3, unitPrice: money(450, "EUR") },
    ],
  },
  {
    id: orderId("o-3"), customerId: customerId("c-4"), status: "placed", createdAt: 1701000000000,
    lines: [{ productId: productId("p-400"), quantity: 1, unitPrice: money(2200, "EUR") }], note: "gift wrap",
  },
];

const PRODUCTS = "products";
const CUSTOMERS = "customers";
const ORDERS = "orders";
const COUNTERS = "counters";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && !Array.isArray(value);
}

function isMoney(value: unknown): boolean {
  return isRecord(value) && typeof value.cents === "number" && typeof value.currency === "string";
}

function isProduct(value: unknown): value is Product {
  return (
    isRecord(value) &&
    typeof value.id === "string" &&
    typeof value.name === "string" &&
    typeof value.stock === "number" &&
    isMoney(value.price) &&
    Array.isArray(value.tags)
  );
}

function isCustomer(value: unknown): value is Customer {
  return isRecord(value) && typeof value.id === "string" && typeof value.email === "string";
}

function isOrder(value: unknown): value is Order {
  return isRecord(value) && typeof value.id === "string" && Array.isArray(value.lines);
}

function cachedProduct(id: string): Product | undefined {
  const text = cacheGet(PRODUCTS, id);
  if (text === undefined) {
    return undefined;
  }
  const parsed = JSON.tryParse(text);
  if (!parsed.ok || !isProduct(parsed.value)) {
    return undefined;
  }
  return parsed.value;
}

function cachedCustomer(id: string): Customer | undefined {
  const text = cacheGet(CUSTOMERS, id);
  if (text === undefined) {
    return undefined;
  }
  const parsed = JSON.tryParse(text);
  return parsed.ok && isCustomer(parsed.value) ? parsed.value : undefined;
}

function cachedOrder(id: string): Order | undefined {
  const text = cacheGet(ORDERS, id);
  if (text === undefined) {
    return undefined;
  }
  const parsed = JSON.tryParse(text);
  if (parsed.isErr()) {
    return undefined;
  }
  const value = parsed.unwrap();
  return isOrder(value) ? value : undefined;
}

function createdOrderIds(): string[] {
  const text = cacheGet(ORDERS, "index") ?? "[]";
  const parsed = JSON.tryParse(text);
  if (!parsed.ok || !Array.isArray(parsed.value)) {
    return [];
  }
  return parsed.value.map((id) => String(id));
}

export function allProducts(): Product[] {
  return products.map((p) => cachedProduct(p.id) ?? p).filter((p) => p.discontinued !== true);
}

export function productsIn(category: Category): Product[] {
  return allProducts().filter((p) => p.category === category);
}

export function findProduct(id: string): Product | undefined {
  const seeded = products.find((p) => p.id === id);
  if (seeded === undefined) {
    return undefined;
  }
  return cachedProduct(id) ?? seeded;
}

export function findBySku(sku: string): Product | undefined {
  const wanted = sku.toUpperCase();
  return allProducts().find((p) => p.sku === wanted);
}

export function searchProducts(text: string): Product[] {
  const needle = text.trim().toLowerCase();
  if (needle.length === 0) {
    return allProducts();
  }
  return allProducts().filter(
    (p) =>
      p.name.toLowerCase().includes(needle) ||
      p.description.toLowerCase().includes(needle) ||
      p.tags.some((t) => t.includes(needle)),
  );
}

export function updateProduct(id: string, patch: ProductPatch): Product | undefined {
  const current = findProduct(id);
  if (current === undefined) {
    return undefined;
  }
  const updated: Product = { ...current, ...patch };
  cacheSet(PRODUCTS, id, JSON.stringify(updated));
  return updated;
}

export function reserveStock(id: string, quantity: number): boolean {
  const product = findProduct(id);
  if (product === undefined || product.stock < quantity) {
    return false;
  }
  return updateProduct(id, { stock: product.stock - quantity }) !== undefined;
}

export function findCustomer(id: string): Customer | undefined {
  return customers.find((c) => c.id === id) ?? cachedCustomer(id);
}

export function findCustomerByEmail(email: string): Customer | undefined {
  const wanted = email.trim().toLowerCase();
  return customers.find((c) => c.email === wanted);
}

export function allCustomers(): Customer[] {
  return customers.slice();
}

export function addCustomer(customer: Customer): Customer {
  cacheSet(CUSTOMERS, customer.id, JSON.stringify(customer));
  return customer;
}

export function allOrders(): Order[] {
  const created: Order[] = [];
  for (const id of createdOrderIds()) {
    const order = cachedOrder(id);
    if (order !== undefined) {
      created.push(order);
    }
  }
  const seeded = orders.map((o) => cachedOrder(o.id) ?? o);
  return [...seeded, ...created].toSorted((a, b) => b.createdAt - a.createdAt);
}

export function ordersFor(customer: string): Order[] {
  return allOrders().filter((o) => o.customerId === customer);
}

export function findOrder(id: string): Order | undefined {
  return cachedOrder(id) ?? orders.find((o) => o.id === id);
}

export function createOrder(customer: string, lines: OrderLine[], createdAt: number): Order {
  const number = cacheIncr(COUNTERS, "orders") + orders.length;
  const order: Order = {
    id: orderId(`o-${number}`),
    customerId: customerId(customer),
    status: "placed",
    lines,
    createdAt,
  };
  cacheSet(ORDERS, order.id, JSON.stringify(order));
  cacheSet(ORDERS, "index", JSON.stringify([...createdOrderIds(), order.id]));
  return order;
}

export function setOrderStatus(id: string, status: OrderStatus): Order | undefined {
  const current = findOrder(id);
  if (current === undefined) {
    return undefined;
  }
  const updated: Order = { ...current, status };
  cacheSet(ORDERS, id, JSON.stringify(updated));
  return updated;
}
