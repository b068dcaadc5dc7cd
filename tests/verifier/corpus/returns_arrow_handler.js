// An arrow handler with a block body that falls off the end.
export const handler = (req) => {
  if (req.path === "/health") {
    return Response.text("ok");
  }
};
// expect: ZTS302@2:24
