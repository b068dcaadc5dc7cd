// A finite union with one case forgotten.
type Status = "draft" | "paid" | "shipped";

function label(status: Status): string {
  return match (status) {
    when "draft": "Draft"
    when "paid": "Paid"
  };
}

export function handler(req: Request): Response {
  return Response.text(label("paid"));
}
// expect: ZTS307@5:10
