/*
 * zigttp guest: QuickJS-NG embedded as a wasm32-wasi reactor.
 *
 * The host (host/zigttp_host) is the only thing this module can talk to. Its
 * imports are module "zigttp" (call, take) plus the few
 * wasi_snapshot_preview1 functions wasi-libc pulls in, which the host answers
 * itself without any filesystem, environment, socket or randomness.
 *
 * ABI (version ZIGTTP_ABI_VERSION; the host refuses a guest with another one):
 *
 *   abi_version() -> i32
 *   init(prelude_ptr, prelude_len) -> i32
 *       Creates the runtime and context and evaluates the prelude script. The
 *       prelude's completion value is a function setup(native) returning the
 *       virtual modules, the lockdown roots and the prototypes and symbols the
 *       request fast path uses; see host/zigttp_host/prelude.js.
 *   load(src_ptr, src_len, name_ptr, name_len) -> i32
 *       Evaluates the handler bundle as an ES module named `name`, picks its
 *       `handler` (or default) export, then freezes everything a request
 *       could reach without creating it (zigttp_lockdown, qjs_unity.c).
 *   lock_builtins() -> i32
 *       Freezes the built-ins and the prelude's roots before any handler code
 *       exists and keeps the record of what it froze (the tenant runtime
 *       image, host/zigttp_host/tenants): a later load() then walks only
 *       what its module added and skips the full garbage collection, so the
 *       pages it dirties are the handler's own.
 *   interrupt_flag() -> ptr the address of the soft-deadline flag (an i32 the host
 *                           writes: 1 stops the request at QuickJS's next check)
 *   memory_pages_at() -> ptr the address of an i32: linear memory's size in
 *                           64 KiB pages when handle() last returned (the host
 *                           reads it to recycle a grown instance, no call needed)
 *   buf(cap) -> ptr         persistent exchange buffer of at least cap bytes;
 *                           buf(0) returns it as it is (NULL: none yet), and one
 *                           that exists holds at least 4096 bytes (ensure_xbuf)
 *   handle(len, seed) -> i64 the request is in buf; see "Request/response" below;
 *                           a seed other than 0 re-seeds Math.random first (a
 *                           journaled request replays with its recorded seed)
 *   set_limits(memory_limit, stack_size, interrupt_enabled)
 *   reseed(i64)             re-seed Math.random (every instance of a snapshot)
 *   memory_used() -> i32    bytes QuickJS has allocated (diagnostics)
 *
 * init/load return 0 on success or a negative error class with a JSON
 * error description in the exchange buffer (read it with last_len()).
 *
 * Request/response (one buffer each way, little-endian):
 *   request:  u32 meta_len | meta | raw body bytes
 *             (meta: method NUL url NUL, then name NUL value NUL per header: UTF-8, no NUL in a part)
 *   response: u32 meta_len | meta JSON | raw body bytes
 * handle() returns (ptr << 32 | len) of the response on success, otherwise a
 * negative error class (ERR_*) with {"message","stack","name"} JSON at buf.
 *
 * Host calls from JS: native.call(fnId, argsArray) -> value. The guest sends
 * JSON-encoded arguments through the single `zigttp.call` import; the host
 * answers with a status and a JSON result. Adding a virtual-module export is a
 * host-side change only: the prelude builds the module objects from a table.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include "quickjs.h"

#define ZIGTTP_ABI_VERSION 4

#define IMPORT(name) __attribute__((import_module("zigttp"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

/* Returns (status << 32) | result_len. When result_len > cap the host keeps the
 * result until the guest fetches it with take(). */
IMPORT("call") int64_t host_call(int32_t fn_id, const char *args, int32_t len, char *out, int32_t cap);
IMPORT("take") int32_t host_take(char *out, int32_t cap);

/* Error classes shared with host/zigttp_host/abi.py. */
enum {
    ERR_EXCEPTION = -1,
    ERR_INTERRUPTED = -2,
    ERR_OUT_OF_MEMORY = -3,
    ERR_STACK_OVERFLOW = -4,
    ERR_CAPABILITY_DENIED = -5,
    ERR_BAD_RESPONSE = -6,
    ERR_BAD_REQUEST = -7,
    ERR_NOT_READY = -8,
};

/* Host call statuses shared with the host. */
enum {
    CALL_OK = 0,
    CALL_TYPE_ERROR = 1,
    CALL_ERROR = 2,
    CALL_DENIED = 3,
    CALL_RANGE_ERROR = 4,
    CALL_INTERRUPTED = 5, /* the request's deadline passed before or during the call */
};

static JSRuntime *rt;
static JSContext *ctx;
static JSValue handler = JS_UNDEFINED;
static JSValue modules = JS_UNDEFINED;
static JSValue lock_roots = JS_UNDEFINED;
/* Pieces of the prelude the request fast path needs (see setup() in prelude.js). */
static JSValue request_proto = JS_UNDEFINED;
static JSValue headers_proto = JS_UNDEFINED;
static JSValue merge_header = JS_UNDEFINED;
static JSValue wire_pairs = JS_UNDEFINED;
static JSValue response_proto = JS_UNDEFINED;
static JSValue ok_text = JS_UNDEFINED; /* "OK", the plain response's statusText */
static JSValue request_bytes_fn = JS_UNDEFINED;
static JSAtom atom_entries, atom_used, atom_raw, atom_is_response;
/* Header names that would shadow Headers methods (make_headers). */
static const char *const HEADERS_METHODS[] = {"get", "getSetCookie", "has", "set", "append", "delete", "forEach",
                                             "entries", "keys", "values", "toJSON"};
#define N_HEADERS_METHODS (sizeof HEADERS_METHODS / sizeof HEADERS_METHODS[0])
static JSAtom headers_method_atoms[N_HEADERS_METHODS];
static JSAtom atom_method, atom_url, atom_path, atom_query, atom_headers, atom_body, atom_status;
static JSAtom atom_status_text, atom_ok, atom_content_type;

/* One exchange buffer carries requests in, and responses and errors out. */
static char *xbuf;
static int32_t xcap;
static int32_t xlen;

/* Raw body of the request being handled (points into the request buffer). */
static const uint8_t *req_body;
static size_t req_body_len;

/* Set when a malloc fails, so an exception can be classified as OOM even if
 * the handler rethrew or wrapped it. */
static int oom_seen;
/* Set when the host denied a capability during this request. */
static int denied_seen;
static int interrupt_enabled = 1;

static int ensure_xbuf(int64_t need) {
    if (need > 0x7fffffff) return -1;
    if (need <= xcap) return 0;
    int64_t cap = xcap ? xcap : 4096;
    while (cap < need) cap *= 2;
    if (cap > 0x7fffffff) cap = need;
    char *n = realloc(xbuf, (size_t)cap + 1);
    if (!n) return -1;
    xbuf = n;
    xcap = (int32_t)cap;
    return 0;
}

EXPORT("abi_version") int32_t g_abi_version(void) { return ZIGTTP_ABI_VERSION; }
EXPORT("buf") char *g_buf(int32_t cap) { return ensure_xbuf(cap) ? NULL : xbuf; }
EXPORT("last_len") int32_t g_last_len(void) { return xlen; }

/* ---------- allocator: libc, with OOM tracking ---------- */

static void *z_calloc(void *opaque, size_t count, size_t size) {
    void *p = calloc(count, size);
    if (!p && count && size) oom_seen = 1;
    return p;
}
static void *z_malloc(void *opaque, size_t size) {
    void *p = malloc(size);
    if (!p && size) oom_seen = 1;
    return p;
}
int zigttp_arena_keep(JSRuntime *r, void *ptr);
static void z_free(void *opaque, void *ptr) {
    if (!zigttp_arena_keep(rt, ptr)) free(ptr); /* an emptied arena may be kept as a spare (qjs_unity.c) */
}
/* The libc's malloc (zig's lib/c/malloc.zig over std.heap.BrkAllocator) keeps a block of n bytes in a
 * power-of-two slot of at least n + 20 bytes, and its realloc resizes a block in place within its slot but
 * copies one byte at a time when the block moves (about 8 fuel a byte: a quarter of a JSON.stringify of
 * a few KiB). A block that changes slot is moved here, with memory.copy. */
static size_t slot_of(size_t n) {
    size_t slot = 32;
    while (slot < n + 20 && slot) slot <<= 1;
    return slot;
}
static void *z_realloc(void *opaque, void *ptr, size_t size) {
    if (ptr && size) {
        size_t old = malloc_usable_size(ptr);
        if (slot_of(old) != slot_of(size)) {
            void *p = malloc(size);
            if (!p) {
                oom_seen = 1;
                return NULL;
            }
            memcpy(p, ptr, old < size ? old : size);
            free(ptr);
            return p;
        }
    }
    void *p = realloc(ptr, size);
    if (!p && size) oom_seen = 1;
    return p;
}
static size_t z_usable_size(const void *ptr) { return malloc_usable_size((void *)ptr); }

static const JSMallocFunctions malloc_funcs = {z_calloc, z_malloc, z_free, z_realloc, z_usable_size};

/* ---------- errors ---------- */

static void write_xbuf(const char *s, size_t n) {
    if (ensure_xbuf((int64_t)n)) {
        /* keep at least an empty message */
        xlen = 0;
        return;
    }
    memcpy(xbuf, s, n);
    xbuf[n] = 0;
    xlen = (int32_t)n;
}

