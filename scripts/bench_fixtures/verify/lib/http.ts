// Response helpers shared by every route.
import type { FieldError, Paged } from "./types.ts";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

export function ok(data: unknown): Response {
  return Response.json(data);
}

export function created(data: unknown, location: string): Response {
  return Response.json(data, { status: 201, headers: { location } });
}

export function noContent(): Response {
  return Response("", { status: 204 });
}

export function problem(status: number, title: string, detail: string): Response {
  return Response.json({ type: "about:blank", title, status, detail }, { status, headers: JSON_HEADERS });
}

export function badRequest(detail: string): Response {
  return problem(400, "Bad Request", detail);
}

export function invalid(errors: FieldError[]): Response {
  return Response.json({ title: "Validation failed", status: 422, errors }, { status: 422 });
}

export function unauthorized(detail: string): Response {
  return problem(401, "Unauthorized", detail);
}

export function forbidden(detail: string): Response {
  return problem(403, "Forbidden", detail);
}

export function notFound(what: string): Response {
  return problem(404, "Not Found", `${what} does not exist`);
}

export function conflict(detail: string): Response {
  return problem(409, "Conflict", detail);
}

export function methodNotAllowed(method: string, allowed: string[]): Response {
  return Response.json(
    { title: "Method Not Allowed", status: 405, detail: `${method} is not supported here` },
    { status: 405, headers: { allow: allowed.join(", ") } },
  );
}

export function wantsHtml(req: Request): boolean {
  const accept = req.headers.get("accept") ?? "";
  return accept.includes("text/html") && !accept.includes("application/json");
}

export function isHtmx(req: Request): boolean {
  return req.headers.get("hx-request") === "true";
}

export function paged<T>(page: Paged<T>, basePath: string): Response {
  const links: Record<string, string> = { self: `${basePath}?page=${page.page}` };
  if (page.page > 1) {
    links.prev = `${basePath}?page=${page.page - 1}`;
  }
  if (page.page < page.pages) {
    links.next = `${basePath}?page=${page.page + 1}`;
  }
  return Response.json({ ...page, links });
}

export function parseJsonBody(req: Request): unknown {
  const text = req.text();
  if (text.length === 0) {
    return undefined;
  }
  const parsed = JSON.tryParse(text);
  return parsed.isOk() ? parsed.unwrap() : undefined;
}

export function withCors(res: Response): Response | undefined {
  res.headers["access-control-allow-origin"] = "*";
  res.headers["access-control-allow-headers"] = "authorization, content-type";
  return undefined;
}

export function withTiming(res: Response): Response | undefined {
  res.headers["server-timing"] = "app;desc=\"zigttp\"";
  return undefined;
}
