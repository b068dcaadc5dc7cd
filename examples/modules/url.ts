// zigttp:url: parse URLs and query strings, percent-encode.
import { urlParse, urlSearchParams, urlEncode } from "zigttp:url";

export function handler(req: Request): Response {
  const target = String(req.query.target ?? "");
  const parsed = urlParse(target);
  if (parsed === undefined) {
    return Response.json({ error: "not a URL" }, { status: 400 });
  }
  return Response.json({
    host: parsed.host,
    path: parsed.path,
    params: urlSearchParams(parsed.query ?? ""),
    share: "/share?to=" + urlEncode(target),
  });
}
