// zigttp:time: ISO 8601 and HTTP dates.
import { formatIso, formatHttp, parseIso, addSeconds } from "zigttp:time";

export function handler(req: Request): Response {
  const at = parseIso(String(req.query.at ?? ""));
  if (at === undefined) {
    return Response.json({ error: "at must be an ISO 8601 date" }, { status: 400 });
  }
  const expires = addSeconds(at, 3600);
  return Response.json({ at: formatIso(at), expires: formatIso(expires) }, { headers: { expires: formatHttp(expires) } });
}
