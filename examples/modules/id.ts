// zigttp:id: random identifiers from the host (never at module scope: they would be the same in
// every instance of the snapshot).
import { uuid, ulid, nanoid } from "zigttp:id";

export function handler(req: Request): Response {
  return Response.json({ uuid: uuid(), ulid: ulid(), short: nanoid(10) }, { status: 201 });
}
