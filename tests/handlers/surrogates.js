// Strings with lone surrogates out, invalid UTF-8 in: every boundary speaks
// well-formed UTF-8, lone surrogates becoming U+FFFD as TextEncoder does.
export function handler(req) {
  const p = req.path;
  if (p === "/lone") return Response.text("a\ud800b\udfffc");
  if (p === "/pair") return Response.text("x" + "\ud83d" + "\ude00" + "y\u00e9\u4e2d");
  if (p === "/mixed") return Response.html("<p>\udc00\ud83d\ude00\ud800</p>");
  if (p === "/echo") {
    const text = req.text();
    const units = [];
    for (let i = 0; i < text.length; i++) units.push(text.charCodeAt(i));
    return Response.json({ units });
  }
  if (p === "/bytes") return Response.json({ bytes: Array.from(req.bytes()) });
  return Response.text("not found", { status: 404 });
}
