// Server-rendered JSX: components receive props (children merged in).
type Item = { name: string; price: number };

const ITEMS: Item[] = [
  { name: "Tea", price: 3 },
  { name: "Cake & cream", price: 5 },
];

const VERSION = comptime("v" + (1 + 1));

function Layout(props: { title: string; children?: unknown }) {
  return (
    <html>
      <head>
        <meta charset="utf-8" />
        <title>{props.title}</title>
      </head>
      <body className="page">{props.children}</body>
    </html>
  );
}

function ItemRow(props: { item: Item }) {
  return (
    <li data-price={props.item.price}>
      {props.item.name} costs {props.item.price}
    </li>
  );
}

export default function handler(req: Request): Response {
  const page = (
    <Layout title="Menu">
      <h1>Menu {VERSION}</h1>
      <ul>
        {ITEMS.map((item) => <ItemRow item={item} />)}
      </ul>
      <>
        <p hx-get="/more" hx-target="#list">More</p>
        <input type="checkbox" checked disabled={false} />
      </>
    </Layout>
  );
  return Response.html(renderToString(page));
}
