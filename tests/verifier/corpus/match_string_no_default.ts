// A string subject can never be listed case by case.
export function handler(req: Request): Response {
  return match (req.method) {
    when "GET": Response.text("read")
    when "POST": Response.text("write")
  };
}
// expect: ZTS307@3:10
