// Routing with `match`: the request's method and path select an arm.
import type { Spec } from "zigttp:types";

type Todo = { id: number; title: string; done: boolean };

const todos: Todo[] = [
  { id: 1, title: "write the handler", done: true },
  { id: 2, title: "prove it", done: false },
];

function findTodo(id: number): Todo | undefined {
  return todos.find((t) => t.id === id);
}

function todoById(req: Request): Response {
  const id = parseInt(req.path.slice("/todos/".length), 10);
  const todo = findTodo(id);
  if (todo === undefined) {
    return Response.json({ error: "not found" }, { status: 404 });
  }
  return Response.json(todo);
}

export function handler(req: Request): Response & Spec<"read_only"> {
  return match ({ method: req.method, path: req.path }) {
    when { method: "GET", path: "/health" }: Response.text("ok")
    when { method: "GET", path: "/todos" }: Response.json(todos)
    when { method: "GET" }: req.path.startsWith("/todos/") ? todoById(req) : Response.text("not found", { status: 404 })
    default: Response.json({ error: "method not allowed" }, { status: 405 })
  };
}
