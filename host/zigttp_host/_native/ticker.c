/*
 * The epoch ticker's loop, in native code: it advances the wasmtime engine's
 * epoch while another thread holds Python's GIL (a handler trial runs with
 * the GIL held; no Python thread can tick meanwhile). epochticker.py runs
 * this on a thread of its own through a ctypes call that releases the GIL.
 *
 * Freestanding (built with -nostdlib): the sleep and the tick arrive as
 * function pointers (libc's nanosleep, wasmtime_engine_increment_epoch), so
 * the library links against nothing and loads into any process that has them.
 * 64-bit platforms only: the interval is a struct timespec of two longs.
 */

typedef void (*zigttp_tick_fn)(void *arg);

struct zigttp_timespec {
    long sec;
    long nsec;
};

typedef int (*zigttp_sleep_fn)(const struct zigttp_timespec *request, struct zigttp_timespec *remaining);

/* A sleep that a signal cuts short goes on for what remained, so no tick comes early. */
static void sleep_whole(zigttp_sleep_fn sleep, const struct zigttp_timespec *interval) {
    struct zigttp_timespec request = *interval;
    struct zigttp_timespec remaining = {0, 0};
    for (int i = 0; i < 1000 && sleep(&request, &remaining) != 0; i++) {
        if (remaining.sec <= 0 && remaining.nsec <= 0) {
            return;
        }
        request = remaining;
    }
}

/* Ticks every `interval` until *stop is non-zero. */
void zigttp_tick_loop(zigttp_tick_fn tick, void *arg, zigttp_sleep_fn sleep, const struct zigttp_timespec *interval,
                      const volatile int *stop) {
    while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
        sleep_whole(sleep, interval);
        if (__atomic_load_n(stop, __ATOMIC_ACQUIRE)) {
            break;
        }
        tick(arg);
    }
}
