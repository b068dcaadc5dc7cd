/* quickjs.c is compiled through this file so the glue can reach one private
 * field: every instance made from a pre-initialised snapshot would otherwise
 * share the Math.random() state captured in the snapshot. */
#include "quickjs.c"

void zigttp_reseed(JSContext *ctx, uint64_t seed) { ctx->random_state = seed ? seed : 1; }
