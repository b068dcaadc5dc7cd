// workerd peer entry point (see workerd.capnp): the same routes and handlers as the Deno peer.
import { fetchHandler } from "./web_app.mjs";

export default {
  fetch(request) {
    return fetchHandler(request);
  },
};
