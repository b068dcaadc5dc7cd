/* quickjs.c is compiled through this file so the glue can reach its
 * internals: the Math.random() state (every instance made from a
 * pre-initialised snapshot would otherwise share the one captured in the
 * snapshot) and the object layout JSON.stringify's fast path reads.
 *
 * It also replaces the one strtod call in quickjs.c (JSON.parse numbers):
 * wasi-libc's strtod computes in 128-bit long double, which wasm32 emulates
 * in software, at about 0.6 µs a number. */
#include <stdint.h>
#include <stdlib.h>
#include "dtoa.h"

static double zigttp_strtod(const char *s, char **end);
#define strtod zigttp_strtod
#include "quickjs.c"
#undef strtod

void zigttp_reseed(JSContext *ctx, uint64_t seed) { ctx->random_state = seed ? seed : 1; }

/* Powers of ten that a double holds exactly. */
static const double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Reads a number that json_parse_number has already validated
 * (-?digits[.digits][(e|E)[+-]digits]). With at most 15 significant digits
 * and a small exponent the mantissa and the power of ten are both exact
 * doubles, so one IEEE multiplication or division rounds correctly (Clinger's
 * fast path). Everything else goes to js_atod, QuickJS's own correctly
 * rounded conversion, which JS number literals use too. */
static double zigttp_strtod(const char *s, char **end) {
    const char *p = s;
    int neg = *p == '-';
    if (*p == '-' || *p == '+') p++;
    uint64_t m = 0;
    int digits = 0, exp10 = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (m == 0 && *p == '0') continue; /* leading zeros are not significant */
        if (++digits > 15) goto slow;
        m = m * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            exp10--;
            if (m == 0 && *p == '0') continue;
            if (++digits > 15) goto slow;
            m = m * 10 + (uint64_t)(*p - '0');
        }
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        int eneg = *p == '-';
        if (*p == '-' || *p == '+') p++;
        int e = 0;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (e > 10000) goto slow; /* far outside double range: let js_atod decide */
            e = e * 10 + (*p - '0');
        }
        exp10 += eneg ? -e : e;
    }
    double d;
    if (m == 0) {
        d = 0.0;
    } else if (exp10 >= 0 && exp10 <= 22) {
        d = (double)m * exact_pow10[exp10];
    } else if (exp10 < 0 && exp10 >= -22) {
        d = (double)m / exact_pow10[-exp10];
    } else if (exp10 > 22 && exp10 <= 22 + 15 - digits) {
        /* move part of the exponent into the mantissa, which stays below 10^15 */
        d = (double)(m * (uint64_t)exact_pow10[exp10 - 22]) * 1e22;
    } else {
        goto slow;
    }
    if (end) *end = (char *)p;
    return neg ? -d : d;
slow:;
    JSATODTempMem tmp;
    const char *next = s;
    double r = js_atod(s, &next, 10, 0, &tmp);
    if (end) *end = (char *)next;
    return r;
}

/* ---------- JSON.stringify(value) for plain data ----------
 *
 * QuickJS's JSON.stringify is general: per object it builds an array of key
 * strings, re-interns every key to read its value, converts every array index
 * to a string and concatenates indentation strings, which makes it most of
 * the cost of a handler that answers with JSON. This walks plain objects (in
 * shape order), dense arrays, strings, numbers, booleans and null directly
 * into one string buffer. Anything else — a toJSON anywhere on a prototype
 * chain, accessors, integer-like keys (ordered first by the spec), proxies,
 * boxed primitives, BigInt, sparse arrays, nesting deeper than FJ_MAX_DEPTH
 * (cycles included) — makes it give up before any JS has run, and the caller
 * uses QuickJS's own implementation for the whole value. No user code runs
 * here, so the output is exactly what the general algorithm produces. */

enum { FJ_OK, FJ_SKIP, FJ_FALLBACK, FJ_ERROR };
#define FJ_MAX_DEPTH 64

static int fj_escape(StringBuffer *b, uint32_t c) {
    char esc[8];
    switch (c) {
    case '\t': return string_buffer_puts8(b, "\\t");
    case '\r': return string_buffer_puts8(b, "\\r");
    case '\n': return string_buffer_puts8(b, "\\n");
    case '\b': return string_buffer_puts8(b, "\\b");
    case '\f': return string_buffer_puts8(b, "\\f");
    case '"': return string_buffer_puts8(b, "\\\"");
    case '\\': return string_buffer_puts8(b, "\\\\");
    default:
        snprintf(esc, sizeof esc, "\\u%04x", c);
        return string_buffer_write8(b, (const uint8_t *)esc, 6);
    }
}

