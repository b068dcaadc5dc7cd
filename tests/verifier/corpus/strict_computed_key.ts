// strict
// Dynamic property access defeats the contract extractor.
const MESSAGES: Record<string, string> = { en: "hello", de: "hallo" };

export function handler(req: Request): Response {
  const lang = req.path.slice(1);
  return Response.text(MESSAGES[lang] ?? "hello");
}
// expect: ZTS605@7:24
