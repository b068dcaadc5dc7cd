// strict
// Strict ZigTS wants annotated functions: a .js handler cannot be strict.
export function handler(req) {
  return Response.text("ok");
}
// expect: ZTS601@3:17