static int fj_quote(StringBuffer *b, JSString *p) {
    if (string_buffer_putc8(b, '"')) return FJ_ERROR;
    if (!p->is_wide_char) {
        const uint8_t *s = str8(p);
        int n = (int)p->len, start = 0;
        for (int i = 0; i < n; i++) {
            uint8_t c = s[i];
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            if ((i > start && string_buffer_write8(b, s + start, i - start)) || fj_escape(b, c)) return FJ_ERROR;
            start = i + 1;
        }
        if (n > start && string_buffer_write8(b, s + start, n - start)) return FJ_ERROR;
    } else {
        for (int i = 0; i < (int)p->len;) {
            uint32_t c = (uint32_t)string_getc(p, &i);
            int rc = (c < 0x20 || c == '"' || c == '\\' || is_surrogate(c)) ? fj_escape(b, c)
                                                                              : string_buffer_putc(b, c);
            if (rc) return FJ_ERROR;
        }
    }
    return string_buffer_putc8(b, '"') ? FJ_ERROR : FJ_OK;
}

/* Could reading this object run user code (toJSON, proxy traps, exotic
 * lookups)? Walks the prototype chain without calling anything. */
static int fj_may_run_code(JSObject *p) {
    for (JSObject *q = p; q; q = q->shape->proto) {
        JSProperty *pr;
        if (q->is_exotic && q->class_id != JS_CLASS_ARRAY) return 1;
        if (find_own_property(&pr, q, JS_ATOM_toJSON)) return 1;
    }
    return 0;
}

static int fj_value(JSContext *ctx, StringBuffer *b, JSValueConst v, int depth);

static int fj_object(JSContext *ctx, StringBuffer *b, JSValueConst v, int depth) {
    JSObject *p = JS_VALUE_GET_OBJ(v);
    if (depth >= FJ_MAX_DEPTH || fj_may_run_code(p)) return FJ_FALLBACK;
    if (JS_IsFunction(ctx, v)) return FJ_SKIP;
    if (p->class_id == JS_CLASS_ARRAY) {
        if (!p->fast_array) return FJ_FALLBACK;
        uint32_t n = p->u.array.count;
        JSValue length = p->prop[0].u.value; /* a dense array's length is its element count */
        if (JS_VALUE_GET_TAG(length) != JS_TAG_INT || (uint32_t)JS_VALUE_GET_INT(length) != n) return FJ_FALLBACK;
        if (string_buffer_putc8(b, '[')) return FJ_ERROR;
        for (uint32_t i = 0; i < n; i++) {
            if (i && string_buffer_putc8(b, ',')) return FJ_ERROR;
            int rc = fj_value(ctx, b, p->u.array.u.values[i], depth + 1);
            if (rc == FJ_SKIP) rc = string_buffer_puts8(b, "null") ? FJ_ERROR : FJ_OK;
            if (rc != FJ_OK) return rc;
        }
        return string_buffer_putc8(b, ']') ? FJ_ERROR : FJ_OK;
    }
    if (p->class_id != JS_CLASS_OBJECT) return FJ_FALLBACK;
    JSShape *sh = p->shape;
    JSShapeProperty *prs = get_shape_prop(sh);
    int first = 1;
    if (string_buffer_putc8(b, '{')) return FJ_ERROR;
    for (int i = 0; i < sh->prop_count; i++, prs++) {
        JSAtom atom = prs->atom;
        uint32_t index;
        if (atom == JS_ATOM_NULL || !(prs->flags & JS_PROP_ENUMERABLE)) continue;
        /* before anything reads atom_array: small integer keys are tagged, not interned */
        if (JS_AtomIsArrayIndex(ctx, &index, atom)) return FJ_FALLBACK;
        JSAtomStruct *key = ctx->rt->atom_array[atom];
        if (key->atom_type != JS_ATOM_TYPE_STRING) continue; /* symbols are not JSON keys */
        if ((prs->flags & JS_PROP_TMASK) != JS_PROP_NORMAL) return FJ_FALLBACK;
        int mark = b->len;
        if ((!first && string_buffer_putc8(b, ',')) || fj_quote(b, key) || string_buffer_putc8(b, ':'))
            return FJ_ERROR;
        int rc = fj_value(ctx, b, p->prop[i].u.value, depth + 1);
        if (rc == FJ_SKIP) {
            b->len = mark; /* undefined, functions and symbols leave their key out */
            continue;
        }
        if (rc != FJ_OK) return rc;
        first = 0;
    }
    return string_buffer_putc8(b, '}') ? FJ_ERROR : FJ_OK;
}

