/*
 * One call into the guest with its budget: the store's fuel and epoch
 * deadline set, then the export called (wasmtime_func_call_unchecked), in a
 * single ctypes call instead of three. Each ctypes call costs about as much as
 * the C work behind it, and a hello request made all three (fastcall.py).
 *
 * Freestanding (built with -nostdlib, beside ticker.c): wasmtime's three
 * functions arrive as pointers in the call's description, so the library
 * links against nothing and loads into any process that has them.
 */

typedef unsigned long long zigttp_u64;
typedef void *(*zigttp_set_fuel_fn)(void *context, zigttp_u64 fuel);
typedef void (*zigttp_set_deadline_fn)(void *context, zigttp_u64 ticks);
typedef void *(*zigttp_call_fn)(void *context, const void *func, void *raw, unsigned long n, void **trap);

/* One export bound to one store, as fastcall.FastFunc describes it (its field order). */
struct zigttp_budgeted_call {
    zigttp_set_fuel_fn set_fuel;
    zigttp_set_deadline_fn set_deadline;
    zigttp_call_fn call;
    void *context;
    const void *func;
    unsigned long slots;
    void **trap;
};

/* frame: the fuel, the epoch deadline in ticks, then the call's raw argument and result slots.
 * Answers wasmtime's error (setting the fuel, or the call's), NULL when the call returned or trapped
 * (the trap in *trap). */
void *zigttp_budgeted_call(const struct zigttp_budgeted_call *c, zigttp_u64 *frame) {
    void *err = c->set_fuel(c->context, frame[0]);
    if (err) {
        return err;
    }
    c->set_deadline(c->context, frame[1]);
    return c->call(c->context, c->func, frame + 2, c->slots, c->trap);
}