static const char *str_prop(JSValueConst obj, const char *name, JSValue *holder) {
    *holder = JS_GetPropertyStr(ctx, obj, name);
    if (JS_IsString(*holder)) return JS_ToCString(ctx, *holder);
    return NULL;
}

/* Classifies the pending exception and writes {"name","message","stack"} JSON
 * into the exchange buffer. JSON encoding is done by QuickJS itself so every
 * character is escaped correctly. */
static int32_t take_exception(void) {
    JSValue exc = JS_GetException(ctx);
    int32_t cls = ERR_EXCEPTION;
    int uncatchable = JS_IsUncatchableError(exc);
    JSValue hn = JS_UNDEFINED, hm = JS_UNDEFINED;
    const char *name = NULL, *msg = NULL;
    if (JS_IsError(exc)) {
        name = str_prop(exc, "name", &hn);
        msg = str_prop(exc, "message", &hm);
    }
    if (denied_seen) cls = ERR_CAPABILITY_DENIED;
    else if (uncatchable && msg && !strcmp(msg, "interrupted")) cls = ERR_INTERRUPTED;
    else if (oom_seen || (msg && name && !strcmp(name, "InternalError") && !strcmp(msg, "out of memory")))
        cls = ERR_OUT_OF_MEMORY;
    else if (msg && name && !strcmp(name, "RangeError") && !strcmp(msg, "Maximum call stack size exceeded"))
        cls = ERR_STACK_OVERFLOW;
    if (name) JS_FreeCString(ctx, name);
    if (msg) JS_FreeCString(ctx, msg);
    JS_FreeValue(ctx, hn);
    JS_FreeValue(ctx, hm);

    /* Building the description allocates; after an OOM, free what we can first. */
    if (cls == ERR_OUT_OF_MEMORY) JS_RunGC(rt);
    JSValue info = JS_NewObject(ctx);
    if (JS_IsError(exc)) {
        JS_SetPropertyStr(ctx, info, "name", JS_GetPropertyStr(ctx, exc, "name"));
        JS_SetPropertyStr(ctx, info, "message", JS_GetPropertyStr(ctx, exc, "message"));
        JS_SetPropertyStr(ctx, info, "stack", JS_GetPropertyStr(ctx, exc, "stack"));
    } else {
        /* a thrown non-Error value */
        JS_SetPropertyStr(ctx, info, "name", JS_NewString(ctx, "Uncaught"));
        JSValue s = JS_ToString(ctx, exc);
        if (JS_IsException(s)) {
            JS_FreeValue(ctx, JS_GetException(ctx));
            s = JS_NewString(ctx, "<unprintable value>");
        }
        JS_SetPropertyStr(ctx, info, "message", s);
    }
    JSValue js = JS_JSONStringify(ctx, info, JS_UNDEFINED, JS_UNDEFINED);
    size_t n = 0;
    const char *s = JS_IsException(js) ? NULL : JS_ToCStringLen(ctx, &n, js);
    if (s) {
        write_xbuf(s, n);
        JS_FreeCString(ctx, s);
    } else {
        JSValue e2 = JS_GetException(ctx);
        JS_FreeValue(ctx, e2);
        static const char fallback[] = "{\"name\":\"Error\",\"message\":\"<error could not be described>\"}";
        write_xbuf(fallback, sizeof fallback - 1);
    }
    JS_FreeValue(ctx, js);
    JS_FreeValue(ctx, info);
    JS_FreeValue(ctx, exc);
    return cls;
}

static int32_t fail_with(int32_t cls, const char *message) {
    JS_ThrowInternalError(ctx, "%s", message);
    int32_t got = take_exception();
    return got == ERR_EXCEPTION ? cls : got;
}

/* ---------- host calls ---------- */

static JSValue parse_json(JSContext *c, const char *text, size_t n, const char *filename, int *nulls);
static JSValue stringify_json(JSContext *c, JSValueConst v);

/* Throws an InternalError no handler code can catch. */
static JSValue throw_uncatchable(JSContext *c, const char *fmt, const char *arg) {
    JS_ThrowInternalError(c, fmt, arg);
    JSValue e = JS_GetException(c);
    JS_SetUncatchableError(c, e);
    return JS_Throw(c, e);
}

/* native.call(fnId, argsArray) */
static JSValue js_host_call(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
    int32_t fn_id;
    if (argc < 2 || JS_ToInt32(c, &fn_id, argv[0])) return JS_ThrowTypeError(c, "host call: bad function id");
    JSValue args = stringify_json(c, argv[1]);
    if (JS_IsException(args)) return args;
    size_t alen = 0;
    const char *a = JS_ToCStringLen(c, &alen, args);
    JS_FreeValue(c, args);
    if (!a) return JS_EXCEPTION;
    if (alen > 0x7fffffff) {
        JS_FreeCString(c, a);
        return JS_ThrowRangeError(c, "host call arguments too large");
    }
    /* one byte is kept free for the terminator JS_ParseJSON and the
     * error formatting expect */
    char small[512];
    int64_t r = host_call(fn_id, a, (int32_t)alen, small, (int32_t)sizeof small - 1);
    JS_FreeCString(c, a);
    int32_t status = (int32_t)(r >> 32);
    int32_t n = (int32_t)(r & 0xffffffff);
    char *out = small;
    if (n < 0) return JS_ThrowInternalError(c, "host call failed");
    if (n > (int32_t)sizeof small - 1) {
        out = js_malloc(c, (size_t)n + 1);
        if (!out) return JS_EXCEPTION;
        host_take(out, n);
    }
    out[n] = 0;
    JSValue result;
    if (status == CALL_OK) {
        result = n == 0 ? JS_UNDEFINED : parse_json(c, out, (size_t)n, "<host>", NULL);
    } else {
        /* error text is a plain UTF-8 message */
        const char *m = out;
        switch (status) {
        case CALL_TYPE_ERROR: result = JS_ThrowTypeError(c, "%s", m); break;
        case CALL_RANGE_ERROR: result = JS_ThrowRangeError(c, "%s", m); break;
        case CALL_DENIED:
            denied_seen = 1;
            /* uncatchable: a handler must not be able to swallow a denial */
            result = throw_uncatchable(c, "capability denied: %s", m);
            break;
        case CALL_INTERRUPTED:
            /* exactly what QuickJS's interrupt handler raises, so it is classified ERR_INTERRUPTED */
            result = throw_uncatchable(c, "%s", "interrupted");
            break;
        default: result = JS_ThrowInternalError(c, "%s", m); break;
        }
    }
    if (out != small) js_free(c, out);
    return result;
}

/* native.requestBytes() -> ArrayBuffer with the exact request body bytes */
static JSValue js_request_bytes(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
    return JS_NewArrayBufferCopy(c, req_body ? req_body : (const uint8_t *)"", req_body_len);
}

/* The query string (the URL after "?", UTF-8) as req.query (qjs_unity.c). */
JSValue zigttp_parse_query(JSContext *ctx, const char *s, size_t n);

/* native.parseQuery(text): the same parser for new Request(url) */
static JSValue js_parse_query(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
    size_t n = 0;
    const char *s = JS_ToCStringLen(c, &n, argc > 0 ? argv[0] : JS_UNDEFINED);
    if (!s) return JS_EXCEPTION;
    JSValue query = zigttp_parse_query(c, s, n);
    JS_FreeCString(c, s);
    return query;
}

/* ---------- range(): the language subset's counted loop ----------
 *
 * The prelude checks range()'s arguments; its [Symbol.iterator]() calls
 * native.rangeIterator(start, end, step). `next` is an iterator_next C
 * function, so for-of, spread and Array.from take QuickJS's fast path for
 * built-in iterators: no JS call and no {value, done} object per step. The
 * steps are the JS iterator's: `value = i; i += step` while
 * (step > 0 ? i < end : i > end), in doubles, as JS numbers are. */

typedef struct {
    double i, end, step;
} RangeState;

static JSClassID range_class_id;

static void range_finalizer(JSRuntime *r, JSValueConst val) {
    js_free_rt(r, JS_GetOpaque(val, range_class_id));
}

static JSValue range_next(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv, int *pdone,
                          int magic) {
    (void)argc, (void)argv, (void)magic;
    RangeState *s = JS_GetOpaque2(c, this_val, range_class_id);
    if (!s) {
        *pdone = 0;
        return JS_EXCEPTION;
    }
    if (s->step > 0 ? s->i < s->end : s->i > s->end) {
        double value = s->i;
        s->i += s->step;
        *pdone = 0;
        return JS_NewNumber(c, value);
    }
    *pdone = 1;
    return JS_UNDEFINED;
}

static const JSCFunctionListEntry range_proto_funcs[] = {
    JS_ITERATOR_NEXT_DEF("next", 0, range_next, 0),
};

/* the class and its prototype (frozen by the lockdown: the prelude lists it among its roots) */
static int range_init(void) {
    static const JSClassDef def = {"RangeIterator", .finalizer = range_finalizer};
    JS_NewClassID(rt, &range_class_id);
    if (JS_NewClass(rt, range_class_id, &def) < 0) return -1;
    JSValue proto = JS_NewObject(ctx);
    if (JS_IsException(proto)) return -1;
    if (JS_SetPropertyFunctionList(ctx, proto, range_proto_funcs, 1) < 0) {
        JS_FreeValue(ctx, proto);
        return -1;
    }
    JS_SetClassProto(ctx, range_class_id, proto);
    return 0;
}

