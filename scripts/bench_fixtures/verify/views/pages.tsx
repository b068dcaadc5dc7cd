// Full pages rendered for browsers (the JSON API lives under /api).
import type { Category, Product } from "../lib/types.ts";
import { isCategory } from "../lib/types.ts";
import { allProducts, findCustomer, findProduct, ordersFor, productsIn, searchProducts } from "../lib/store.ts";
import { sessionOf } from "../lib/auth.ts";
import { format } from "../lib/money.ts";
import { listQuery, page } from "../lib/pagination.ts";
import { isHtmx, notFound } from "../lib/http.ts";
import { totals } from "../routes/orders.ts";
import { Layout, OrderRow, Pager, Price, ProductGrid, SearchForm, StockBadge } from "./components.tsx";

function html(node: unknown, status: number = 200): Response {
  return Response.html(renderToString(node), { status });
}

function userName(req: Request): string | undefined {
  const session = sessionOf(req);
  return session === undefined ? undefined : findCustomer(session.customerId)?.name;
}

function featured(): Product[] {
  return allProducts()
    .filter((p) => p.stock > 0)
    .toSorted((a, b) => b.price.cents - a.price.cents)
    .slice(0, 4);
}

export function homePage(req: Request): Response {
  const picks = featured();
  return html(
    <Layout title="Welcome" user={userName(req)}>
      <section className="hero">
        <h1>Loose-leaf tea and fresh coffee</h1>
        <p>Roasted and blended in small batches. Order by 14:00 for same-day dispatch.</p>
        <a className="button" href="/shop">Browse the shop</a>
      </section>
      <section>
        <h2>Staff picks</h2>
        <ProductGrid products={picks} />
      </section>
    </Layout>,
  );
}

export function shopPage(req: Request): Response {
  const query = listQuery(req, ["name", "price"], "name");
  const category = String(req.query.category ?? "");
  const matching: Product[] = isCategory(category) ? productsIn(category) : searchProducts(query.search);
  const results = page(matching, query);
  const basePath = `/shop?q=${query.search}&category=${category}`;
  const body = (
    <div id="results">
      <p className="muted">
        {results.total} product{results.total === 1 ? "" : "s"}
        {query.search.length > 0 ? ` matching “${query.search}”` : ""}
      </p>
      <ProductGrid products={results.items} />
      <Pager page={results} basePath={basePath} />
    </div>
  );
  if (isHtmx(req)) {
    return html(body);
  }
  return html(
    <Layout title="Shop" user={userName(req)}>
      <SearchForm query={query.search} category={category} />
      {body}
    </Layout>,
  );
}

export function productPage(req: Request, id: string): Response {
  const product = findProduct(id);
  if (product === undefined) {
    return html(
      <Layout title="Not found">
        <h1>We could not find that product</h1>
        <p>
          <a href="/shop">Back to the shop</a>
        </p>
      </Layout>,
      404,
    );
  }
  const siblings = productsIn(product.category).filter((p) => p.id !== product.id);
  return html(
    <Layout title={product.name} user={userName(req)}>
      <article className="product">
        <h1>{product.name}</h1>
        <p className="lead">{product.description}</p>
        <p>
          <Price product={product} /> <StockBadge stock={product.stock} />
        </p>
        <form hx-post={`/cart/add/${product.id}`} hx-target="#cart-count">
          <label>
            Quantity <input type="number" name="quantity" min="1" max={product.stock} value="1" />
          </label>
          <button type="submit" disabled={product.stock === 0}>Add to cart</button>
        </form>
      </article>
      {siblings.length > 0 ? (
        <section>
          <h2>More {product.category}</h2>
          <ProductGrid products={siblings} />
        </section>
      ) : undefined}
    </Layout>,
  );
}

export function accountPage(req: Request): Response {
  const session = sessionOf(req);
  if (session === undefined) {
    return Response.redirect("/login", 302);
  }
  const customer = findCustomer(session.customerId);
  if (customer === undefined) {
    return notFound(`customer ${session.customerId}`);
  }
  const orders = ordersFor(customer.id);
  return html(
    <Layout title="Your account" user={customer.name}>
      <h1>Hello, {customer.name}</h1>
      <p className="muted">
        Signed in as {customer.email} ({session.role})
      </p>
      <h2>Orders</h2>
      {orders.length === 0 ? (
        <p>You have not ordered anything yet.</p>
      ) : (
        <table className="orders">
          <thead>
            <tr>
              <th>Order</th>
              <th>Status</th>
              <th>Lines</th>
              <th>Total</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => <OrderRow order={o} total={format(totals(o).total)} />)}
          </tbody>
        </table>
      )}
    </Layout>,
  );
}

export function categoryIndex(): Response {
  const categories: Category[] = ["tea", "coffee", "pastry", "merch"];
  return html(
    <Layout title="Categories">
      <ul className="categories">
        {categories.map((c) => (
          <li>
            <a href={`/shop?category=${c}`}>{c}</a> ({productsIn(c).length})
          </li>
        ))}
      </ul>
    </Layout>,
  );
}
