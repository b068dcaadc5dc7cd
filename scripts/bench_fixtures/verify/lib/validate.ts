// Field validation for request bodies. Returns Validated<T>, never throws.
import type { Category, Currency, FieldError, ProductPatch, Validated } from "./types.ts";
import { isCategory, isCurrency } from "./types.ts";
import { money, parseAmount } from "./money.ts";

type Rule = (value: unknown) => string | undefined;

const EMAIL_MAX = 254;
const NAME_MAX = 120;

function required(value: unknown): string | undefined {
  return value === undefined || value === "" ? "is required" : undefined;
}

function isString(value: unknown): string | undefined {
  return typeof value === "string" ? undefined : "must be a string";
}

function isNumber(value: unknown): string | undefined {
  return typeof value === "number" && Number.isFinite(value) ? undefined : "must be a number";
}

function maxLength(limit: number): Rule {
  return (value) => (typeof value === "string" && value.length > limit ? `must be at most ${limit} characters` : undefined);
}

function minimum(limit: number): Rule {
  return (value) => (typeof value === "number" && value < limit ? `must be at least ${limit}` : undefined);
}

function integer(value: unknown): string | undefined {
  return typeof value === "number" && Number.isInteger(value) ? undefined : "must be a whole number";
}

function looksLikeEmail(value: unknown): string | undefined {
  if (typeof value !== "string") {
    return "must be an email address";
  }
  const at = value.indexOf("@");
  const dot = value.lastIndexOf(".");
  return at > 0 && dot > at + 1 && dot < value.length - 1 ? undefined : "must be an email address";
}

function check(field: string, value: unknown, rules: Rule[]): FieldError[] {
  for (const rule of rules) {
    const message = rule(value);
    if (message !== undefined) {
      return [{ field, message }];
    }
  }
  return [];
}

function readObject(body: unknown): Record<string, unknown> {
  return typeof body === "object" && body !== undefined && !Array.isArray(body) ? body : {};
}

export type NewProduct = {
  name: string;
  description: string;
  category: Category;
  priceText: string;
  currency: Currency;
  stock: number;
  tags: string[];
};

export function validateNewProduct(body: unknown): Validated<NewProduct> {
  const input = readObject(body);
  const errors: FieldError[] = [
    ...check("name", input.name, [required, isString, maxLength(NAME_MAX)]),
    ...check("description", input.description ?? "", [isString, maxLength(2000)]),
    ...check("category", input.category, [required, isString]),
    ...check("price", input.price, [required, isString]),
    ...check("stock", input.stock ?? 0, [isNumber, integer, minimum(0)]),
  ];
  const category = String(input.category ?? "");
  if (category.length > 0 && !isCategory(category)) {
    errors.push({ field: "category", message: "must be one of tea, coffee, pastry, merch" });
  }
  const currency = String(input.currency ?? "EUR");
  if (!isCurrency(currency)) {
    errors.push({ field: "currency", message: "must be EUR, USD or GBP" });
  }
  const priceText = String(input.price ?? "");
  if (priceText.length > 0 && parseAmount(priceText, "EUR") === undefined) {
    errors.push({ field: "price", message: "must look like 12.50" });
  }
  const tags = Array.isArray(input.tags) ? input.tags.map((t) => String(t).trim()).filter((t) => t.length > 0) : [];
  if (errors.length > 0) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: {
      name: String(input.name).trim(),
      description: String(input.description ?? "").trim(),
      category: isCategory(category) ? category : "merch",
      priceText,
      currency: isCurrency(currency) ? currency : "EUR",
      stock: Number(input.stock ?? 0),
      tags,
    },
  };
}

export function validatePatch(body: unknown): Validated<ProductPatch> {
  const input = readObject(body);
  const patch: ProductPatch = {};
  const errors: FieldError[] = [];
  if (input.name !== undefined) {
    const nameErrors = check("name", input.name, [isString, maxLength(NAME_MAX)]);
    errors.push(...nameErrors);
    if (nameErrors.length === 0) {
      patch.name = String(input.name).trim();
    }
  }
  if (input.description !== undefined) {
    errors.push(...check("description", input.description, [isString, maxLength(2000)]));
    patch.description = String(input.description);
  }
  if (input.stock !== undefined) {
    const stockErrors = check("stock", input.stock, [isNumber, integer, minimum(0)]);
    errors.push(...stockErrors);
    if (stockErrors.length === 0) {
      patch.stock = Number(input.stock);
    }
  }
  if (input.price !== undefined) {
    const parsed = parseAmount(String(input.price), "EUR");
    if (parsed === undefined) {
      errors.push({ field: "price", message: "must look like 12.50" });
    } else {
      patch.price = money(parsed.cents, "EUR");
    }
  }
  if (Object.keys(patch).length === 0 && errors.length === 0) {
    errors.push({ field: "body", message: "must change at least one field" });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: patch };
}

export type NewCustomer = { email: string; name: string; country: string; marketingOptIn: boolean };

export function validateNewCustomer(body: unknown): Validated<NewCustomer> {
  const input = readObject(body);
  const errors: FieldError[] = [
    ...check("email", input.email, [required, isString, maxLength(EMAIL_MAX), looksLikeEmail]),
    ...check("name", input.name, [required, isString, maxLength(NAME_MAX)]),
    ...check("country", input.country ?? "NL", [isString, maxLength(2)]),
  ];
  if (errors.length > 0) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: {
      email: String(input.email).trim().toLowerCase(),
      name: String(input.name).trim(),
      country: String(input.country ?? "NL").toUpperCase(),
      marketingOptIn: input.marketingOptIn === true,
    },
  };
}

export type NewOrderLine = { productId: string; quantity: number };

export function validateOrderLines(body: unknown): Validated<NewOrderLine[]> {
  const input = readObject(body);
  const lines = Array.isArray(input.lines) ? input.lines : [];
  if (lines.length === 0) {
    return { ok: false, errors: [{ field: "lines", message: "must contain at least one line" }] };
  }
  const errors: FieldError[] = [];
  const parsed: NewOrderLine[] = [];
  for (const [index, raw] of lines.entries()) {
    const line = readObject(raw);
    const lineErrors = [
      ...check(`lines[${index}].productId`, line.productId, [required, isString]),
      ...check(`lines[${index}].quantity`, line.quantity, [required, isNumber, integer, minimum(1)]),
    ];
    errors.push(...lineErrors);
    if (lineErrors.length === 0) {
      parsed.push({ productId: String(line.productId), quantity: Number(line.quantity) });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: parsed };
}
