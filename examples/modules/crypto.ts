// zigttp:crypto: digests, HMAC and base64 of the request body.
//   curl -d 'hello' http://127.0.0.1:8080/digest
import { sha256, hmacSha256, base64Encode, base64UrlDecode } from "zigttp:crypto";

export function handler(req: Request): Response {
  const body = req.text();
  return match (req.path) {
    when "/digest": Response.json({ sha256: sha256(body), base64: base64Encode(body) })
    when "/sign": Response.json({ mac: hmacSha256("demo-key", body) })
    when "/decode": Response.json({ text: base64UrlDecode(body) ?? "not base64url" })
    default: Response.json({ error: "not found" }, { status: 404 })
  };
}