/* native.rangeIterator(start, end, step): numbers, already checked by the prelude */
static JSValue js_range_iterator(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
    (void)this_val;
    double v[3];
    for (int k = 0; k < 3; k++)
        if (JS_ToFloat64(c, &v[k], k < argc ? argv[k] : JS_UNDEFINED) < 0) return JS_EXCEPTION;
    RangeState *s = js_malloc(c, sizeof *s);
    if (!s) return JS_EXCEPTION;
    *s = (RangeState){v[0], v[1], v[2]};
    JSValue it = JS_NewObjectClass(c, range_class_id);
    if (JS_IsException(it)) {
        js_free(c, s);
        return it;
    }
    JS_SetOpaque(it, s);
    return it;
}

/* ---------- JSON: the fast paths of qjs_unity.c, QuickJS's own code when they give up ---------- */

/* JSON.parse(text) for well-formed text; *fallback = 1 means use JS_ParseJSON */
JSValue zigttp_json_parse(JSContext *ctx, const char *text, size_t n, int *fallback, int *nulls);
const char *zigttp_ascii_text(JSValueConst v, size_t *n);
/* JSON.stringify(v) for plain data; *fallback = 1 means use JS_JSONStringify */
JSValue zigttp_json_stringify(JSContext *ctx, JSValueConst v, int *fallback);
/* Is plain data in v nested deeper than max (cycles aside)? */
int zigttp_json_too_deep(JSContext *ctx, JSValueConst v, int max);

/* The deepest JSON nesting the guest parses or serialises. QuickJS does both
 * by recursion in C, and those frames use no shadow stack, so the JS stack
 * limit never sees them: about 20000 levels overflow wasmtime's stack, a
 * trap that discards the instance. 1024 is also orjson's limit, so the
 * guest parses whatever the host's decoders accept. */
#define JSON_MAX_DEPTH 1024

/* Does the JSON text open more than JSON_MAX_DEPTH arrays or objects at
 * once? One pass, brackets inside strings ignored; the fast reader (which
 * stops at depth 64) never needs it. */
