// Bookmarks service: JSON API plus a server-rendered page.
import { guard } from "zigttp:compose";
import { env } from "zigttp:env";
import type { Spec } from "zigttp:types";
import { paginate, queryNumber, slugify } from "./util.ts";
import type { Page } from "./util.ts";

type Tag = "reading" | "tools" | "video" | "misc";

interface Bookmark {
  readonly id: number;
  title: string;
  url: string;
  tags: Tag[];
  stars: number;
}

type ApiError = { error: string; detail?: string };

const BOOKMARKS: Bookmark[] = [
  { id: 1, title: "Crafting Interpreters", url: "https://craftinginterpreters.com", tags: ["reading"], stars: 5 },
  { id: 2, title: "QuickJS internals", url: "https://bellard.org/quickjs", tags: ["reading", "tools"], stars: 4 },
  { id: 3, title: "WebAssembly spec", url: "https://webassembly.github.io/spec", tags: ["reading"], stars: 3 },
  { id: 4, title: "Wasmtime talk", url: "https://example.com/wasmtime-talk", tags: ["video"], stars: 4 },
  { id: 5, title: "HTMX patterns", url: "https://htmx.org/examples", tags: ["tools"], stars: 5 },
  { id: 6, title: "Granian benchmarks", url: "https://example.com/granian", tags: ["misc"], stars: 2 },
];

const MAX_STARS = comptime(5);

function apiError(status: number, error: string, detail?: string): Response {
  const body: ApiError = detail === undefined ? { error } : { error, detail };
  return Response.json(body, { status });
}

function byTag(tag: string): Bookmark[] {
  return BOOKMARKS.filter((b) => tag === "all" || b.tags.some((t) => t === tag));
}

function findBookmark(id: number): Bookmark | undefined {
  return BOOKMARKS.find((b) => b.id === id);
}

function ranked(items: Bookmark[]): Bookmark[] {
  return items.toSorted((a, b) => b.stars - a.stars || a.title.localeCompare(b.title));
}

function requireApiKey(req: Request): Response | undefined {
  if (!req.path.startsWith("/api/")) {
    return undefined;
  }
  const expected = env("BOOKMARKS_KEY") ?? "dev-key";
  const provided = req.headers.get("x-api-key");
  if (provided !== expected) {
    return apiError(401, "unauthorized", "missing or wrong x-api-key header");
  }
  return undefined;
}

function noStore(res: Response): Response | undefined {
  res.headers["cache-control"] = "no-store";
  return undefined;
}

function listJson(req: Request): Response {
  const tag = String(req.query.tag ?? "all");
  const page: Page<Bookmark> = paginate(
    ranked(byTag(tag)),
    queryNumber(req.query.page, 1),
    queryNumber(req.query.size, 10),
  );
  return Response.json({ tag, ...page });
}

function showJson(req: Request): Response {
  const id = queryNumber(req.path.split("/")[3], 0);
  const bookmark = findBookmark(id);
  assert bookmark !== undefined, apiError(404, "not found", `no bookmark ${id}`);
  return Response.json({ ...bookmark, slug: slugify(bookmark.title) });
}

function createJson(req: Request): Response {
  const input: unknown = req.json();
  const draft: Record<string, unknown> = typeof input === "object" && input !== undefined ? input : {};
  const title = String(draft.title ?? "").trim();
  if (title.length === 0) {
    return apiError(400, "invalid", "title is required");
  }
  const stars = Math.min(MAX_STARS, Math.max(0, queryNumber(draft.stars, 0)));
  const created = { id: BOOKMARKS.length + 1, title, url: String(draft.url ?? ""), tags: ["misc"], stars };
  return Response.json(created, { status: 201 });
}

function Stars(props: { count: number }) {
  const filled = "★".repeat(props.count);
  const empty = "☆".repeat(MAX_STARS - props.count);
  return <span className="stars" title={`${props.count} of ${MAX_STARS}`}>{filled}{empty}</span>;
}

function BookmarkItem(props: { bookmark: Bookmark }) {
  const b = props.bookmark;
  return (
    <li id={`bookmark-${b.id}`}>
      <a href={b.url} rel="noopener">{b.title}</a>
      <Stars count={b.stars} />
      <ul className="tags">
        {b.tags.map((t) => <li className={`tag tag-${t}`}>{t}</li>)}
      </ul>
    </li>
  );
}

function Layout(props: { title: string; children?: unknown }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{props.title} · Bookmarks</title>
        <style>{"body { font-family: sans-serif; } .stars { color: #d90; }"}</style>
      </head>
      <body>
        <header><h1>{props.title}</h1></header>
        <main>{props.children}</main>
        <footer>Served by zigttp</footer>
      </body>
    </html>
  );
}

function listPage(req: Request): Response {
  const tag = String(req.query.tag ?? "all");
  const items = ranked(byTag(tag));
  const page = (
    <Layout title={tag === "all" ? "All bookmarks" : `Tagged ${tag}`}>
      {items.length === 0 ? <p className="empty">Nothing here yet.</p> : (
        <ul className="bookmarks">
          {items.map((b) => <BookmarkItem bookmark={b} />)}
        </ul>
      )}
      <form hx-post="/api/bookmarks" hx-target=".bookmarks" hx-swap="beforeend">
        <input name="title" placeholder="Title" required />
        <button type="submit">Add</button>
      </form>
    </Layout>
  );
  return Response.html(renderToString(page));
}

function tagCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const b of BOOKMARKS) {
    for (const t of b.tags) {
      counts[t] = (counts[t] ?? 0) + 1;
    }
  }
  return counts;
}

function statsJson(): Response {
  const stars = BOOKMARKS.map((b) => b.stars);
  const average = stars.reduce((sum, s) => sum + s, 0) / Math.max(1, stars.length);
  return Response.json({ total: BOOKMARKS.length, tags: tagCounts(), averageStars: Math.round(average * 10) / 10 });
}

function routes(req: Request): Response & Spec<"read_only"> {
  const segments = req.path.split("/").filter((s) => s.length > 0);
  return match ({ method: req.method, segments }) {
    when { method: "GET", segments: [] }: listPage(req)
    when { method: "GET", segments: ["api", "bookmarks"] }: listJson(req)
    when { method: "GET", segments: ["api", "bookmarks", _] }: showJson(req)
    when { method: "POST", segments: ["api", "bookmarks"] }: createJson(req)
    when { method: "GET", segments: ["api", "stats"] }: statsJson()
    when { method: "GET", segments: ["health"] }: Response.text("ok")
    default: apiError(404, "not found", `${req.method} ${req.path}`)
  };
}

export const handler = guard(requireApiKey) |> routes |> guard(noStore);
