// /api/customers: sign-up and profile reads.
import type { Customer } from "../lib/types.ts";
import { customerId } from "../lib/types.ts";
import { addCustomer, allCustomers, findCustomer, findCustomerByEmail, ordersFor } from "../lib/store.ts";
import { hasRole, sessionOf } from "../lib/auth.ts";
import { conflict, created, forbidden, invalid, notFound, ok, parseJsonBody, unauthorized } from "../lib/http.ts";
import { validateNewCustomer } from "../lib/validate.ts";
import { summarize } from "./orders.ts";
import { format } from "../lib/money.ts";

type PublicCustomer = Pick<Customer, "id" | "name" | "country">;

function publicView(customer: Customer): PublicCustomer {
  return { id: customer.id, name: customer.name, country: customer.country };
}

function maskEmail(email: string): string {
  const at = email.indexOf("@");
  if (at <= 1) {
    return email;
  }
  return `${email.charAt(0)}${"*".repeat(at - 1)}${email.slice(at)}`;
}

export function signUp(req: Request): Response {
  const checked = validateNewCustomer(parseJsonBody(req));
  if (!checked.ok) {
    return invalid(checked.errors);
  }
  const input = checked.value;
  if (findCustomerByEmail(input.email) !== undefined) {
    return conflict("that email address is already registered");
  }
  const customer = addCustomer({
    id: customerId(`c-${allCustomers().length + 1}`),
    email: input.email,
    name: input.name,
    role: "customer",
    country: input.country,
    marketingOptIn: input.marketingOptIn,
  });
  return created(publicView(customer), `/api/customers/${customer.id}`);
}

export function me(req: Request): Response {
  const session = sessionOf(req);
  if (session === undefined) {
    return unauthorized("sign in to see your profile");
  }
  const customer = findCustomer(session.customerId);
  if (customer === undefined) {
    return notFound(`customer ${session.customerId}`);
  }
  const recent = ordersFor(customer.id).slice(0, 5).map(summarize);
  return ok({
    ...publicView(customer),
    email: customer.email,
    role: customer.role,
    marketingOptIn: customer.marketingOptIn,
    recentOrders: recent.map((o) => ({ id: o.id, status: o.status, total: format(o.total) })),
  });
}

export function showCustomer(req: Request, id: string): Response {
  const session = sessionOf(req);
  if (session === undefined) {
    return unauthorized("sign in first");
  }
  const customer = findCustomer(id);
  if (customer === undefined) {
    return notFound(`customer ${id}`);
  }
  if (session.customerId !== customer.id && !hasRole(session, "staff")) {
    return forbidden("you can only see your own profile");
  }
  return ok({ ...publicView(customer), email: maskEmail(customer.email) });
}

export function listCustomers(req: Request): Response {
  const session = sessionOf(req);
  if (session === undefined || !hasRole(session, "staff")) {
    return forbidden("staff only");
  }
  const country = String(req.query.country ?? "").toUpperCase();
  const list = allCustomers().filter((c) => country.length === 0 || c.country === country);
  return ok({ items: list.map((c) => ({ ...publicView(c), email: maskEmail(c.email) })), total: list.length });
}

export function customerRoutes(req: Request, rest: string[]): Response {
  return match ({ method: req.method, rest }) {
    when { method: "POST", rest: [] }: signUp(req)
    when { method: "GET", rest: [] }: listCustomers(req)
    when { method: "GET", rest: ["me"] }: me(req)
    when { method: "GET", rest: [_] }: showCustomer(req, rest[0])
    default: notFound(`route ${req.method} /api/customers/${rest.join("/")}`)
  };
}