static int fj_value(JSContext *ctx, StringBuffer *b, JSValueConst v, int depth) {
    char num[128];
    switch (JS_VALUE_GET_NORM_TAG(v)) {
    case JS_TAG_STRING:
        return fj_quote(b, JS_VALUE_GET_STRING(v));
    case JS_TAG_STRING_ROPE: {
        JSValue flat = js_linearize_string_rope(ctx, v);
        if (JS_IsException(flat)) return FJ_ERROR;
        int rc = fj_quote(b, JS_VALUE_GET_STRING(flat));
        JS_FreeValue(ctx, flat);
        return rc;
    }
    case JS_TAG_INT: {
        size_t n = i32toa(num, JS_VALUE_GET_INT(v));
        return string_buffer_write8(b, (const uint8_t *)num, (int)n) ? FJ_ERROR : FJ_OK;
    }
    case JS_TAG_FLOAT64: {
        double d = JS_VALUE_GET_FLOAT64(v);
        if (!isfinite(d)) return string_buffer_puts8(b, "null") ? FJ_ERROR : FJ_OK;
        if (js_dtoa_max_len(d, 10, 0, JS_DTOA_FORMAT_FREE) >= (int)sizeof num) return FJ_FALLBACK;
        JSDTOATempMem tmp;
        int n = js_dtoa(num, d, 10, 0, JS_DTOA_FORMAT_FREE, &tmp);
        return string_buffer_write8(b, (const uint8_t *)num, n) ? FJ_ERROR : FJ_OK;
    }
    case JS_TAG_BOOL:
        return string_buffer_puts8(b, JS_VALUE_GET_BOOL(v) ? "true" : "false") ? FJ_ERROR : FJ_OK;
    case JS_TAG_NULL:
        return string_buffer_puts8(b, "null") ? FJ_ERROR : FJ_OK;
    case JS_TAG_UNDEFINED:
    case JS_TAG_SYMBOL:
        return FJ_SKIP;
    case JS_TAG_OBJECT:
        return fj_object(ctx, b, v, depth);
    default: /* BigInt (a TypeError) and anything unforeseen: the general path decides */
        return FJ_FALLBACK;
    }
}

/* JSON.stringify(v) when the fast path can produce it; *fallback = 1 when
 * the caller must use JS_JSONStringify instead. */
JSValue zigttp_json_stringify(JSContext *ctx, JSValueConst v, int *fallback) {
    StringBuffer b;
    *fallback = 0;
    string_buffer_init(ctx, &b, 64);
    int rc = fj_value(ctx, &b, v, 0);
    if (rc == FJ_OK) return string_buffer_end(&b);
    string_buffer_free(&b);
    if (rc == FJ_SKIP) return JS_UNDEFINED;
    if (rc == FJ_ERROR) return JS_ThrowOutOfMemory(ctx);
    *fallback = 1;
    return JS_UNDEFINED;
}

/* ---------- Object.keys / values / entries of a plain object ----------
 *
 * QuickJS builds these arrays one generic property definition at a time.
 * For a plain object whose enumerable own properties are all data
 * properties with string keys that are not array indices (those are listed
 * first, in numeric order), the result is the shape's properties in order,
 * written straight into a fast array. Anything else: *fallback = 1. */

JSValue zigttp_object_list(JSContext *ctx, JSValueConst v, int kind, int *fallback) {
    *fallback = 1;
    if (JS_VALUE_GET_TAG(v) != JS_TAG_OBJECT) return JS_UNDEFINED;
    JSObject *p = JS_VALUE_GET_OBJ(v);
    if (p->class_id != JS_CLASS_OBJECT || p->is_exotic) return JS_UNDEFINED;
    JSShape *sh = p->shape;
    JSShapeProperty *prs = get_shape_prop(sh);
    int n = 0;
    for (int i = 0; i < sh->prop_count; i++) {
        uint32_t index;
        JSAtom atom = prs[i].atom;
        if (atom == JS_ATOM_NULL || !(prs[i].flags & JS_PROP_ENUMERABLE)) continue;
        /* before anything reads atom_array: small integer keys are tagged, not interned */
        if (JS_AtomIsArrayIndex(ctx, &index, atom)) return JS_UNDEFINED;
        if (ctx->rt->atom_array[atom]->atom_type != JS_ATOM_TYPE_STRING) continue;
        if ((prs[i].flags & JS_PROP_TMASK) != JS_PROP_NORMAL) return JS_UNDEFINED;
        n++;
    }
    *fallback = 0;
    JSValue arr = js_allocate_fast_array(ctx, n);
    if (JS_IsException(arr)) return arr;
    JSValue *out = n ? JS_VALUE_GET_OBJ(arr)->u.array.u.values : NULL;
    for (int i = 0, k = 0; i < sh->prop_count; i++) {
        JSAtom atom = prs[i].atom;
        if (atom == JS_ATOM_NULL || !(prs[i].flags & JS_PROP_ENUMERABLE)) continue;
        if (ctx->rt->atom_array[atom]->atom_type != JS_ATOM_TYPE_STRING) continue;
        if (kind == JS_ITERATOR_KIND_VALUE) {
            out[k++] = js_dup(p->prop[i].u.value);
            continue;
        }
        JSValue key = JS_AtomToString(ctx, atom);
        if (JS_IsException(key)) {
            JS_FreeValue(ctx, arr);
            return key;
        }
        if (kind == JS_ITERATOR_KIND_KEY) {
            out[k++] = key;
            continue;
        }
        JSValue pair = js_allocate_fast_array(ctx, 2);
        if (JS_IsException(pair)) {
            JS_FreeValue(ctx, key);
            JS_FreeValue(ctx, arr);
            return pair;
        }
        JSValue *kv = JS_VALUE_GET_OBJ(pair)->u.array.u.values;
        kv[0] = key;
        kv[1] = js_dup(p->prop[i].u.value);
        out[k++] = pair;
    }
    return arr;
}

int zigttp_iterator_kind(int which) {
    return which == 0 ? JS_ITERATOR_KIND_KEY : which == 1 ? JS_ITERATOR_KIND_VALUE : JS_ITERATOR_KIND_KEY_AND_VALUE;
}
