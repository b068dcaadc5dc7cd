// Leaf & Bean: storefront pages plus a JSON API, composed with guards.
import { guard } from "zigttp:compose";
import { env } from "zigttp:env";
import { logError } from "zigttp:log";
import type { Spec } from "zigttp:types";
import { requireRole, verifyWebhook } from "./lib/auth.ts";
import { methodNotAllowed, notFound, ok, problem, wantsHtml, withCors, withTiming } from "./lib/http.ts";
import { setOrderStatus } from "./lib/store.ts";
import { customerRoutes } from "./routes/customers.ts";
import { orderRoutes } from "./routes/orders.ts";
import { productRoutes } from "./routes/products.ts";
import { reportRoutes } from "./routes/reports.ts";
import { cartRoutes } from "./routes/cart.ts";
import { accountPage, categoryIndex, homePage, productPage, shopPage } from "./views/pages.tsx";

const SERVICE = comptime("leaf-and-bean/" + __VERSION__);
const MAINTENANCE = env("MAINTENANCE_MODE") === "on";
const staffOnly = requireRole("staff");

type Segments = string[];

function segmentsOf(path: string): Segments {
  return path
    .split("/")
    .filter((s) => s.length > 0)
    .map((s) => s.trim());
}

function maintenance(req: Request): Response | undefined {
  if (!MAINTENANCE || req.path === "/health") {
    return undefined;
  }
  return problem(503, "Service Unavailable", "the shop is being restocked, back soon");
}

function rejectLargeBodies(req: Request): Response | undefined {
  const length = parseInt(req.headers.get("content-length") ?? "0", 10);
  if (length > 64 * 1024) {
    return problem(413, "Payload Too Large", "request bodies are limited to 64 KiB");
  }
  return undefined;
}

function audit(res: Response): Response | undefined {
  if (res.status >= 500) {
    logError(`${SERVICE} answered ${res.status}`);
  }
  return undefined;
}

function webhook(req: Request): Response {
  const denied = verifyWebhook(req);
  if (denied !== undefined) {
    return denied;
  }
  const event = JSON.tryParse(req.body ?? "");
  if (event.isErr()) {
    return problem(400, "Bad Request", "webhook body must be JSON");
  }
  const payload = event.unwrap();
  const kind = String(payload.type ?? "");
  return match (kind) {
    when "payment.succeeded": ok({ updated: setOrderStatus(String(payload.orderId), "paid") !== undefined })
    when "shipment.sent": ok({ updated: setOrderStatus(String(payload.orderId), "shipped") !== undefined })
    default: ok({ ignored: kind })
  };
}

function api(req: Request, rest: Segments): Response {
  const resource = rest[0] ?? "";
  const tail = rest.slice(1);
  return match (resource) {
    when "products": productRoutes(req, tail)
    when "orders": orderRoutes(req, tail)
    when "customers": customerRoutes(req, tail)
    when "reports": staffOnly(req) ?? reportRoutes(req, tail)
    when "webhooks": req.method === "POST" ? webhook(req) : methodNotAllowed(req.method, ["POST"])
    default: notFound(`api resource ${resource}`)
  };
}

function pages(req: Request, segments: Segments): Response {
  if (req.method !== "GET" && req.method !== "HEAD") {
    return methodNotAllowed(req.method, ["GET", "HEAD"]);
  }
  return match (segments) {
    when []: homePage(req)
    when ["shop"]: shopPage(req)
    when ["shop", _]: productPage(req, segments[1])
    when ["categories"]: categoryIndex()
    when ["account"]: accountPage(req)
    default: wantsHtml(req) ? homePage(req) : notFound(`page /${segments.join("/")}`)
  };
}

function route(req: Request): Response & Spec<"injection_safe"> {
  const segments = segmentsOf(req.path);
  return match (segments) {
    when ["health"]: Response.text("ok")
    when ["version"]: ok({ service: SERVICE })
    when ["api"]: ok({ resources: ["products", "orders", "customers", "reports"] })
    default: segments[0] === "api"
      ? api(req, segments.slice(1))
      : segments[0] === "cart"
        ? cartRoutes(req, segments.slice(1))
        : pages(req, segments)
  };
}

export const handler =
  guard(maintenance)
  |> guard(rejectLargeBodies)
  |> route
  |> guard(withCors)
  |> guard(withTiming)
  |> guard(audit);
