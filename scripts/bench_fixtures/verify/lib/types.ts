// Domain types for the shop service.
import type { Spec } from "zigttp:types";

distinct type ProductId = string;
distinct type OrderId = string;
distinct type CustomerId = string;

export type Currency = "EUR" | "USD" | "GBP";

export type Money = {
  readonly cents: number;
  readonly currency: Currency;
};

export type Category = "tea" | "coffee" | "pastry" | "merch";

export interface Product {
  readonly id: ProductId;
  sku: `SKU-${string}`;
  name: string;
  description: string;
  category: Category;
  price: Money;
  stock: number;
  tags: string[];
  discontinued?: boolean;
}

export type OrderStatus = "draft" | "placed" | "paid" | "shipped" | "cancelled";

export interface OrderLine {
  productId: ProductId;
  quantity: number;
  unitPrice: Money;
}

export interface Order {
  readonly id: OrderId;
  customerId: CustomerId;
  status: OrderStatus;
  lines: OrderLine[];
  createdAt: number;
  note?: string;
}

export type Role = "customer" | "staff" | "admin";

export interface Customer {
  readonly id: CustomerId;
  email: string;
  name: string;
  role: Role;
  country: string;
  marketingOptIn: boolean;
}

export type Session = {
  customerId: CustomerId;
  role: Role;
  expiresAt: number;
};

export type FieldError = { field: string; message: string };

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export type SortDirection = "asc" | "desc";

export type ListQuery = {
  page: number;
  pageSize: number;
  sort: string;
  direction: SortDirection;
  search: string;
};

export type Paged<T> = {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
  pages: number;
};

export type ReadOnlyRoute = Response & Spec<"read_only" | "deterministic">;

export type Handler = (req: Request) => Response;

export type Guard = (req: Request) => Response | undefined;

export type Partial2<T> = { [K in keyof T]?: T[K] };

export type ProductPatch = Partial2<Pick<Product, "name" | "description" | "price" | "stock" | "tags">>;

export type OrderSummary = Omit<Order, "lines"> & { itemCount: number; total: Money };

export type EventName = `order.${OrderStatus}` | `product.${"created" | "updated"}`;

export function productId(raw: string): ProductId {
  return ProductId(raw);
}

export function orderId(raw: string): OrderId {
  return OrderId(raw);
}

export function customerId(raw: string): CustomerId {
  return CustomerId(raw);
}

export function isCategory(value: string): value is Category {
  return value === "tea" || value === "coffee" || value === "pastry" || value === "merch";
}

export function isCurrency(value: string): value is Currency {
  return value === "EUR" || value === "USD" || value === "GBP";
}

export function isOrderStatus(value: string): value is OrderStatus {
  const known: string[] = ["draft", "placed", "paid", "shipped", "cancelled"];
  return known.includes(value);
}
