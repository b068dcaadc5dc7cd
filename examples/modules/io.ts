// zigttp:io: three upstream calls made concurrently; the handler stays synchronous.
//   zigttp serve examples/modules/io.ts --outbound-host api.example.com
import { parallel, race } from "zigttp:io";

const BASE = "https://api.example.com";

function dashboard(req: Request): Response {
  const [user, orders, offers] = parallel([
    () => fetchSync(BASE + "/user/42"),
    () => fetchSync(BASE + "/orders?user=42"),
    () => fetchSync(BASE + "/offers"),
  ]);
  return Response.json({
    user: user !== undefined && user.ok ? user.json() : undefined,
    orders: orders !== undefined && orders.ok ? orders.json() : [],
    offers: offers !== undefined && offers.ok ? offers.json() : [],
  });
}

function mirror(req: Request): Response {
  // the first mirror that answers ok, in this order (not the fastest)
  const res = race([() => fetchSync("https://eu.example.com/status"), () => fetchSync("https://us.example.com/status")]);
  return res === undefined ? Response.json({ error: "no mirror" }, { status: 503 }) : Response.json({ from: res.url });
}

export function handler(req: Request): Response {
  return match (req.path) {
    when "/dashboard": dashboard(req)
    when "/mirror": mirror(req)
    default: Response.json({ error: "not found" }, { status: 404 })
  };
}