static int json_text_too_deep(const char *s, size_t n) {
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '"') {
            for (i++; i < n && s[i] != '"'; i++)
                if (s[i] == '\\') i++;
        } else if (ch == '[' || ch == '{') {
            if (++depth > JSON_MAX_DEPTH) return 1;
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

static int mentions_null(const char *s, size_t n);

/* `text` must be NUL-terminated at text[n]; errors are always QuickJS's,
 * except nesting beyond JSON_MAX_DEPTH. *nulls (when not NULL): whether the
 * value may hold a null (the fast reader counts them; else the text says). */
static JSValue parse_json(JSContext *c, const char *text, size_t n, const char *filename, int *nulls) {
    int slow = 0;
    JSValue v = zigttp_json_parse(c, text, n, &slow, nulls);
    if (!slow) return v;
    if (nulls) *nulls = mentions_null(text, n);
    if (json_text_too_deep(text, n)) return JS_ThrowRangeError(c, "JSON nested deeper than %d levels", JSON_MAX_DEPTH);
    return JS_ParseJSON(c, text, n, filename);
}

/* JSON.stringify(v, replacer, space) through QuickJS, refusing plain data
 * nested beyond JSON_MAX_DEPTH before its recursion starts. */
static JSValue stringify_json_general(JSContext *c, JSValueConst v, JSValueConst replacer, JSValueConst space) {
    if (zigttp_json_too_deep(c, v, JSON_MAX_DEPTH))
        return JS_ThrowRangeError(c, "JSON.stringify: value nested deeper than %d levels", JSON_MAX_DEPTH);
    return JS_JSONStringify(c, v, replacer, space);
}

/* JSON.stringify(v) without replacer or indentation. */
static JSValue stringify_json(JSContext *c, JSValueConst v) {
    int slow = 0;
    JSValue r = zigttp_json_stringify(c, v, &slow);
    return slow ? stringify_json_general(c, v, JS_UNDEFINED, JS_UNDEFINED) : r;
}

/* ---------- JSON.parse with null → undefined (the subset has no null) ---------- */

static int nulls_to_undefined(JSContext *c, JSValueConst v, int depth) {
    if (!JS_IsObject(v)) return 0;
    if (depth > 1000) return 0;
    JSPropertyEnum *props;
    uint32_t len;
    if (JS_GetOwnPropertyNames(c, &props, &len, v, JS_GPN_STRING_MASK | JS_GPN_ENUM_ONLY)) return -1;
    int ret = 0;
    for (uint32_t i = 0; i < len && !ret; i++) {
        JSValue p = JS_GetProperty(c, v, props[i].atom);
        if (JS_IsException(p)) { ret = -1; break; }
        if (JS_IsNull(p)) {
            /* an own data property, whatever its name ("__proto__" included) */
            if (JS_DefinePropertyValue(c, v, props[i].atom, JS_UNDEFINED, JS_PROP_C_W_E) < 0) ret = -1;
        } else if (JS_IsObject(p)) {
            ret = nulls_to_undefined(c, p, depth + 1);
        }
        JS_FreeValue(c, p);
    }
    JS_FreePropertyEnum(c, props, len);
    return ret;
}

/* wasi-libc's memmem (from zig) compares byte slices at every offset: ~5 µs a KB. */
static int mentions_null(const char *s, size_t n) {
    for (size_t i = 0; i + 4 <= n; i++) {
        if (s[i] == 'n' && s[i + 1] == 'u' && s[i + 2] == 'l' && s[i + 3] == 'l') return 1;
    }
    return 0;
}

static JSValue js_json_parse(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
    JSValueConst text = argc > 0 ? argv[0] : JS_UNDEFINED;
    size_t n;
    const char *ascii = zigttp_ascii_text(text, &n); /* the argument's own bytes: argv holds it */
    const char *s = ascii ? ascii : JS_ToCStringLen(c, &n, text);
    if (!s) return JS_EXCEPTION;
    int may_hold_null = 1; /* only a value that holds a null needs the walk */
    JSValue v = parse_json(c, s, n, "<input>", &may_hold_null);
    if (!ascii) JS_FreeCString(c, s);
    if (JS_IsException(v)) return v;
    if (JS_IsNull(v)) return JS_UNDEFINED;
    if (may_hold_null && nulls_to_undefined(c, v, 0)) {
        JS_FreeValue(c, v);
        return JS_EXCEPTION;
    }
    return v;
}

/* ---------- JSON.stringify ---------- */

static JSValue js_json_stringify(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
    JSValueConst v = argc > 0 ? argv[0] : JS_UNDEFINED;
    JSValueConst replacer = argc > 1 ? argv[1] : JS_UNDEFINED;
    JSValueConst space = argc > 2 ? argv[2] : JS_UNDEFINED;
    if (JS_IsUndefined(replacer) && JS_IsUndefined(space)) return stringify_json(c, v);
    return stringify_json_general(c, v, replacer, space);
}

/* ---------- Object.keys / values / entries: a fast path for plain objects (qjs_unity.c) ---------- */

JSValue zigttp_object_list(JSContext *ctx, JSValueConst v, int kind, int *fallback);
int zigttp_iterator_kind(int which);
static JSValue object_list_fns[3] = {JS_UNDEFINED, JS_UNDEFINED, JS_UNDEFINED}; /* QuickJS's own */

static JSValue js_object_list(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv, int which) {
    int fallback = 1;
    if (argc > 0) {
        JSValue r = zigttp_object_list(c, argv[0], zigttp_iterator_kind(which), &fallback);
        if (!fallback) return r;
    }
    return JS_Call(c, object_list_fns[which], this_val, argc, argv);
}

/* String.prototype.toLowerCase / toUpperCase: the 8-bit fast path of qjs_unity.c, else QuickJS's own */
JSValue zigttp_latin1_case(JSContext *ctx, JSValueConst this_val, int to_upper, int *fallback);
static JSValue case_fns[2] = {JS_UNDEFINED, JS_UNDEFINED}; /* QuickJS's own: lower, upper */

static JSValue js_string_case(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv, int to_upper) {
    int fallback = 1;
    JSValue r = zigttp_latin1_case(c, this_val, to_upper, &fallback);
    if (!fallback) return r;
    return JS_Call(c, case_fns[to_upper], this_val, argc, argv);
}

/* ---------- virtual modules ---------- */

static int vmod_init(JSContext *c, JSModuleDef *m) {
    JSAtom a = JS_GetModuleName(c, m);
    JSValue exports = JS_GetProperty(c, modules, a);
    JS_FreeAtom(c, a);
    if (!JS_IsObject(exports)) {
        JS_FreeValue(c, exports);
        return -1;
    }
    JSPropertyEnum *props;
    uint32_t len;
    if (JS_GetOwnPropertyNames(c, &props, &len, exports, JS_GPN_STRING_MASK)) {
        JS_FreeValue(c, exports);
        return -1;
    }
    int ret = 0;
    for (uint32_t i = 0; i < len && !ret; i++) {
        const char *name = JS_AtomToCString(c, props[i].atom);
        if (!name) { ret = -1; break; }
        ret = JS_SetModuleExport(c, m, name, JS_GetProperty(c, exports, props[i].atom));
        JS_FreeCString(c, name);
    }
    JS_FreePropertyEnum(c, props, len);
    JS_FreeValue(c, exports);
    return ret;
}

static JSModuleDef *module_loader(JSContext *c, const char *name, void *opaque) {
    JSValue exports = JS_GetPropertyStr(c, modules, name);
    if (!JS_IsObject(exports)) {
        JS_FreeValue(c, exports);
        JS_ThrowReferenceError(c, "module '%s' not found: only zigttp:* virtual modules can be imported", name);
        return NULL;
    }
    JSModuleDef *m = JS_NewCModule(c, name, vmod_init);
    JSPropertyEnum *props;
    uint32_t len;
    if (m && !JS_GetOwnPropertyNames(c, &props, &len, exports, JS_GPN_STRING_MASK)) {
        for (uint32_t i = 0; i < len; i++) {
            const char *ename = JS_AtomToCString(c, props[i].atom);
            if (ename) {
                JS_AddModuleExport(c, m, ename);
                JS_FreeCString(c, ename);
            }
        }
        JS_FreePropertyEnum(c, props, len);
    }
    JS_FreeValue(c, exports);
    return m;
}

/* Plain names only: no relative or path resolution exists inside the sandbox. */
static char *module_normalize(JSContext *c, const char *base, const char *name, void *opaque) {
    return js_strdup(c, name);
}

/* ---------- interrupts ---------- */

/* The host sets this to 1 when the request's soft deadline passes (from its
 * ticker thread, writing into linear memory) and back to 0 before each
 * request. QuickJS asks every ~10k interpreter steps: reading a flag here
 * instead of calling the host keeps a computing guest off the host's lock
 * (Python's GIL), which one tenant's loop would otherwise take thousands of
 * times a second from everyone else. */
static volatile int32_t interrupt_flag;

EXPORT("interrupt_flag") int32_t g_interrupt_flag(void) { return (int32_t)(intptr_t)&interrupt_flag; }

/* Written as handle() returns; read by the host. */
static volatile int32_t memory_pages;

EXPORT("memory_pages_at") int32_t g_memory_pages_at(void) { return (int32_t)(intptr_t)&memory_pages; }

/* QuickJS calls this every ~10k interpreter steps and from the regexp engine.
 * Returning 1 raises an uncatchable "interrupted" error that unwinds cleanly,
 * so the instance survives a soft deadline (unlike a wasm trap). */
static int interrupt_handler(JSRuntime *r, void *opaque) {
    return interrupt_enabled && interrupt_flag;
}

EXPORT("set_limits") void g_set_limits(int32_t memory_limit, int32_t stack_size, int32_t interrupts) {
    if (memory_limit > 0) JS_SetMemoryLimit(rt, (size_t)memory_limit);
    if (stack_size > 0) JS_SetMaxStackSize(rt, (size_t)stack_size);
    interrupt_enabled = interrupts != 0;
}

void zigttp_reseed(JSContext *ctx, uint64_t seed);
/* Drops the queued promise jobs unrun (qjs_unity.c). */
void zigttp_drop_jobs(JSRuntime *rt);
/* While refuse is set, Math.random() throws (qjs_unity.c). */
void zigttp_refuse_random(JSContext *ctx, int refuse);
/* Freezes everything reachable from `roots` and the context (qjs_unity.c). */
int zigttp_lockdown(JSContext *ctx, JSValueConst roots);
void zigttp_keep_locked(int keep);
static int prelocked; /* lock_builtins() ran: the built-ins are frozen before any handler code */
EXPORT("reseed") void g_reseed(int64_t seed) { zigttp_reseed(ctx, (uint64_t)seed); }

EXPORT("memory_used") int32_t g_memory_used(void) {
    JSMemoryUsage u;
    JS_ComputeMemoryUsage(rt, &u);
    return u.malloc_size > 0x7fffffff ? 0x7fffffff : (int32_t)u.malloc_size;
}

/* Runs every queued promise job: 0, or -1 with the failing job's error
 * pending. Promise jobs turn ordinary exceptions into rejections, so that
 * error is an interrupt (the deadline), running out of memory or a denied
 * capability. The jobs a failure leaves queued are dropped: none may run in
 * a later request. */
static int run_jobs(void) {
    JSContext *c;
    int rc;
    while ((rc = JS_ExecutePendingJob(rt, &c)) > 0) {}
    if (rc < 0) zigttp_drop_jobs(rt);
    return rc < 0 ? -1 : 0;
}

/* Finishes what a call into JS started: runs the promise jobs it queued
 * (whether it returned a promise, another value or threw), then settles a
 * promise. Returns the value, or JS_EXCEPTION with the error pending. */
static JSValue settle(JSValue v) {
    if (JS_IsException(v)) {
        JSValue exc = JS_GetException(ctx);
        /* after an interrupt or a denial nothing more of this request runs */
        if (JS_IsUncatchableError(exc)) {
            zigttp_drop_jobs(rt);
        } else if (run_jobs() < 0) {
            JS_FreeValue(ctx, exc);
            return JS_EXCEPTION;
        }
        return JS_Throw(ctx, exc);
    }
    if (run_jobs() < 0) {
        JS_FreeValue(ctx, v);
        return JS_EXCEPTION;
    }
    if (!JS_IsPromise(v)) return v;
    JSPromiseStateEnum st = JS_PromiseState(ctx, v);
    if (st == JS_PROMISE_FULFILLED) {
        JSValue r = JS_PromiseResult(ctx, v);
        JS_FreeValue(ctx, v);
        return r;
    }
    if (st == JS_PROMISE_REJECTED) {
        JS_Throw(ctx, JS_PromiseResult(ctx, v));
        JS_FreeValue(ctx, v);
        return JS_EXCEPTION;
    }
    JS_FreeValue(ctx, v);
    return JS_ThrowTypeError(ctx, "handler returned a promise that never settles (no async I/O exists here)");
}

/* ---------- init / load ---------- */

static int keep_object_shapes(void);
static JSValue js_plain_response(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv);
static JSValue js_object_like(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv);
static JSValue fast_paths(JSValueConst owner, const char *const *names, int n, int length, JSCFunctionMagic *fn,
                          JSValue *originals);

/* The native bridge the prelude's setup() receives: the C functions and fast paths it installs. */
static JSValue native_bridge(void) {
    JSValue global = JS_GetGlobalObject(ctx);
    JSValue native = JS_NewObject(ctx);
    JS_SetPropertyStr(ctx, native, "call", JS_NewCFunction(ctx, js_host_call, "call", 2));
    JS_SetPropertyStr(ctx, native, "requestBytes", JS_NewCFunction(ctx, js_request_bytes, "requestBytes", 0));
    JS_SetPropertyStr(ctx, native, "parseQuery", JS_NewCFunction(ctx, js_parse_query, "parseQuery", 1));
    JS_SetPropertyStr(ctx, native, "plainResponse", JS_NewCFunction(ctx, js_plain_response, "plainResponse", 2));
    JS_SetPropertyStr(ctx, native, "objectLike", JS_NewCFunction(ctx, js_object_like, "__zt_obj", 1));
    JS_SetPropertyStr(ctx, native, "rangeIterator", JS_NewCFunction(ctx, js_range_iterator, "rangeIterator", 3));
    JS_SetPropertyStr(ctx, native, "parseJson", JS_NewCFunction(ctx, js_json_parse, "parse", 1));
    JS_SetPropertyStr(ctx, native, "stringifyJson", JS_NewCFunction(ctx, js_json_stringify, "stringify", 3));
    static const char *const object_list_names[3] = {"keys", "values", "entries"};
    JSValue object_ctor = JS_GetPropertyStr(ctx, global, "Object");
    JS_SetPropertyStr(ctx, native, "objectLists",
                      fast_paths(object_ctor, object_list_names, 3, 1, js_object_list, object_list_fns));
    JS_FreeValue(ctx, object_ctor);
    static const char *const case_names[2] = {"toLowerCase", "toUpperCase"};
    JSValue string_ctor = JS_GetPropertyStr(ctx, global, "String");
    JSValue string_proto = JS_GetPropertyStr(ctx, string_ctor, "prototype");
    JS_SetPropertyStr(ctx, native, "stringCases", fast_paths(string_proto, case_names, 2, 0, js_string_case, case_fns));
    JS_FreeValue(ctx, string_proto);
    JS_FreeValue(ctx, string_ctor);
    JS_FreeValue(ctx, global);
    return native;
}

/* { name: fast path } for the prelude to install over owner's methods of those names; each fast path
 * gets its index as magic and finds QuickJS's own function, kept in originals[index], to fall back on */
static JSValue fast_paths(JSValueConst owner, const char *const *names, int n, int length, JSCFunctionMagic *fn,
                          JSValue *originals) {
    JSValue paths = JS_NewObject(ctx);
    for (int i = 0; i < n; i++) {
        originals[i] = JS_GetPropertyStr(ctx, owner, names[i]);
        JS_SetPropertyStr(ctx, paths, names[i], JS_NewCFunctionMagic(ctx, fn, names[i], length, JS_CFUNC_generic_magic, i));
    }
    return paths;
}

EXPORT("init") int32_t g_init(const char *prelude, int32_t len) {
    if (rt) return ERR_NOT_READY;
    rt = JS_NewRuntime2(&malloc_funcs, NULL);
    if (!rt) return ERR_OUT_OF_MEMORY;
    /* The shadow stack is 1 MiB and the host runs with max_wasm_stack = 2 MiB;
     * 256 KiB of JS stack keeps plain recursion a catchable RangeError. */
    JS_SetMaxStackSize(rt, 256 * 1024);
    JS_SetModuleLoaderFunc(rt, module_normalize, module_loader, NULL);
    JS_SetInterruptHandler(rt, interrupt_handler, NULL);
    ctx = JS_NewContext(rt);
    if (!ctx) return ERR_OUT_OF_MEMORY;

    if (range_init() < 0) return fail_with(ERR_OUT_OF_MEMORY, "range(): its iterator class could not be made");
    JSValue native = native_bridge();

    /* the prelude text must be NUL-terminated at prelude[len] (host guarantees) */
    JSValue setup = JS_Eval(ctx, prelude, (size_t)len, "<prelude>", JS_EVAL_TYPE_GLOBAL);
    if (JS_IsException(setup)) {
        JS_FreeValue(ctx, native);
        return take_exception();
    }
    JSValue api = JS_Call(ctx, setup, JS_UNDEFINED, 1, (JSValueConst *)&native);
    JS_FreeValue(ctx, setup);
    JS_FreeValue(ctx, native);
    if (JS_IsException(api)) return take_exception();
    modules = JS_GetPropertyStr(ctx, api, "modules");
    lock_roots = JS_GetPropertyStr(ctx, api, "lockRoots");
    request_proto = JS_GetPropertyStr(ctx, api, "requestProto");
    headers_proto = JS_GetPropertyStr(ctx, api, "headersProto");
    merge_header = JS_GetPropertyStr(ctx, api, "mergeHeader");
    wire_pairs = JS_GetPropertyStr(ctx, api, "wirePairs");
    response_proto = JS_GetPropertyStr(ctx, api, "responseProto");
    request_bytes_fn = JS_NewCFunction(ctx, js_request_bytes, "requestBytes", 0);
    JSValue syms = JS_GetPropertyStr(ctx, api, "symbols");
    JSValue s;
    s = JS_GetPropertyStr(ctx, syms, "entries"); atom_entries = JS_ValueToAtom(ctx, s); JS_FreeValue(ctx, s);
    s = JS_GetPropertyStr(ctx, syms, "used"); atom_used = JS_ValueToAtom(ctx, s); JS_FreeValue(ctx, s);
    s = JS_GetPropertyStr(ctx, syms, "raw"); atom_raw = JS_ValueToAtom(ctx, s); JS_FreeValue(ctx, s);
    s = JS_GetPropertyStr(ctx, syms, "isResponse"); atom_is_response = JS_ValueToAtom(ctx, s); JS_FreeValue(ctx, s);
    JS_FreeValue(ctx, syms);
    JS_FreeValue(ctx, api);
    atom_method = JS_NewAtom(ctx, "method");
    atom_url = JS_NewAtom(ctx, "url");
    atom_path = JS_NewAtom(ctx, "path");
    atom_query = JS_NewAtom(ctx, "query");
    atom_headers = JS_NewAtom(ctx, "headers");
    atom_body = JS_NewAtom(ctx, "body");
    atom_status = JS_NewAtom(ctx, "status");
    atom_status_text = JS_NewAtom(ctx, "statusText");
    atom_ok = JS_NewAtom(ctx, "ok");
    atom_content_type = JS_NewAtom(ctx, "content-type");
    ok_text = JS_NewString(ctx, "OK");
    for (size_t i = 0; i < N_HEADERS_METHODS; i++) headers_method_atoms[i] = JS_NewAtom(ctx, HEADERS_METHODS[i]);
    if (!JS_IsObject(modules) || !JS_IsArray(lock_roots) ||
        !JS_IsObject(request_proto) || !JS_IsObject(headers_proto) || !JS_IsObject(response_proto) ||
        !JS_IsFunction(ctx, merge_header) || !JS_IsFunction(ctx, wire_pairs) || atom_entries == JS_ATOM_NULL || atom_is_response == JS_ATOM_NULL)
        return fail_with(ERR_NOT_READY, "prelude setup() returned an incomplete API");
    if (keep_object_shapes() < 0) return take_exception();
    return 0;
}

EXPORT("load") int32_t g_load(const char *src, int32_t len, const char *name, int32_t name_len) {
    if (!ctx) return ERR_NOT_READY;
    char fname[256];
    int nl = name_len < (int32_t)sizeof fname - 1 ? name_len : (int32_t)sizeof fname - 1;
    memcpy(fname, name, (size_t)nl);
    fname[nl] = 0;
    oom_seen = denied_seen = 0;
    JSValue fn = JS_Eval(ctx, src, (size_t)len, fname, JS_EVAL_TYPE_MODULE | JS_EVAL_FLAG_COMPILE_ONLY);
    if (JS_IsException(fn)) return take_exception();
    JSModuleDef *m = JS_VALUE_GET_PTR(fn);
    zigttp_refuse_random(ctx, 1);
    JSValue p = settle(JS_EvalFunction(ctx, fn));
    zigttp_refuse_random(ctx, 0);
    if (JS_IsException(p)) return take_exception();
    JS_FreeValue(ctx, p);
    JSValue ns = JS_GetModuleNamespace(ctx, m);
    if (JS_IsException(ns)) return take_exception();
    JSValue h = JS_GetPropertyStr(ctx, ns, "handler");
    if (!JS_IsFunction(ctx, h)) {
        JS_FreeValue(ctx, h);
        h = JS_GetPropertyStr(ctx, ns, "default");
    }
    JS_FreeValue(ctx, ns);
    if (!JS_IsFunction(ctx, h)) {
        JS_FreeValue(ctx, h);
        return fail_with(ERR_EXCEPTION,
                         "no handler: define `function handler(req)` (or export it, or export default a function)");
    }
    JS_FreeValue(ctx, handler);
    handler = h;
    if (zigttp_lockdown(ctx, lock_roots) < 0) return take_exception();
    if (!prelocked) JS_RunGC(rt); /* a snapshot is taken next: leave no garbage in it */
    return 0;
}

EXPORT("lock_builtins") int32_t g_lock_builtins(void) {
    if (!ctx) return ERR_NOT_READY;
    zigttp_keep_locked(1);
    if (zigttp_lockdown(ctx, lock_roots) < 0) return take_exception();
    prelocked = 1;
    JS_RunGC(rt);
    return 0;
}

/* ---------- one request ---------- */

static uint32_t rd_u32(const char *p) {
    const uint8_t *b = (const uint8_t *)p;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static void wr_u32(char *p, uint32_t v) {
    uint8_t *b = (uint8_t *)p;
    b[0] = v & 0xff; b[1] = (v >> 8) & 0xff; b[2] = (v >> 16) & 0xff; b[3] = (v >> 24) & 0xff;
}

/* Header names that would shadow Headers methods stay reachable through get() only. */
static int is_headers_method(JSAtom a) {
    for (size_t i = 0; i < N_HEADERS_METHODS; i++)
        if (a == headers_method_atoms[i]) return 1;
    return 0;
}

/* Header-name atoms kept alive between requests (zigttp_keep_atom in qjs_unity.c). */
#define HEADER_ATOM_SLOTS 64
static JSAtom header_atoms[HEADER_ATOM_SLOTS];

void zigttp_keep_atom(JSContext *c, JSAtom *slots, uint32_t n, JSAtom a); /* qjs_unity.c */
int zigttp_define_new(JSContext *c, JSValueConst obj, JSAtom a, JSValue val, int flags); /* qjs_unity.c */
JSValue zigttp_new_like(JSContext *c, JSValueConst keeper, JSValue *values, int n);     /* qjs_unity.c */
JSValue zigttp_kept_new(JSContext *c, int table, const JSAtom *atoms, JSValueConst *values, int n); /* qjs_unity.c */
void zigttp_kept_keep(JSContext *c, int table, JSValueConst obj, const JSAtom *atoms, int n);    /* qjs_unity.c */
#define HEADERS_LAYOUT_TABLE 1 /* qjs_unity.c ZIGTTP_LAYOUT_HEADERS */
JSValue zigttp_object_like(JSContext *c, JSValueConst keeper, int n, JSValueConst *values); /* qjs_unity.c */

static JSValue new_text(const uint8_t *s, size_t n);

/* The metadata's parts: method NUL url NUL (name NUL value NUL)*, UTF-8, no NUL inside a part. */
typedef struct {
    const char *at;
    const char *end;
} MetaReader;

/* The next NUL-terminated part; 0 when none is left. */
static int next_part(MetaReader *r, const char **s, size_t *n) {
    if (r->at >= r->end) return 0;
    const char *nul = memchr(r->at, 0, (size_t)(r->end - r->at));
    if (!nul) return 0;
    *s = r->at;
    *n = (size_t)(nul - r->at);
    r->at = nul + 1;
    return 1;
}

size_t zigttp_ascii_prefix(const uint8_t *s, size_t n); /* qjs_unity.c */

static int is_ascii(const char *s, size_t n) { return zigttp_ascii_prefix((const uint8_t *)s, n) == n; }

/* A header name's atom: an ASCII name is looked up without a copy (interned since an earlier request,
 * the common case); any other goes through a string, as JS_NewAtomLen mistakes UTF-8 for Latin-1. */
static JSAtom header_atom(const char *s, size_t n) {
    if (is_ascii(s, n)) return JS_NewAtomLen(ctx, s, n);
    JSValue str = new_text((const uint8_t *)s, n);
    if (JS_IsException(str)) return JS_ATOM_NULL;
    JSAtom a = JS_ValueToAtom(ctx, str);
    JS_FreeValue(ctx, str);
    return a;
}

/* One own property per header name, mirroring the entries list for req.headers["x"]. */
static int define_header(JSValue h, JSAtom a, JSValueConst val) {
    if (is_headers_method(a)) return 0;
    zigttp_keep_atom(ctx, header_atoms, HEADER_ATOM_SLOTS, a);
    /* own properties only: a name such as "constructor" is inherited by every object */
    int has = JS_GetOwnProperty(ctx, NULL, h, a);
    if (has < 0) return -1;
    if (has == 0) return zigttp_define_new(ctx, h, a, JS_DupValue(ctx, val), JS_PROP_C_W_E);
    /* repeated header: let the prelude join the values */
    JSValue args[2] = {h, JS_AtomToString(ctx, a)};
    if (JS_IsException(args[1])) return -1;
    JSValue r = JS_Call(ctx, merge_header, JS_UNDEFINED, 2, args);
    JS_FreeValue(ctx, args[1]);
    int rc = JS_IsException(r) ? -1 : 0;
    JS_FreeValue(ctx, r);
    return rc;
}

#define STACK_HEADERS 32

/* The headers object on the kept shape of its layout `layout` ([entries symbol, the names in order];
 * qjs_unity.c, kept layouts): a client sends the same names in the same order request after request, and
 * an object that grows one mirror at a time clones and grows its own shape each time. Only a layout the
 * build in make_headers made is kept, so only names that are all distinct and none a method's (each then
 * one own mirror) ever match. JS_UNINITIALIZED when none is kept; nothing taken either way. */
static JSValue kept_headers(const JSAtom *layout, JSValue entries, JSValueConst *vals, int n) {
    JSValue values[STACK_HEADERS];
    values[0] = entries;
    for (int i = 0; i < n; i++) values[i + 1] = vals[i];
    JSValue h = zigttp_kept_new(ctx, HEADERS_LAYOUT_TABLE, layout, values, n + 1);
    if (JS_IsUninitialized(h)) return h;
    for (int i = 0; i < n; i++) zigttp_keep_atom(ctx, header_atoms, HEADER_ATOM_SLOTS, layout[i + 1]);
    return h;
}

/* Builds req.headers from the name/value parts left in `r`: one [name, value] pair per header in the
 * hidden entries list, made at their final size (no JSON to parse, no array grown one element at a time). */
static JSValue make_headers(MetaReader *r) {
    size_t parts = 0;
    for (const char *q = r->at; q < r->end; q++) parts += *q == 0;
    if (parts % 2 || (r->at < r->end && r->end[-1] != 0)) return JS_ThrowTypeError(ctx, "bad request headers");
    int n = (int)(parts / 2);
    JSValue stack_pairs[STACK_HEADERS], stack_vals[STACK_HEADERS];
    JSAtom stack_atoms[STACK_HEADERS];
    JSValue *pairs = stack_pairs, *vals = stack_vals;
    JSAtom *atoms = stack_atoms;
    if (n > STACK_HEADERS) {
        pairs = js_malloc(ctx, sizeof *pairs * (size_t)n);
        vals = js_malloc(ctx, sizeof *vals * (size_t)n);
        atoms = js_malloc(ctx, sizeof *atoms * (size_t)n);
    }
    JSValue h = JS_EXCEPTION, entries = JS_EXCEPTION;
    int made = 0;
    if (!pairs || !vals || !atoms) goto done;
    for (; made < n; made++) {
        const char *name, *value;
        size_t nl, vl;
        next_part(r, &name, &nl);
        next_part(r, &value, &vl);
        JSAtom a = header_atom(name, nl);
        if (a == JS_ATOM_NULL) break;
        JSValue pair[2] = {JS_AtomToString(ctx, a), new_text((const uint8_t *)value, vl)};
        if (JS_IsException(pair[0]) || JS_IsException(pair[1])) {
            JS_FreeValue(ctx, pair[0]);
            JS_FreeValue(ctx, pair[1]);
            JS_FreeAtom(ctx, a);
            break;
        }
        vals[made] = JS_DupValue(ctx, pair[1]);
        pairs[made] = JS_NewArrayFrom(ctx, 2, pair); /* owns the pair's values, freed on failure */
        atoms[made] = a;
        if (JS_IsException(pairs[made])) {
            JS_FreeValue(ctx, vals[made]);
            JS_FreeAtom(ctx, a);
            break;
        }
    }
    if (made < n) {
        for (int i = 0; i < made; i++) JS_FreeValue(ctx, pairs[i]);
        goto done;
    }
    entries = JS_NewArrayFrom(ctx, n, pairs); /* owns the pairs, freed on failure */
    if (JS_IsException(entries)) goto done;
    int keepable = n < STACK_HEADERS; /* the layout: the entries symbol, then the names */
    JSAtom layout[STACK_HEADERS];
    layout[0] = atom_entries;
    for (int i = 0; keepable && i < n; i++) layout[i + 1] = atoms[i];
    h = keepable ? kept_headers(layout, entries, vals, n) : JS_UNINITIALIZED;
    if (!JS_IsUninitialized(h)) {
        JS_FreeValue(ctx, entries); /* the object holds its own */
        goto done;
    }
    h = JS_NewObjectProto(ctx, headers_proto);
    if (JS_IsException(h) || zigttp_define_new(ctx, h, atom_entries, entries, JS_PROP_WRITABLE) < 0) {
        if (JS_IsException(h)) JS_FreeValue(ctx, entries);
        JS_FreeValue(ctx, h);
        h = JS_EXCEPTION;
        goto done;
    }
    for (int i = 0; i < n; i++) {
        if (define_header(h, atoms[i], vals[i])) {
            JS_FreeValue(ctx, h);
            h = JS_EXCEPTION;
            break;
        }
    }
    if (keepable && !JS_IsException(h)) zigttp_kept_keep(ctx, HEADERS_LAYOUT_TABLE, h, layout, n + 1);
done:
    for (int i = 0; i < made; i++) {
        JS_FreeValue(ctx, vals[i]);
        JS_FreeAtom(ctx, atoms[i]);
    }
    if (pairs != stack_pairs) js_free(ctx, pairs);
    if (vals != stack_vals) js_free(ctx, vals);
    if (atoms != stack_atoms) js_free(ctx, atoms);
    if (!JS_IsException(h) || JS_HasException(ctx)) return h;
    return JS_ThrowOutOfMemory(ctx);
}

/* A request object's own properties, in the order and with the flags make_request defines them
 * (`raw` only when the request has a body). */
#define REQUEST_PROPS 8
static JSAtom *const REQUEST_PROP_ATOMS[REQUEST_PROPS] = {&atom_method, &atom_url, &atom_path, &atom_query,
                                                         &atom_headers, &atom_body, &atom_used, &atom_raw};
static const int REQUEST_PROP_FLAGS[REQUEST_PROPS] = {JS_PROP_C_W_E, JS_PROP_C_W_E, JS_PROP_C_W_E, JS_PROP_C_W_E,
                                                      JS_PROP_C_W_E, JS_PROP_C_W_E, JS_PROP_WRITABLE, 0};

/* A plain response's own properties (Response(body), Response.json(data), … without init) and its
 * headers object's, in the order and with the flags of the prelude's object literals they replace. */
#define RESPONSE_PROPS 5
static JSAtom *const RESPONSE_PROP_ATOMS[RESPONSE_PROPS] = {&atom_body, &atom_status, &atom_status_text, &atom_ok,
                                                           &atom_headers};
static const int RESPONSE_PROP_FLAGS[RESPONSE_PROPS] = {JS_PROP_C_W_E, JS_PROP_C_W_E, JS_PROP_C_W_E, JS_PROP_C_W_E,
                                                        JS_PROP_C_W_E};
#define PLAIN_HEADERS_PROPS 2
static JSAtom *const PLAIN_HEADERS_ATOMS[PLAIN_HEADERS_PROPS] = {&atom_entries, &atom_content_type};
static const int PLAIN_HEADERS_FLAGS[PLAIN_HEADERS_PROPS] = {JS_PROP_C_W_E, JS_PROP_C_W_E};

/* One object per prefix of each layout's properties (none, the first, the first two, ... all), made
 * once at init and never freed. QuickJS finds an object's next shape in its shape table only while
 * some object still has it; without these, each request's objects would make their shapes again,
 * the previous request's having died with its objects. */
static JSValue request_shape_keepers[REQUEST_PROPS + 1];
static JSValue response_shape_keepers[RESPONSE_PROPS + 1];
static JSValue headers_shape_keepers[PLAIN_HEADERS_PROPS + 1];

static int keep_shapes(JSValueConst proto, JSAtom *const *atoms, const int *flags, int n, JSValue *keepers) {
    for (int k = 0; k <= n; k++) {
        JSValue o = JS_NewObjectProto(ctx, proto);
        if (JS_IsException(o)) return -1;
        for (int i = 0; i < k; i++)
            if (JS_DefinePropertyValue(ctx, o, *atoms[i], JS_UNDEFINED, flags[i]) < 0) {
                JS_FreeValue(ctx, o);
                return -1;
            }
        keepers[k] = o;
    }
    return 0;
}

static int keep_object_shapes(void) {
    if (keep_shapes(request_proto, REQUEST_PROP_ATOMS, REQUEST_PROP_FLAGS, REQUEST_PROPS, request_shape_keepers) < 0 ||
        keep_shapes(response_proto, RESPONSE_PROP_ATOMS, RESPONSE_PROP_FLAGS, RESPONSE_PROPS,
                    response_shape_keepers) < 0)
        return -1;
    return keep_shapes(headers_proto, PLAIN_HEADERS_ATOMS, PLAIN_HEADERS_FLAGS, PLAIN_HEADERS_PROPS,
                       headers_shape_keepers);
}

/* Defines `n` properties of `obj` in order; takes the values (all freed, defined or not). */
static int define_all(JSValueConst obj, JSAtom *const *atoms, const int *flags, JSValue *values, int n) {
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc < 0) JS_FreeValue(ctx, values[i]);
        else rc = zigttp_define_new(ctx, obj, *atoms[i], values[i], flags[i]); /* obj is new: none exists */
    }
    return rc < 0 ? -1 : 0;
}

