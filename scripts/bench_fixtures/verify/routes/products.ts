// /api/products: catalogue browsing and staff edits.
import type { Category, Product, ReadOnlyRoute } from "../lib/types.ts";
import { isCategory } from "../lib/types.ts";
import { convert, format, money, parseAmount } from "../lib/money.ts";
import { isCurrency } from "../lib/types.ts";
import {
  allProducts,
  findBySku,
  findProduct,
  productsIn,
  searchProducts,
  updateProduct,
} from "../lib/store.ts";
import { listQuery, page, sortBy } from "../lib/pagination.ts";
import { badRequest, created, invalid, notFound, ok, paged, parseJsonBody } from "../lib/http.ts";
import { validateNewProduct, validatePatch } from "../lib/validate.ts";
import { productId } from "../lib/types.ts";
import { score, slug, truncate } from "../lib/text.ts";

const SORTABLE = ["name", "price", "stock", "category"];

type ProductView = {
  id: string;
  sku: string;
  name: string;
  category: Category;
  price: string;
  priceCents: number;
  currency: string;
  inStock: boolean;
  lowStock: boolean;
  tags: string[];
};

function view(product: Product, currency: string): ProductView {
  const target = isCurrency(currency) ? currency : product.price.currency;
  const price = convert(product.price, target);
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    category: product.category,
    price: format(price),
    priceCents: price.cents,
    currency: price.currency,
    inStock: product.stock > 0,
    lowStock: product.stock > 0 && product.stock < 10,
    tags: product.tags,
  };
}

function sortKey(field: string): (p: Product) => unknown {
  return match (field) {
    when "price": (p: Product) => p.price.cents
    when "stock": (p: Product) => p.stock
    when "category": (p: Product) => p.category
    default: (p: Product) => p.name.toLowerCase()
  };
}

export function listProducts(req: Request): ReadOnlyRoute {
  const query = listQuery(req, SORTABLE, "name");
  const category = String(req.query.category ?? "");
  const base = category.length > 0 && isCategory(category) ? productsIn(category) : searchProducts(query.search);
  const inStockOnly = req.query.inStock === "true" || req.query.inStock === 1;
  const filtered = inStockOnly ? base.filter((p) => p.stock > 0) : base;
  const sorted = sortBy(filtered, sortKey(query.sort), query.direction);
  const currency = String(req.query.currency ?? "EUR");
  const ranked = query.search.length > 0
    ? sorted.toSorted((a, b) => score(b.name + " " + b.description, query.search) - score(a.name, query.search))
    : sorted;
  const result = page(ranked, query);
  return paged({ ...result, items: result.items.map((p) => view(p, currency)) }, "/api/products");
}

export function showProduct(req: Request, id: string): Response {
  const product = findProduct(id) ?? findBySku(id);
  if (product === undefined) {
    return notFound(`product ${id}`);
  }
  const currency = String(req.query.currency ?? product.price.currency);
  const related = allProducts()
    .filter((p) => p.category === product.category && p.id !== product.id)
    .slice(0, 3)
    .map((p) => ({ id: p.id, name: p.name }));
  return ok({
    ...view(product, currency),
    description: product.description,
    summary: truncate(product.description, 60),
    slug: slug(product.name),
    related,
  });
}

export function createProduct(req: Request): Response {
  const checked = validateNewProduct(parseJsonBody(req));
  if (!checked.ok) {
    return invalid(checked.errors);
  }
  const input = checked.value;
  const price = parseAmount(input.priceText, input.currency) ?? money(0, input.currency);
  const existing = allProducts().find((p) => p.name.toLowerCase() === input.name.toLowerCase());
  if (existing !== undefined) {
    return badRequest(`a product named ${input.name} already exists (${existing.id})`);
  }
  const product: Product = {
    id: productId(`p-${allProducts().length + 500}`),
    sku: `SKU-${input.name.toUpperCase().replaceAll(" ", "-").slice(0, 12)}`,
    name: input.name,
    description: input.description,
    category: input.category,
    price,
    stock: input.stock,
    tags: input.tags,
  };
  return created(view(product, price.currency), `/api/products/${product.id}`);
}

export function patchProduct(req: Request, id: string): Response {
  const checked = validatePatch(parseJsonBody(req));
  if (!checked.ok) {
    return invalid(checked.errors);
  }
  const updated = updateProduct(id, checked.value);
  return updated === undefined ? notFound(`product ${id}`) : ok(view(updated, updated.price.currency));
}

export function categorySummary(): Response {
  const categories: Category[] = ["tea", "coffee", "pastry", "merch"];
  const summary = categories.map((category) => {
    const items = productsIn(category);
    const stock = items.reduce((total, p) => total + p.stock, 0);
    const cheapest = items.toSorted((a, b) => a.price.cents - b.price.cents)[0];
    return {
      category,
      products: items.length,
      stock,
      from: cheapest === undefined ? undefined : format(cheapest.price),
    };
  });
  return ok({ categories: summary });
}

export function productRoutes(req: Request, rest: string[]): Response {
  return match ({ method: req.method, rest }) {
    when { method: "GET", rest: [] }: listProducts(req)
    when { method: "POST", rest: [] }: createProduct(req)
    when { method: "GET", rest: ["categories"] }: categorySummary()
    when { method: "GET", rest: [_] }: showProduct(req, rest[0])
    when { method: "PATCH", rest: [_] }: patchProduct(req, rest[0])
    default: notFound(`route ${req.method} /api/products/${rest.join("/")}`)
  };
}
