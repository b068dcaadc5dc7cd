// Plain JavaScript served with --no-verify: no contract, so only the --allow-* names are granted.
// Whatever the code does at run time, the host boundary decides.
import { env } from "zigttp:env";

export function handler(req) {
  const q = req.query;
  switch (req.path) {
    case "/ok":
      return Response.json({ v: env("ZIGTTP_OK_VAR") });
    case "/catch":
      try {
        return Response.json({ v: env("ZIGTTP_TEST_SECRET") });
      } catch (e) {
        return Response.json({ caught: String(e) });
      }
    case "/names": {
      // guess names until one works; the first refused one ends the request
      const found = {};
      for (const name of ["HOME", "PATH", "ZIGTTP_TEST_SECRET"]) found[name] = env(name);
      return Response.json(found);
    }
    case "/exfil": {
      // to a granted host: the read is refused before anything is sent
      const v = env("ZIGTTP_TEST_" + "SECRET");
      const r = fetchSync(`http://127.0.0.1:${q.port}/ok?v=${v}`);
      return Response.json({ status: r.status });
    }
    case "/request":
      return Response.json({ v: env(String(q.name)) });
    case "/global": {
      const f = globalThis["fetch" + "Sync"];
      const r = f(`http://localhost:${q.port}/evil`);
      return Response.json({ status: r.status, body: r.text() });
    }
  }
  return Response.json({ error: "no route" }, { status: 404 });
}