/* A new object of `proto` with the first `n` properties of a layout (atoms, flags), holding `values` (taken):
 * on the kept shape of that prefix (keepers[n]) at its final size, else defined one by one. */
static JSValue new_with_layout(JSValueConst proto, const JSValue *keepers, JSAtom *const *atoms, const int *flags,
                               JSValue *values, int n) {
    if (JS_IsObject(keepers[n])) {
        JSValue o = zigttp_new_like(ctx, keepers[n], values, n);
        if (!JS_IsUninitialized(o)) return o;
    }
    JSValue o = JS_NewObjectProto(ctx, proto);
    if (JS_IsException(o)) {
        for (int i = 0; i < n; i++) JS_FreeValue(ctx, values[i]);
        return o;
    }
    if (define_all(o, atoms, flags, values, n) < 0) {
        JS_FreeValue(ctx, o);
        return JS_EXCEPTION;
    }
    return o;
}

/* The plain response's headers: { __proto__: headersProto, [ENTRIES]: [["content-type", type]],
 * "content-type": type }, or without both when `type` is undefined. */
static JSValue plain_headers(JSContext *c, JSValueConst type) {
    int typed = !JS_IsUndefined(type);
    JSValue entries;
    if (typed) {
        JSValue pair[2] = {JS_AtomToString(c, atom_content_type), JS_DupValue(c, type)};
        JSValue one = JS_NewArrayFrom(c, 2, pair);
        entries = JS_IsException(one) ? one : JS_NewArrayFrom(c, 1, &one);
    } else {
        entries = JS_NewArray(c);
    }
    if (JS_IsException(entries)) return entries;
    JSValue values[PLAIN_HEADERS_PROPS] = {entries, JS_DupValue(c, type)}; /* undefined needs no freeing */
    return new_with_layout(headers_proto, headers_shape_keepers, PLAIN_HEADERS_ATOMS, PLAIN_HEADERS_FLAGS, values,
                           typed ? 2 : 1);
}

