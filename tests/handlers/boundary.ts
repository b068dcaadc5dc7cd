// Hostile responses for the response boundary tests (tests/test_response_boundary.py).
import { sha256, base64Decode } from "zigttp:crypto";
import { slugify } from "zigttp:text";
import { urlEncode } from "zigttp:url";

const SMUGGLED = "HTTP/1.1 200 OK\r\ncontent-length: 8\r\n\r\nsmuggled";

function smuggle(): Response {
  return Response.text("x" + SMUGGLED, {
    headers: { "content-length": "1", "connection": "keep-alive", "keep-alive": "timeout=600", "x-kept": "yes" },
  });
}

function chunked(): Response {
  const res = Response.text("0\r\n\r\n" + SMUGGLED);
  res.headers.set("transfer-encoding", "chunked");
  res.headers.append("trailer", "x-late");
  res.headers.set("upgrade", "h2c");
  res.headers.set("te", "trailers");
  res.headers.set("proxy-authenticate", "Basic");
  return res;
}

function lone(req: Request): Response {
  const text = String.fromCharCode(0xd800) + "a" + String.fromCharCode(0xdc01);
  return Response.json({
    sha: sha256(text),
    replacement: sha256("\ufffda\ufffd"),
    slug: slugify(text + "b"),
    url: urlEncode(text),
    b64: base64Decode(text) === undefined,
    path: req.path,
  }, { headers: { "x-lone": text } });
}

function manyHeaders(n: number): Response {
  const res = Response.text("many");
  for (const i of range(n)) {
    res.headers.set(`x-h${i}`, "v");
  }
  return res;
}

export function handler(req: Request): Response {
  if (req.path === "/smuggle") return smuggle();
  if (req.path === "/chunked") return chunked();
  if (req.path === "/lone") return lone(req);
  if (req.path === "/big-header") return Response.text("big", { headers: { "x-big": "a".repeat(4 << 20) } });
  if (req.path === "/many-headers") return manyHeaders(150);
  if (req.path === "/headers") return Response.json({ headers: req.headers });
  return Response.text("ok");
}
