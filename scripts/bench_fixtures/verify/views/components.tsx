// Shared JSX components for the storefront pages.
import type { Category, Order, Paged, Product } from "../lib/types.ts";
import { format } from "../lib/money.ts";
import { windowAround } from "../lib/pagination.ts";

type Children = { children?: unknown };

const CATEGORY_LABELS: Record<Category, string> = {
  tea: "Tea",
  coffee: "Coffee",
  pastry: "Pastries",
  merch: "Merchandise",
};

const STATUS_CLASSES = comptime({
  draft: "badge badge-muted",
  placed: "badge badge-info",
  paid: "badge badge-ok",
  shipped: "badge badge-ok",
  cancelled: "badge badge-warn",
});

export function Layout(props: { title: string; user?: string } & Children) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} — Leaf & Bean</title>
        <link rel="stylesheet" href="/static/site.css" />
        <script src="/static/htmx.min.js" defer></script>
      </head>
      <body hx-boost="true">
        <Header user={props.user} />
        <main id="content">{props.children}</main>
        <Footer />
      </body>
    </html>
  );
}

export function Header(props: { user?: string }) {
  return (
    <header className="site-header">
      <a className="brand" href="/">Leaf &amp; Bean</a>
      <nav>
        <a href="/shop">Shop</a>
        <a href="/shop?category=tea">Tea</a>
        <a href="/shop?category=coffee">Coffee</a>
        {props.user === undefined ? <a href="/login">Sign in</a> : <a href="/account">Hi, {props.user}</a>}
      </nav>
    </header>
  );
}

export function Footer() {
  return (
    <footer className="site-footer">
      <p>Orders ship Monday to Friday. Free shipping from €50.</p>
      <p>
        <a href="/legal/terms">Terms</a> · <a href="/legal/privacy">Privacy</a>
      </p>
    </footer>
  );
}

export function Price(props: { product: Product }) {
  const p = props.product;
  return (
    <span className="price" data-cents={p.price.cents} data-currency={p.price.currency}>
      {format(p.price)}
    </span>
  );
}

export function StockBadge(props: { stock: number }) {
  const label = props.stock === 0 ? "Sold out" : props.stock < 10 ? `Only ${props.stock} left` : "In stock";
  const kind = props.stock === 0 ? "warn" : props.stock < 10 ? "info" : "ok";
  return <span className={`badge badge-${kind}`}>{label}</span>;
}

export function ProductCard(props: { product: Product }) {
  const p = props.product;
  return (
    <article className="card" id={`product-${p.id}`}>
      <h3>
        <a href={`/shop/${p.id}`}>{p.name}</a>
      </h3>
      <p className="muted">{CATEGORY_LABELS[p.category]}</p>
      <p>{p.description}</p>
      <div className="card-footer">
        <Price product={p} />
        <StockBadge stock={p.stock} />
        <button
          type="button"
          disabled={p.stock === 0}
          hx-post={`/cart/add/${p.id}`}
          hx-target="#cart-count"
          hx-swap="outerHTML"
        >
          Add to cart
        </button>
      </div>
      <ul className="tags">
        {p.tags.map((tag) => (
          <li>
            <a href={`/shop?q=${tag}`}>#{tag}</a>
          </li>
        ))}
      </ul>
    </article>
  );
}

export function ProductGrid(props: { products: Product[] }) {
  if (props.products.length === 0) {
    return <p className="empty">No products match your search.</p>;
  }
  return <div className="grid">{props.products.map((p) => <ProductCard product={p} />)}</div>;
}

export function Pager<T>(props: { page: Paged<T>; basePath: string }) {
  const numbers = windowAround(props.page.page, props.page.pages, 5);
  const link = (n: number) => `${props.basePath}${props.basePath.includes("?") ? "&" : "?"}page=${n}`;
  return (
    <nav className="pager" aria-label="pages">
      {props.page.page > 1 ? <a href={link(props.page.page - 1)} rel="prev">Previous</a> : <span />}
      {numbers.map((n) =>
        n === props.page.page ? <strong aria-current="page">{n}</strong> : <a href={link(n)}>{n}</a>,
      )}
      {props.page.page < props.page.pages ? <a href={link(props.page.page + 1)} rel="next">Next</a> : <span />}
    </nav>
  );
}

export function SearchForm(props: { query: string; category: string }) {
  const categories: Category[] = ["tea", "coffee", "pastry", "merch"];
  return (
    <form className="search" method="get" action="/shop" hx-get="/shop" hx-target="#results" hx-push-url="true">
      <input type="search" name="q" value={props.query} placeholder="Search the shop" />
      <select name="category">
        <option value="">All categories</option>
        {categories.map((c) => (
          <option value={c} selected={c === props.category}>
            {CATEGORY_LABELS[c]}
          </option>
        ))}
      </select>
      <button type="submit">Search</button>
    </form>
  );
}

export function OrderRow(props: { order: Order; total: string }) {
  const o = props.order;
  return (
    <tr id={`order-${o.id}`}>
      <td>
        <a href={`/account/orders/${o.id}`}>{o.id}</a>
      </td>
      <td>
        <span className={STATUS_CLASSES[o.status]}>{o.status}</span>
      </td>
      <td className="num">{o.lines.length}</td>
      <td className="num">{props.total}</td>
      <td>
        {o.status === "placed" ? (
          <button hx-post={`/api/orders/${o.id}/cancel`} hx-confirm="Cancel this order?">
            Cancel
          </button>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}

export function FieldErrors(props: { errors: { field: string; message: string }[] }) {
  if (props.errors.length === 0) {
    return <></>;
  }
  return (
    <div className="errors" role="alert">
      <p>Please fix the following:</p>
      <ul>
        {props.errors.map((e) => (
          <li>
            <strong>{e.field}</strong> {e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