/* native.objectLike(keeper, ...values): the prelude's __zt_obj, which compiled object literals call */
static JSValue js_object_like(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
    (void)this_val;
    return zigttp_object_like(c, argc > 0 ? argv[0] : JS_UNDEFINED, argc > 0 ? argc - 1 : 0, argv + 1);
}

/* native.plainResponse(body, contentType): { __proto__: responseProto, body, status: 200,
 * statusText: "OK", ok: true, headers } on kept shapes (the prelude's Response without init) */
static JSValue js_plain_response(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
    (void)this_val;
    if (!JS_IsObject(response_proto)) return JS_ThrowInternalError(c, "plainResponse() before the prelude's setup");
    JSValue headers = plain_headers(c, argc > 1 ? argv[1] : JS_UNDEFINED);
    if (JS_IsException(headers)) return headers;
    JSValue values[RESPONSE_PROPS] = {JS_DupValue(c, argc > 0 ? argv[0] : JS_UNDEFINED), JS_NewInt32(c, 200),
                                      JS_DupValue(c, ok_text), JS_TRUE, headers};
    return new_with_layout(response_proto, response_shape_keepers, RESPONSE_PROP_ATOMS, RESPONSE_PROP_FLAGS, values,
                           RESPONSE_PROPS);
}

/* The request object from the metadata at [meta, meta + len) and the body string. */
static JSValue make_request(const char *meta, size_t len, JSValueConst body, int has_body) {
    MetaReader r = {meta, meta + len};
    const char *m, *u;
    size_t ml, ulen;
    if (!next_part(&r, &m, &ml) || !next_part(&r, &u, &ulen)) return JS_ThrowTypeError(ctx, "bad request metadata");
    JSValue method = new_text((const uint8_t *)m, ml);
    JSValue url = new_text((const uint8_t *)u, ulen);
    JSValue path = JS_UNDEFINED, query = JS_UNDEFINED;
    const char *q = memchr(u, '?', ulen);
    if (JS_IsException(url)) {
        path = JS_EXCEPTION;
    } else if (q) {
        path = new_text((const uint8_t *)u, (size_t)(q - u));
        query = zigttp_parse_query(ctx, q + 1, ulen - (size_t)(q - u) - 1);
    } else {
        path = JS_DupValue(ctx, url);
        query = JS_NewObject(ctx);
    }
    JSValue headers = make_headers(&r);
    if (JS_IsException(method) || JS_IsException(url) || JS_IsException(path) || JS_IsException(query) ||
        JS_IsException(headers)) {
        JS_FreeValue(ctx, path);
        JS_FreeValue(ctx, query);
        JS_FreeValue(ctx, headers);
        JS_FreeValue(ctx, method);
        JS_FreeValue(ctx, url);
        return JS_EXCEPTION;
    }
    JSValue values[REQUEST_PROPS] = {method, url, path, query, headers, JS_DupValue(ctx, body), JS_FALSE,
                                     has_body ? JS_DupValue(ctx, request_bytes_fn) : JS_UNDEFINED};
    return new_with_layout(request_proto, request_shape_keepers, REQUEST_PROP_ATOMS, REQUEST_PROP_FLAGS, values,
                           REQUEST_PROPS - !has_body);
}

/* ---------- well-formed UTF-8 at the boundary ---------- */

int zigttp_string_is_8bit(JSValueConst v);
int zigttp_headers_mirrored(JSContext *ctx, JSValueConst h, JSValueConst entries);

/* Reads one UTF-8 sequence at s[*i] as TextDecoder does: a code point, or
 * -1 (to become one U+FFFD) for the longest prefix of a sequence that cannot
 * be completed (an encoded surrogate, an overlong form and a truncated
 * sequence included), after which reading resumes at the offending byte. */
static int32_t utf8_next(const uint8_t *s, size_t n, size_t *i) {
    int32_t b = s[*i], cp;
    int need;
    uint8_t lo = 0x80, hi = 0xBF;
    (*i)++;
    if (b < 0x80) return b;
    if (b >= 0xC2 && b <= 0xDF) {
        need = 1;
        cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2;
        cp = b & 0x0F;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F; /* U+D800..U+DFFF are not code points UTF-8 may encode */
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3;
        cp = b & 0x07;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
    } else {
        return -1;
    }
    for (; need > 0; need--) {
        if (*i >= n || s[*i] < lo || s[*i] > hi) return -1;
        cp = cp << 6 | (s[(*i)++] & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    return cp;
}

static int utf8_well_formed(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        if (utf8_next(s, n, &i) < 0) return 0;
    }
    return 1;
}

/* Request bytes as a string: invalid UTF-8 becomes U+FFFD as TextDecoder
 * does, never a lone surrogate (QuickJS's own decoder keeps an encoded
 * surrogate as one). */
JSValue zigttp_new_ascii(JSContext *c, const char *s, size_t n);

static JSValue new_text(const uint8_t *s, size_t n) {
    size_t ascii = zigttp_ascii_prefix(s, n);
    if (ascii == n) return zigttp_new_ascii(ctx, (const char *)s, n);
    if (utf8_well_formed(s + ascii, n - ascii)) return JS_NewStringLen(ctx, (const char *)s, n);
    uint16_t *u = js_malloc(ctx, sizeof *u * n); /* never more units than bytes */
    if (!u) return JS_EXCEPTION;
    size_t len = 0, i = 0;
    while (i < n) {
        int32_t cp = utf8_next(s, n, &i);
        if (cp < 0) {
            u[len++] = 0xFFFD;
        } else if (cp >= 0x10000) {
            u[len++] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            u[len++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
        } else {
            u[len++] = (uint16_t)cp;
        }
    }
    JSValue v = JS_NewStringUTF16(ctx, u, len);
    js_free(ctx, u);
    return v;
}

/* QuickJS encodes a lone surrogate as the three bytes ED A0..BF xx (a pair
 * becomes one four-byte sequence); each becomes U+FFFD, EF BF BD, in place,
 * as TextEncoder does. ED is always a lead byte, so no sequence is cut. */
static void replace_lone_surrogates(uint8_t *s, size_t n) {
    for (size_t i = 0; i + 2 < n; i++) {
        if (s[i] == 0xED && s[i + 1] >= 0xA0) {
            s[i] = 0xEF;
            s[i + 1] = 0xBF;
            s[i + 2] = 0xBD;
            i += 2;
        }
    }
}

/* Appends `s` to the exchange buffer at *pos, growing it. */
static int put_bytes(size_t *pos, const void *s, size_t n) {
    if (ensure_xbuf((int64_t)*pos + (int64_t)n)) return -1;
    memcpy(xbuf + *pos, s, n);
    *pos += n;
    return 0;
}

static const char *describe_non_response(JSValueConst v) {
    if (JS_IsUndefined(v)) return "undefined";
    if (JS_IsNull(v)) return "null";
    if (JS_IsString(v)) return "a string";
    if (JS_IsNumber(v)) return "a number";
    if (JS_IsBool(v)) return "a boolean";
    if (JS_IsFunction(ctx, v)) return "a function";
    if (JS_IsArray(v)) return "an array";
    return "a plain object";
}

int zigttp_ascii_pairs(JSValueConst entries, const uint8_t **parts, size_t *lens, int max); /* qjs_unity.c */
#define ASCII_PAIRS_MAX 32
#define ASCII_PAIRS_MAX_BYTES (16 << 10) /* beyond, the room for the worst case of escapes is not reserved */

static int32_t out_of_memory(void) { return fail_with(ERR_OUT_OF_MEMORY, "out of memory"); }

char *zigttp_write_json_ascii(char *d, const uint8_t *s, size_t n); /* qjs_unity.c */

/* Appends the headers' JSON, [[name,value],...]: written from the strings themselves when they are ASCII pairs
 * (the common case: no JS string made and copied out again), else JSON.stringify'd. 0, or an error code. */
static int32_t put_headers_json(size_t *pos, JSValueConst entries) {
    const uint8_t *parts[2 * ASCII_PAIRS_MAX];
    size_t lens[2 * ASCII_PAIRS_MAX];
    int n = zigttp_ascii_pairs(entries, parts, lens, ASCII_PAIRS_MAX);
    if (n >= 0) {
        int64_t bytes = 0;
        for (int i = 0; i < 2 * n; i++) bytes += (int64_t)lens[i];
        /* the brackets, then per pair [ , ] and a comma, two quoted strings of 2 + up to 6 bytes a character */
        int64_t most = 2 + 8 * (int64_t)n + 6 * bytes;
        if (bytes > ASCII_PAIRS_MAX_BYTES) n = -1;
        else if (ensure_xbuf((int64_t)*pos + most)) return out_of_memory();
    }
    if (n >= 0) {
        char *d = xbuf + *pos;
        *d++ = '[';
        for (int i = 0; i < n; i++) {
            if (i) *d++ = ',';
            *d++ = '[';
            d = zigttp_write_json_ascii(d, parts[2 * i], lens[2 * i]);
            *d++ = ',';
            d = zigttp_write_json_ascii(d, parts[2 * i + 1], lens[2 * i + 1]);
            *d++ = ']';
        }
        *d++ = ']';
        *pos = (size_t)(d - xbuf);
        return 0;
    }
    JSValue hjson = stringify_json(ctx, entries);
    if (JS_IsException(hjson)) return take_exception();
    size_t hl = 0;
    const char *hs = JS_ToCStringLen(ctx, &hl, hjson);
    JS_FreeValue(ctx, hjson);
    if (!hs) return take_exception();
    int failed = put_bytes(pos, hs, hl);
    JS_FreeCString(ctx, hs);
    return failed ? out_of_memory() : 0;
}

/* Appends the response's body (a string as UTF-8, a Uint8Array's or ArrayBuffer's bytes, nothing for
 * undefined) and sets xlen to the frame's end. 0, or an error code. */
static int32_t put_body(size_t *pos, JSValueConst res) {
    int32_t rc = 0;
    JSValue body = JS_GetProperty(ctx, res, atom_body);
    size_t bl = 0;
    const char *bs = NULL;
    const uint8_t *bb = NULL;
    if (JS_IsUndefined(body)) {
        bb = (const uint8_t *)"";
    } else if (JS_IsObject(body) && (bb = JS_GetUint8Array(ctx, &bl, body)) != NULL) {
    } else if (JS_IsObject(body) && (JS_FreeValue(ctx, JS_GetException(ctx)),
                                     (bb = JS_GetArrayBuffer(ctx, &bl, body)) != NULL)) {
    } else {
        if (JS_IsObject(body)) JS_FreeValue(ctx, JS_GetException(ctx));
        bs = JS_ToCStringLen(ctx, &bl, body);
        bb = (const uint8_t *)bs;
    }
    if (!bb) {
        rc = take_exception();
    } else if (put_bytes(pos, bb, bl)) {
        rc = out_of_memory();
    } else {
        /* only a 16-bit string can hold a surrogate: the 8-bit ones skip the scan */
        if (bs && !zigttp_string_is_8bit(body)) replace_lone_surrogates((uint8_t *)xbuf + *pos - bl, bl);
        xlen = (int32_t)*pos;
    }
    if (bs) JS_FreeCString(ctx, bs);
    JS_FreeValue(ctx, body);
    return rc;
}

/* The response's status, an integer from 200 to 599; 0 (an exception thrown) otherwise. */
static int32_t response_status(JSValueConst res) {
    JSValue status = JS_GetProperty(ctx, res, atom_status);
    int32_t st = 0;
    int ok_status = JS_IsNumber(status) && !JS_ToInt32(ctx, &st, status);
    double dst = 0;
    if (ok_status) JS_ToFloat64(ctx, &dst, status);
    JS_FreeValue(ctx, status);
    if (!ok_status || dst != (double)st || st < 200 || st > 599) {
        JS_ThrowRangeError(ctx, "Response status must be an integer from 200 to 599");
        return 0;
    }
    return st;
}

/* The wire pairs of the response's headers (its entries list when the Headers object mirrors it, else the
 * prelude's wirePairs); JS_EXCEPTION with an exception thrown. */
static JSValue response_entries(JSValueConst res) {
    JSValue headers = JS_GetProperty(ctx, res, atom_headers);
    JSValue entries = JS_UNDEFINED;
    if (JS_IsObject(headers)) {
        JSValue has = JS_GetProperty(ctx, headers, atom_entries);
        if (JS_IsArray(has))
            entries = zigttp_headers_mirrored(ctx, headers, has)
                          ? JS_DupValue(ctx, has)
                          : JS_Call(ctx, wire_pairs, JS_UNDEFINED, 1, (JSValueConst *)&headers);
        JS_FreeValue(ctx, has);
    }
    JS_FreeValue(ctx, headers);
    if (!JS_IsException(entries) && !JS_IsArray(entries)) {
        JS_FreeValue(ctx, entries);
        return JS_ThrowTypeError(ctx, "Response headers must be a Headers object");
    }
    return entries;
}

/* Encodes a Response as u32 meta_len | {"s":status,"h":[[name,value],...]} | body. */
static int32_t encode_response(JSValueConst res) {
    JSValue brand = JS_IsObject(res) ? JS_GetProperty(ctx, res, atom_is_response) : JS_UNDEFINED;
    int is_response = JS_IsBool(brand) && JS_ToBool(ctx, brand);
    JS_FreeValue(ctx, brand);
    if (!is_response) {
        JS_ThrowTypeError(ctx, "handler must return a Response (Response.json(...), Response.text(...), ...), got %s",
                          describe_non_response(res));
        return take_exception();
    }
    int32_t st = response_status(res);
    if (!st) return take_exception();
    JSValue entries = response_entries(res);
    if (JS_IsException(entries)) return take_exception();
    /* st is 200..599: three digits, written without snprintf, whose format parsing cost about 2 % of a hello
     * request's guest time */
    char head[] = "{\"s\":000,\"h\":";
    head[5] = (char)('0' + st / 100);
    head[6] = (char)('0' + st / 10 % 10);
    head[7] = (char)('0' + st % 10);
    size_t pos = 4;
    int32_t rc = put_bytes(&pos, head, sizeof head - 1) ? out_of_memory() : put_headers_json(&pos, entries);
    JS_FreeValue(ctx, entries);
    if (!rc && put_bytes(&pos, "}", 1)) rc = out_of_memory();
    if (rc) return rc;
    wr_u32(xbuf, (uint32_t)(pos - 4));
    return put_body(&pos, res);
}

static int64_t handle_request(int32_t len, int64_t seed) {
    if (!ctx || !JS_IsFunction(ctx, handler)) return ERR_NOT_READY;
    /* An argument rather than a part of the request's metadata: a journaled
     * request's seed costs nothing to pass this way. */
    if (seed) zigttp_reseed(ctx, (uint64_t)seed);
    oom_seen = denied_seen = 0;
    if (len < 4 || len > xcap) return fail_with(ERR_BAD_REQUEST, "malformed request buffer");
    uint32_t ml = rd_u32(xbuf);
    if ((int64_t)ml + 4 > len) return fail_with(ERR_BAD_REQUEST, "malformed request buffer");
    req_body = (const uint8_t *)xbuf + 4 + ml;
    req_body_len = (size_t)len - 4 - ml;
    JSValue body = req_body_len ? new_text(req_body, req_body_len) : JS_UNDEFINED;
    JSValue req = JS_IsException(body) ? JS_EXCEPTION : make_request(xbuf + 4, ml, body, req_body_len > 0);
    JS_FreeValue(ctx, body);
    if (JS_IsException(req)) {
        req_body = NULL;
        req_body_len = 0;
        return take_exception();
    }
    JSValue r = settle(JS_Call(ctx, handler, JS_UNDEFINED, 1, (JSValueConst *)&req));
    JS_FreeValue(ctx, req);
    int64_t out;
    if (JS_IsException(r)) {
        out = take_exception();
    } else {
        int32_t rc = encode_response(r);
        out = rc ? rc : ((int64_t)(uintptr_t)xbuf << 32) | (uint32_t)xlen;
        JS_FreeValue(ctx, r);
    }
    req_body = NULL;
    req_body_len = 0;
    return out;
}

EXPORT("handle") int64_t g_handle(int32_t len, int64_t seed) {
    int64_t out = handle_request(len, seed);
    memory_pages = (int32_t)__builtin_wasm_memory_size(0);
    return out;
}
