/* quickjs.c is compiled through this file so the glue can reach its
 * internals: the Math.random() state (every instance made from a
 * pre-initialised snapshot would otherwise share the one captured in the
 * snapshot), the object layout JSON.stringify's fast path and the JSON depth
 * probe read, the intrinsics lockdown freezes, the C functions behind
 * Error.stackTraceLimit's setter and Math.random, and the job queue.
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

/* A string from bytes the caller has found to be ASCII: one copy, without JS_NewStringLen's UTF-8 scan. */
JSValue zigttp_new_ascii(JSContext *ctx, const char *s, size_t n) {
    if (n == 0 || n > JS_STRING_LEN_MAX) return JS_NewStringLen(ctx, s, n);
    return js_new_string8_len(ctx, s, (int)n);
}

/* ---------- String.prototype.toLowerCase / toUpperCase of 8-bit strings ----------
 *
 * QuickJS maps every character through the general Unicode case tables,
 * one at a time through a string buffer. In a flat string of 8-bit
 * (Latin-1) characters the full Unicode mappings are one bit: lower case
 * moves A-Z and U+00C0-U+00DE (but U+00D7) up by 0x20, upper case moves a-z
 * and U+00E0-U+00FE (but U+00F7) down, in one pass and with no change of
 * length. Upper case leaves 8 bits for three characters (U+00DF becomes
 * "SS", U+00FF U+0178, U+00B5 U+039C): a string holding one goes to QuickJS's
 * own function, as does anything else (a rope, 16-bit characters, a `this`
 * that is not a string): *fallback is set. When no character changes, the
 * string itself is the answer. */
enum { CASE_KEEP, CASE_FLIP, CASE_WIDER };
static uint8_t case_table[2][256]; /* [to_upper][character]: CASE_KEEP, CASE_FLIP (xor 0x20) or CASE_WIDER */

static void case_tables(void) {
    for (int c = 0; c < 256; c++) {
        case_table[0][c] = (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ? CASE_FLIP : CASE_KEEP;
        case_table[1][c] = (c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7) ? CASE_FLIP : CASE_KEEP;
    }
    case_table[1][0xDF] = case_table[1][0xFF] = case_table[1][0xB5] = CASE_WIDER;
}

JSValue zigttp_latin1_case(JSContext *ctx, JSValueConst this_val, int to_upper, int *fallback) {
    *fallback = 1;
    if (JS_VALUE_GET_TAG(this_val) != JS_TAG_STRING) return JS_UNDEFINED;
    JSString *p = JS_VALUE_GET_STRING(this_val);
    if (p->is_wide_char) return JS_UNDEFINED;
    if (!case_table[0]['A']) case_tables();
    const uint8_t *table = case_table[to_upper != 0], *s = str8(p);
    uint32_t n = p->len, seen = 0;
    for (uint32_t i = 0; i < n; i++) seen |= table[s[i]];
    if (seen & CASE_WIDER) return JS_UNDEFINED;
    *fallback = 0;
    if (!seen) return JS_DupValue(ctx, this_val);
    JSString *q = js_alloc_string(ctx, (int)n, 0);
    if (!q) return JS_EXCEPTION;
    uint8_t *d = str8(q);
    for (uint32_t i = 0; i < n; i++) d[i] = s[i] ^ (uint8_t)(table[s[i]] << 5);
    d[n] = '\0';
    return JS_MKPTR(JS_TAG_STRING, q);
}

/* ---------- spare arenas ----------
 *
 * QuickJS-NG keeps small blocks in 4 KiB arenas of one block size and frees
 * an arena as soon as its last block is freed; the next block of that size
 * makes a new arena, threading every block of it onto its free list. A
 * request whose objects spill into a new arena therefore paid for making it
 * on every request, the previous request's having been freed with its
 * objects. js_arena_free has unlinked such an arena (its list links are
 * NULL, every block is on its free list) when it hands it to the runtime's
 * free function; the glue's free offers it here first, and up to
 * ARENA_SPARES empty arenas per block size go back on their lists, at the
 * end so partly used arenas fill first. Other blocks reaching that free
 * function (large blocks, whose header starts with JS_ARENA_FREE_NIL, the
 * runtime, an arena freed at teardown with its links intact) do not look
 * like this and are freed. */
#define ARENA_SPARES 4

static int arena_unlinked_and_empty(const JSArena *ar) {
    if (ar->free_link.prev || ar->free_link.next || ar->link.prev || ar->link.next) return 0;
    if (ar->block_size_idx >= JS_ARENA_BLOCK_SIZE_COUNT || ar->n_used_blocks != 0) return 0;
    return ar->n_blocks == (JS_ARENA_SIZE - sizeof(JSArena)) / arena_block_sizes[ar->block_size_idx];
}

int zigttp_arena_keep(JSRuntime *rt, void *ptr) {
    JSArena *ar = ptr;
    if (!rt || !ar || !arena_unlinked_and_empty(ar)) return 0;
    struct list_head *spares = &rt->arena_state.free_arena_list[ar->block_size_idx], *el = spares->prev;
    int empty = 0;
    for (int i = 0; i < ARENA_SPARES && el != spares; i++, el = el->prev)
        empty += list_entry(el, JSArena, free_link)->n_used_blocks == 0;
    if (empty >= ARENA_SPARES) return 0;
    list_add_tail(&ar->link, &rt->arena_state.arena_list[ar->block_size_idx]);
    list_add_tail(&ar->free_link, spares);
    return 1;
}

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

/* ---------- own properties of a plain object, in shape order ----------
 *
 * The fast paths below list a plain object's enumerable own string-keyed
 * properties straight from its shape. That order is the spec's only when no
 * key is an array index (those come first, in numeric order), and reading
 * the value without running code needs a plain data property. */

enum { PK_LISTED, PK_UNLISTED, PK_UNSUPPORTED };

static int plain_key(JSContext *ctx, const JSShapeProperty *prs) {
    uint32_t index;
    if (prs->atom == JS_ATOM_NULL || !(prs->flags & JS_PROP_ENUMERABLE)) return PK_UNLISTED;
    /* before anything reads atom_array: small integer keys are tagged, not interned */
    if (JS_AtomIsArrayIndex(ctx, &index, prs->atom)) return PK_UNSUPPORTED;
    if (ctx->rt->atom_array[prs->atom]->atom_type != JS_ATOM_TYPE_STRING) return PK_UNLISTED; /* symbols */
    return (prs->flags & JS_PROP_TMASK) == JS_PROP_NORMAL ? PK_LISTED : PK_UNSUPPORTED;
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

/* Writes the escape JSON.stringify gives the code unit c (below 0x20, '"', '\\' or a lone surrogate) at d:
 * \t \r \n \b \f \" \\, else \u and four lower-case hex digits; returns the end (at most 6 bytes on). */
static char *json_escape(char *d, uint32_t c) {
    static const char hex[] = "0123456789abcdef";
    *d++ = '\\';
    switch (c) {
    case '\t': *d++ = 't'; return d;
    case '\r': *d++ = 'r'; return d;
    case '\n': *d++ = 'n'; return d;
    case '\b': *d++ = 'b'; return d;
    case '\f': *d++ = 'f'; return d;
    case '"':
    case '\\': *d++ = (char)c; return d;
    default:
        *d++ = 'u';
        for (int shift = 12; shift >= 0; shift -= 4) *d++ = hex[(c >> shift) & 15];
        return d;
    }
}

static int fj_escape(StringBuffer *b, uint32_t c) {
    char esc[6];
    return string_buffer_write8(b, (const uint8_t *)esc, (int)(json_escape(esc, c) - esc));
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* How many bytes at the start of s[0, n) are ASCII: eight at a time, the common case of a whole request. */
size_t zigttp_ascii_prefix(const uint8_t *s, size_t n) {
    size_t i = 0;
    for (uint64_t w; i + 8 <= n && (memcpy(&w, s + i, 8), !(w & HIGHS)); i += 8) {}
    while (i < n && s[i] < 0x80) i++;
    return i;
}

/* Does the word of eight ASCII bytes hold one that JSON must escape (below 0x20, '"' or '\\')? A borrow can
 * flag a byte above one that matches, never a word without one. */
static int needs_escape(uint64_t w) {
    uint64_t quote = w ^ (ONES * '"'), backslash = w ^ (ONES * '\\');
    return ((((w - ONES * 0x20) & ~w) | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash)) & HIGHS) != 0;
}

/* Writes ASCII s[0, n) at d quoted as JSON.stringify quotes it (fj_quote's output for the same string), at most
 * 2 + 6n bytes, for the glue's response frame; returns the end. */
char *zigttp_write_json_ascii(char *d, const uint8_t *s, size_t n) {
    *d++ = '"';
    size_t i = 0;
    for (uint64_t w; i + 8 <= n && (memcpy(&w, s + i, 8), !needs_escape(w)); i += 8, d += 8) memcpy(d, &w, 8);
    for (; i < n; i++) {
        uint8_t c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\') *d++ = (char)c;
        else d = json_escape(d, c);
    }
    *d++ = '"';
    return d;
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
        int kind = plain_key(ctx, prs);
        if (kind == PK_UNLISTED) continue;
        if (kind == PK_UNSUPPORTED) return FJ_FALLBACK;
        JSAtomStruct *key = ctx->rt->atom_array[prs->atom];
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
        int listed = plain_key(ctx, &prs[i]);
        if (listed == PK_UNSUPPORTED) return JS_UNDEFINED;
        n += listed == PK_LISTED;
    }
    *fallback = 0;
    JSValue arr = js_allocate_fast_array(ctx, n);
    if (JS_IsException(arr)) return arr;
    JSValue *out = n ? JS_VALUE_GET_OBJ(arr)->u.array.u.values : NULL;
    for (int i = 0, k = 0; i < sh->prop_count; i++) {
        if (plain_key(ctx, &prs[i]) != PK_LISTED) continue;
        JSAtom atom = prs[i].atom;
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

/* ---------- a response's headers in the common case ----------
 *
 * The prelude's wirePairs returns a Headers object's entries list unchanged
 * when its own enumerable string keys are exactly one per entry, each holding
 * that entry's value. This decides the same without calling into JS; where
 * deciding could run code or needs the general rules (accessors, array-index
 * keys, an exotic object, an entry that is not a [string, value] array, a
 * property that no longer mirrors its entry) it returns 0 and wirePairs
 * decides, so what goes on the wire never differs. */

int zigttp_headers_mirrored(JSContext *ctx, JSValueConst h, JSValueConst entries) {
    if (JS_VALUE_GET_TAG(h) != JS_TAG_OBJECT || JS_VALUE_GET_TAG(entries) != JS_TAG_OBJECT) return 0;
    JSObject *p = JS_VALUE_GET_OBJ(h), *list = JS_VALUE_GET_OBJ(entries);
    if (p->class_id != JS_CLASS_OBJECT || p->is_exotic) return 0;
    if (list->class_id != JS_CLASS_ARRAY || !list->fast_array) return 0;
    uint32_t n = list->u.array.count;
    JSShape *sh = p->shape;
    JSShapeProperty *prs = get_shape_prop(sh);
    uint32_t keys = 0;
    for (int i = 0; i < sh->prop_count; i++) {
        int listed = plain_key(ctx, &prs[i]);
        if (listed == PK_UNSUPPORTED) return 0;
        keys += listed == PK_LISTED;
    }
    if (keys != n) return 0;
    for (uint32_t i = 0; i < n; i++) {
        JSValueConst e = list->u.array.u.values[i];
        if (JS_VALUE_GET_TAG(e) != JS_TAG_OBJECT) return 0;
        JSObject *pair = JS_VALUE_GET_OBJ(e);
        if (pair->class_id != JS_CLASS_ARRAY || !pair->fast_array || pair->u.array.count < 2) return 0;
        JSValueConst name = pair->u.array.u.values[0];
        if (!JS_IsString(name)) return 0;
        JSAtom atom = JS_ValueToAtom(ctx, name);
        if (atom == JS_ATOM_NULL) {
            JS_FreeValue(ctx, JS_GetException(ctx));
            return 0;
        }
        JSProperty *own;
        JSShapeProperty *pr = find_own_property(&own, p, atom);
        JS_FreeAtom(ctx, atom);
        if (!pr || (pr->flags & JS_PROP_TMASK) != JS_PROP_NORMAL) return 0;
        if (!js_strict_eq(ctx, own->u.value, pair->u.array.u.values[1])) return 0;
    }
    return 1;
}

int zigttp_iterator_kind(int which) {
    return which == 0 ? JS_ITERATOR_KIND_KEY : which == 1 ? JS_ITERATOR_KIND_VALUE : JS_ITERATOR_KIND_KEY_AND_VALUE;
}

/* ---------- JSON.parse(text) for well-formed, ordinary text ----------
 *
 * Reads UTF-8 text (from JS_ToCStringLen, so valid UTF-8 except for lone
 * surrogates) straight into values: keys become atoms without an
 * intermediate string when they are ASCII, numbers go through the exact
 * reader above, integers stay integers. On anything it does not handle — any
 * syntax error (so the message is QuickJS's own), a possible lone surrogate,
 * nesting deeper than FP_MAX_DEPTH — it gives up and the caller runs
 * JS_ParseJSON on the same text. The values built are the ones QuickJS's
 * parser builds: own data properties defined in text order (a repeated key
 * keeps its last value, "__proto__" is an ordinary key), dense arrays. */

enum { FP_OK, FP_FALLBACK, FP_ERROR };
#define FP_MAX_DEPTH 64

typedef struct {
    JSContext *ctx;
    const uint8_t *p, *end;
    int nulls; /* how many nulls were read */
} JsonReader;

static inline void fp_ws(JsonReader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

static int fp_hex4(const uint8_t *p, uint32_t *out) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return -1;
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* A string token at r->p (the opening quote). Plain ASCII text without
 * escapes is returned as a byte range (*plain = 1, *val untouched); anything
 * else as a new string value in *val. */
static int fp_string(JsonReader *r, const uint8_t **start, size_t *len, int *plain, JSValue *val) {
    const uint8_t *p = ++r->p, *end = r->end;
    int ascii = 1;
    while (p < end && *p != '"' && *p != '\\') {
        if (*p < 0x20) return FP_FALLBACK;
        if (*p >= 0x80) {
            if (*p == 0xED) return FP_FALLBACK; /* U+D000..U+DFFF: maybe a lone surrogate */
            ascii = 0;
        }
        p++;
    }
    if (p >= end) return FP_FALLBACK;
    if (*p == '"') {
        *start = r->p;
        *len = (size_t)(p - r->p);
        r->p = p + 1;
        if (ascii) {
            *plain = 1;
            return FP_OK;
        }
        *plain = 0;
        *val = JS_NewStringLen(r->ctx, (const char *)*start, *len);
        return JS_IsException(*val) ? FP_ERROR : FP_OK;
    }
    /* escapes: decode the whole string into a buffer of UTF-16 code units */
    StringBuffer b;
    string_buffer_init(r->ctx, &b, (int)(p - r->p) + 16);
    const uint8_t *q = r->p;
    while (q < end && *q != '"') {
        uint32_t c = *q;
        if (c < 0x20 || (c == 0xED)) goto fallback;
        if (c == '\\') {
            if (q + 1 >= end) goto fallback;
            switch (q[1]) {
            case '"': c = '"'; break;
            case '\\': c = '\\'; break;
            case '/': c = '/'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case 't': c = '\t'; break;
            case 'u':
                if (q + 6 > end || fp_hex4(q + 2, &c)) goto fallback;
                if (string_buffer_putc16(&b, c)) goto error;
                q += 6;
                continue;
            default: goto fallback;
            }
            if (string_buffer_putc16(&b, c)) goto error;
            q += 2;
        } else if (c < 0x80) {
            if (string_buffer_putc16(&b, c)) goto error;
            q++;
        } else {
            const uint8_t *next;
            int cp = utf8_decode(q, &next);
            if (next == q || cp < 0) goto fallback;
            if (string_buffer_putc(&b, (uint32_t)cp)) goto error;
            q = next;
        }
    }
    if (q >= end) goto fallback;
    r->p = q + 1;
    *plain = 0;
    *val = string_buffer_end(&b);
    return JS_IsException(*val) ? FP_ERROR : FP_OK;
fallback:
    string_buffer_free(&b);
    return FP_FALLBACK;
error:
    string_buffer_free(&b);
    return FP_ERROR;
}

static int fp_number(JsonReader *r, JSValue *val) {
    const uint8_t *p = r->p, *end = r->end, *start = p;
    int neg = 0, integral = 1;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9') return FP_FALLBACK;
    if (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9') return FP_FALLBACK;
    while (p < end && *p >= '0' && *p <= '9') p++;
    int int_digits = (int)(p - start) - neg;
    if (p < end && *p == '.') {
        integral = 0;
        p++;
        if (p >= end || *p < '0' || *p > '9') return FP_FALLBACK;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        integral = 0;
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || *p < '0' || *p > '9') return FP_FALLBACK;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    r->p = p;
    if (integral && int_digits <= 9 && !(neg && int_digits == 1 && start[1] == '0')) {
        int32_t v = 0;
        for (const uint8_t *d = start + neg; d < p; d++) v = v * 10 + (*d - '0');
        *val = js_int32(neg ? -v : v);
        return FP_OK;
    }
    /* the text after the number is a delimiter, not a digit: zigttp_strtod stops there */
    *val = js_float64(zigttp_strtod((const char *)start, NULL));
    return FP_OK;
}

static int fp_value(JsonReader *r, JSValue *val, int depth);

/* Keeps atom `a` alive between requests in a direct-mapped table of `n` slots (bounded: a newer atom
 * takes an older one's slot). Without a reference past the request, an atom dies with the request's
 * objects and the next request makes it again (a string, its number check, the atom table). The
 * request's header names (glue.c) and JSON object keys keep theirs here. */
void zigttp_keep_atom(JSContext *ctx, JSAtom *slots, uint32_t n, JSAtom a) {
    if (__JS_AtomIsTaggedInt(a)) return;
    JSAtom *slot = &slots[a % n];
    if (*slot == a) return;
    if (*slot != JS_ATOM_NULL) JS_FreeAtom(ctx, *slot);
    *slot = JS_DupAtom(ctx, a);
}

/* A new own data property of a plain object the caller just made and that does not have it yet (the
 * glue's request, response and headers objects): add_property with the value stored in place, as
 * fp_object does, without JS_DefinePropertyValue's generic path (descriptor checks, exotic classes,
 * array indices): hello's fuel fell 8.5 % (docs/benchmarks.md, session 14). Takes `val` always. */
int zigttp_define_new(JSContext *ctx, JSValueConst obj, JSAtom atom, JSValue val, int flags) {
    JSProperty *pr = add_property(ctx, JS_VALUE_GET_OBJ(obj), atom, flags & JS_PROP_C_W_E);
    if (!pr) {
        JS_FreeValue(ctx, val);
        return -1;
    }
    pr->u.value = val;
    return 0;
}

/* A new plain object on `keeper`'s shape (shared, as objects of one layout share it), its properties
 * holding `values` in order (taken): made at its final size, with no property added one at a time.
 * JS_UNINITIALIZED, the values untouched, where that shape cannot be shared (not hashed) or does not
 * hold exactly `n` data properties: the caller then defines them one by one. */
#define ZIGTTP_LAYOUT_MAX 16
#define ON_SHAPE_MAX 32

/* A new object of the plain class on the shared shape `sh` (its prototype, keys and attributes), its
 * properties holding values[0..n) in order: copies when `dup`, else taken. n <= ON_SHAPE_MAX. */
static JSValue object_on_shape(JSContext *ctx, JSShape *sh, JSValueConst *values, int n, int dup) {
    JSProperty props[ON_SHAPE_MAX];
    for (int i = 0; i < n; i++) props[i].u.value = dup ? js_dup(values[i]) : values[i];
    return JS_NewObjectFromShape(ctx, js_dup_shape(sh), JS_CLASS_OBJECT, props);
}

JSValue zigttp_new_like(JSContext *ctx, JSValueConst keeper, JSValue *values, int n) {
    JSShape *sh = JS_VALUE_GET_OBJ(keeper)->shape;
    if (!sh->is_hashed || sh->prop_count != n || n > ZIGTTP_LAYOUT_MAX) return JS_UNINITIALIZED;
    JSShapeProperty *prs = get_shape_prop(sh);
    for (int i = 0; i < n; i++)
        if (prs[i].flags & JS_PROP_TMASK) return JS_UNINITIALIZED;
    return object_on_shape(ctx, sh, values, n, 0);
}

/* An object literal's object (the compiler emits `__zt_obj(keeper, v1, …, vn)` for a literal of n plain
 * keys, its keeper a module-scope literal of the same keys in the same order): made on the keeper's shape
 * at its final size, as zigttp_new_like makes the glue's objects, instead of an empty object that gains
 * and reshapes one property at a time. Any other plain keeper (frozen, with an accessor, a deleted key or
 * another prototype) gets what a literal would make: a plain object with the keeper's own keys in order
 * holding the values (undefined where one is missing, extra ones ignored); anything else a TypeError. */
JSValue zigttp_object_like(JSContext *ctx, JSValueConst keeper, int n, JSValueConst *values) {
    if (JS_VALUE_GET_TAG(keeper) != JS_TAG_OBJECT || JS_VALUE_GET_OBJ(keeper)->class_id != JS_CLASS_OBJECT)
        return JS_ThrowTypeError(ctx, "__zt_obj: the keeper is not a plain object");
    JSObject *k = JS_VALUE_GET_OBJ(keeper);
    JSShape *sh = k->shape;
    JSShapeProperty *prs = get_shape_prop(sh);
    int plain = sh->is_hashed && sh->prop_count == n && n <= ZIGTTP_LAYOUT_MAX &&
                sh->deleted_prop_count == 0 && sh->proto == JS_VALUE_GET_OBJ(ctx->class_proto[JS_CLASS_OBJECT]);
    for (int i = 0; plain && i < n; i++)
        plain = (prs[i].flags & (JS_PROP_TMASK | JS_PROP_C_W_E)) == JS_PROP_C_W_E;
    if (plain) return object_on_shape(ctx, sh, values, n, 1);
    JSValue obj = JS_NewObject(ctx);
    if (JS_IsException(obj)) return obj;
    for (int i = 0, j = 0; i < (int)sh->prop_count; i++) {
        if (prs[i].atom == JS_ATOM_NULL) continue;
        JSValue v = j < n ? js_dup(values[j]) : JS_UNDEFINED;
        j++;
        if (JS_DefinePropertyValue(ctx, obj, prs[i].atom, v, JS_PROP_C_W_E | JS_PROP_THROW) < 0) {
            JS_FreeValue(ctx, obj);
            return JS_EXCEPTION;
        }
    }
    return obj;
}

#define KEY_ATOM_SLOTS 256
static JSAtom key_atoms[KEY_ATOM_SLOTS];

/* ---------- kept layouts ----------
 *
 * QuickJS grows an object one property at a time and extends its shape in place while the object alone
 * holds it, so no two objects built that way share a shape: each of an array's JSON records, each
 * request's body and each request's headers object cloned and grew its own, one property at a time.
 * Here a shape is kept per layout (its keys in order), one table per kind of object (a kind fixes the
 * prototype and the attributes): an object whose keys are those of a kept shape is made at its final
 * size on it (JS_NewObjectFromShape), and one built property by property leaves its shape for the
 * next. A kept shape is shared, so QuickJS never changes it in place: an object that changes later
 * gets a shape of its own, as every object on a shared shape does. */
enum { ZIGTTP_LAYOUT_JSON, ZIGTTP_LAYOUT_HEADERS /* glue.c make_headers */, ZIGTTP_LAYOUT_TABLES };
#define KEPT_LAYOUT_SLOTS 64
#define KEPT_LAYOUT_MAX_KEYS 128 /* a larger object is built key by key: its shape is not kept between requests */
static JSShape *kept_layouts[ZIGTTP_LAYOUT_TABLES][KEPT_LAYOUT_SLOTS];

static uint32_t kept_layout_slot(const JSAtom *atoms, int n) {
    uint32_t h = (uint32_t)n;
    for (int i = 0; i < n; i++) h = (h ^ atoms[i]) * 0x9E3779B1u;
    return (h >> 16) % KEPT_LAYOUT_SLOTS;
}

static int shape_has_keys(JSShape *sh, const JSAtom *atoms, int n) {
    if (sh->prop_count != n || sh->deleted_prop_count) return 0;
    JSShapeProperty *prs = get_shape_prop(sh);
    for (int i = 0; i < n; i++)
        if (prs[i].atom != atoms[i]) return 0;
    return 1;
}

static JSShape *kept_layout_find(int table, const JSAtom *atoms, int n) {
    if (table < 0 || table >= ZIGTTP_LAYOUT_TABLES || n > KEPT_LAYOUT_MAX_KEYS) return NULL;
    JSShape *sh = kept_layouts[table][kept_layout_slot(atoms, n)];
    return sh && shape_has_keys(sh, atoms, n) ? sh : NULL;
}

/* A new object of `table`'s kind with exactly the keys `atoms` holding the values in `props` (taken),
 * made on the kept shape of that layout; JS_UNINITIALIZED, the values untouched, when none is kept. */
static JSValue kept_new(JSContext *ctx, int table, const JSAtom *atoms, JSProperty *props, int n) {
    JSShape *sh = kept_layout_find(table, atoms, n);
    return sh ? JS_NewObjectFromShape(ctx, js_dup_shape(sh), JS_CLASS_OBJECT, props) : JS_UNINITIALIZED;
}

/* kept_new for the glue: copies `values` (at most ON_SHAPE_MAX, else JS_UNINITIALIZED). */
JSValue zigttp_kept_new(JSContext *ctx, int table, const JSAtom *atoms, JSValueConst *values, int n) {
    JSShape *sh = n <= ON_SHAPE_MAX ? kept_layout_find(table, atoms, n) : NULL;
    return sh ? object_on_shape(ctx, sh, values, n, 1) : JS_UNINITIALIZED;
}

/* Keeps `obj`'s shape for the layout `atoms` when it has exactly those keys (a hashed shape: shareable). */
void zigttp_kept_keep(JSContext *ctx, int table, JSValueConst obj, const JSAtom *atoms, int n) {
    if (table < 0 || table >= ZIGTTP_LAYOUT_TABLES || n > KEPT_LAYOUT_MAX_KEYS) return;
    JSShape *sh = JS_VALUE_GET_OBJ(obj)->shape;
    JSShape **slot = &kept_layouts[table][kept_layout_slot(atoms, n)];
    if (!sh->is_hashed || sh == *slot || !shape_has_keys(sh, atoms, n)) return;
    if (*slot) js_free_shape(ctx->rt, *slot);
    *slot = js_dup_shape(sh);
}

#define FP_STACK_KEYS 16

/* The object of the `n` keys and values read: on a kept layout, or built key by key (a repeated key:
 * last wins, at the place of its first). Takes the atoms and the values. */
static JSValue fp_make_object(JSContext *ctx, JSAtom *atoms, JSProperty *props, int n) {
    JSValue obj = kept_new(ctx, ZIGTTP_LAYOUT_JSON, atoms, props, n);
    int i = 0;
    if (!JS_IsUninitialized(obj)) {
        i = n; /* taken */
    } else if (!JS_IsException(obj = JS_NewObject(ctx))) {
        for (; i < n; i++) {
            JSProperty *pr;
            int rc;
            if (find_own_property(&pr, JS_VALUE_GET_OBJ(obj), atoms[i])) {
                rc = JS_DefinePropertyValue(ctx, obj, atoms[i], props[i].u.value, JS_PROP_C_W_E);
            } else if ((pr = add_property(ctx, JS_VALUE_GET_OBJ(obj), atoms[i], JS_PROP_C_W_E)) != NULL) {
                pr->u.value = props[i].u.value; /* a new own data property of a new plain object */
                rc = 0;
            } else {
                JS_FreeValue(ctx, props[i].u.value);
                rc = -1;
            }
            if (rc < 0) {
                JS_FreeValue(ctx, obj);
                obj = JS_EXCEPTION;
                i++;
                break;
            }
        }
        if (!JS_IsException(obj)) zigttp_kept_keep(ctx, ZIGTTP_LAYOUT_JSON, obj, atoms, n);
    }
    for (int k = i; k < n; k++) JS_FreeValue(ctx, props[k].u.value); /* not taken (an error on the way) */
    for (int k = 0; k < n; k++) JS_FreeAtom(ctx, atoms[k]);
    return obj;
}

typedef struct {
    JSAtom *atoms;
    JSProperty *props;
    int n, cap;
    JSAtom stack_atoms[FP_STACK_KEYS];
    JSProperty stack_props[FP_STACK_KEYS];
} FpEntries;

static int fp_entries_add(JSContext *ctx, FpEntries *e, JSAtom atom, JSValue value) {
    if (e->n == e->cap) {
        int cap = e->cap * 2;
        JSAtom *atoms = js_malloc(ctx, sizeof *atoms * (size_t)cap);
        JSProperty *props = js_malloc(ctx, sizeof *props * (size_t)cap);
        if (!atoms || !props) {
            js_free(ctx, atoms);
            js_free(ctx, props);
            return -1;
        }
        memcpy(atoms, e->atoms, sizeof *atoms * (size_t)e->n);
        memcpy(props, e->props, sizeof *props * (size_t)e->n);
        if (e->atoms != e->stack_atoms) {
            js_free(ctx, e->atoms);
            js_free(ctx, e->props);
        }
        e->atoms = atoms;
        e->props = props;
        e->cap = cap;
    }
    e->atoms[e->n] = atom;
    e->props[e->n].u.value = value;
    e->n++;
    return 0;
}

static void fp_entries_release(JSContext *ctx, FpEntries *e, int free_entries) {
    for (int k = 0; free_entries && k < e->n; k++) {
        JS_FreeAtom(ctx, e->atoms[k]);
        JS_FreeValue(ctx, e->props[k].u.value);
    }
    if (e->atoms != e->stack_atoms) {
        js_free(ctx, e->atoms);
        js_free(ctx, e->props);
    }
}

/* Reads `"key": value` pairs up to the closing brace into `e`. */
static int fp_members(JsonReader *r, FpEntries *e, int depth) {
    JSContext *ctx = r->ctx;
    for (;;) {
        if (r->p >= r->end || *r->p != '"') return FP_FALLBACK;
        const uint8_t *start;
        size_t len;
        int plain = 0, rc;
        JSValue key = JS_UNDEFINED, item;
        if ((rc = fp_string(r, &start, &len, &plain, &key)) != FP_OK) return rc;
        JSAtom atom = plain ? JS_NewAtomLen(ctx, (const char *)start, len) : JS_ValueToAtom(ctx, key);
        JS_FreeValue(ctx, key);
        if (atom == JS_ATOM_NULL) return FP_ERROR;
        zigttp_keep_atom(ctx, key_atoms, KEY_ATOM_SLOTS, atom);
        fp_ws(r);
        if (r->p >= r->end || *r->p != ':') {
            JS_FreeAtom(ctx, atom);
            return FP_FALLBACK;
        }
        r->p++;
        fp_ws(r);
        if ((rc = fp_value(r, &item, depth + 1)) != FP_OK) {
            JS_FreeAtom(ctx, atom);
            return rc;
        }
        if (fp_entries_add(ctx, e, atom, item) < 0) {
            JS_FreeAtom(ctx, atom);
            JS_FreeValue(ctx, item);
            return FP_ERROR;
        }
        fp_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            fp_ws(r);
            continue;
        }
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            return FP_OK;
        }
        return FP_FALLBACK;
    }
}

static int fp_object(JsonReader *r, JSValue *val, int depth) {
    JSContext *ctx = r->ctx;
    r->p++; /* { */
    fp_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        *val = JS_NewObject(ctx);
        return JS_IsException(*val) ? FP_ERROR : FP_OK;
    }
    FpEntries e;
    e.atoms = e.stack_atoms;
    e.props = e.stack_props;
    e.n = 0;
    e.cap = FP_STACK_KEYS;
    int rc = fp_members(r, &e, depth);
    if (rc == FP_OK) {
        *val = fp_make_object(ctx, e.atoms, e.props, e.n); /* takes the entries */
        fp_entries_release(ctx, &e, 0);
        return JS_IsException(*val) ? FP_ERROR : FP_OK;
    }
    fp_entries_release(ctx, &e, 1);
    return rc;
}

static int fp_array(JsonReader *r, JSValue *val, int depth) {
    JSContext *ctx = r->ctx;
    JSValue arr = JS_NewArray(ctx);
    if (JS_IsException(arr)) return FP_ERROR;
    r->p++; /* [ */
    fp_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        *val = arr;
        return FP_OK;
    }
    for (;;) {
        JSValue item;
        int rc = fp_value(r, &item, depth + 1);
        if (rc != FP_OK) {
            JS_FreeValue(ctx, arr);
            return rc;
        }
        if (add_fast_array_element(ctx, JS_VALUE_GET_OBJ(arr), item, 0) < 0) {
            JS_FreeValue(ctx, arr);
            return FP_ERROR;
        }
        fp_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            fp_ws(r);
            continue;
        }
        if (r->p < r->end && *r->p == ']') {
            r->p++;
            *val = arr;
            return FP_OK;
        }
        JS_FreeValue(ctx, arr);
        return FP_FALLBACK;
    }
}

static int fp_literal(JsonReader *r, const char *word, size_t n, JSValue v, JSValue *val) {
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n)) return FP_FALLBACK;
    r->p += n;
    *val = v;
    return FP_OK;
}

static int fp_value(JsonReader *r, JSValue *val, int depth) {
    if (depth > FP_MAX_DEPTH || r->p >= r->end) return FP_FALLBACK;
    switch (*r->p) {
    case '{': return fp_object(r, val, depth);
    case '[': return fp_array(r, val, depth);
    case '"': {
        const uint8_t *start;
        size_t len;
        int plain = 0;
        int rc = fp_string(r, &start, &len, &plain, val);
        if (rc == FP_OK && plain) {
            *val = js_new_string8_len(r->ctx, (const char *)start, (int)len);
            if (JS_IsException(*val)) return FP_ERROR;
        }
        return rc;
    }
    case 't': return fp_literal(r, "true", 4, JS_TRUE, val);
    case 'f': return fp_literal(r, "false", 5, JS_FALSE, val);
    case 'n': return r->nulls++, fp_literal(r, "null", 4, JS_NULL, val);
    default: return fp_number(r, val);
    }
}

/* JSON.parse(text) when the fast reader can produce it; *fallback = 1 when
 * the caller must use JS_ParseJSON instead (which also reports errors).
 * *nulls (when not NULL): whether the value holds a null, when read here. */
JSValue zigttp_json_parse(JSContext *ctx, const char *text, size_t n, int *fallback, int *nulls) {
    JsonReader r = {ctx, (const uint8_t *)text, (const uint8_t *)text + n, 0};
    JSValue v = JS_UNDEFINED;
    *fallback = 0;
    fp_ws(&r);
    int rc = fp_value(&r, &v, 0);
    if (rc == FP_OK) {
        fp_ws(&r);
        if (nulls) *nulls = r.nulls > 0;
        if (r.p == r.end) return v;
        JS_FreeValue(ctx, v);
        rc = FP_FALLBACK;
    }
    if (rc == FP_ERROR) return JS_EXCEPTION;
    *fallback = 1;
    return JS_UNDEFINED;
}

/* ---------- lockdown ----------
 *
 * After the handler's module scope has run, every object a request could
 * reach without creating it is frozen, so no request can change what the
 * next one sees. The walk is C so that nothing the module scope replaced
 * (Object.freeze, Reflect.ownKeys, Array.prototype.push, ...) takes part in
 * it. Its roots are the prelude's (the global object, the module export
 * objects) plus everything the context itself holds: the prototypes of
 * classes only evaluated code yields (array, map, string and regexp
 * iterators, generators, iterator helpers, call sites, ...). */

typedef struct {
    JSContext *ctx;
    JSValue *todo;
    uint32_t todo_len, todo_cap;
    uintptr_t *seen; /* open addressing; 0 is empty */
    uint32_t seen_len, seen_cap;
} LockWalk;

static int lw_push(LockWalk *w, JSValueConst v) {
    if (!JS_IsObject(v)) return 0;
    if (w->todo_len == w->todo_cap) {
        uint32_t cap = w->todo_cap ? w->todo_cap * 2 : 256;
        JSValue *n = js_realloc(w->ctx, w->todo, sizeof *n * cap);
        if (!n) return -1;
        w->todo = n;
        w->todo_cap = cap;
    }
    w->todo[w->todo_len++] = js_dup(v);
    return 0;
}

/* 1: first visit (now marked), 0: seen before, -1: out of memory */
static int lw_mark(LockWalk *w, void *ptr) {
    if ((w->seen_len + 1) * 2 > w->seen_cap) {
        uint32_t cap = w->seen_cap ? w->seen_cap * 2 : 1024;
        uintptr_t *n = js_mallocz(w->ctx, sizeof *n * cap);
        if (!n) return -1;
        for (uint32_t i = 0; i < w->seen_cap; i++) {
            if (!w->seen[i]) continue;
            uint32_t j = (uint32_t)(w->seen[i] >> 3) & (cap - 1);
            while (n[j]) j = (j + 1) & (cap - 1);
            n[j] = w->seen[i];
        }
        js_free(w->ctx, w->seen);
        w->seen = n;
        w->seen_cap = cap;
    }
    uintptr_t key = (uintptr_t)ptr;
    uint32_t j = (uint32_t)(key >> 3) & (w->seen_cap - 1);
    while (w->seen[j]) {
        if (w->seen[j] == key) return 0;
        j = (j + 1) & (w->seen_cap - 1);
    }
    w->seen[j] = key;
    w->seen_len++;
    return 1;
}

/* Freezes one object and queues its prototype and every property value,
 * getter and setter. */
static int lw_visit(LockWalk *w, JSValueConst v) {
    JSContext *ctx = w->ctx;
    JSObject *p = JS_VALUE_GET_OBJ(v);
    /* a module namespace cannot be frozen, and needs not be: it is never extensible or writable */
    if (p->class_id != JS_CLASS_MODULE_NS && JS_FreezeObject(ctx, v) < 0) return -1;
    JSValue proto = JS_GetPrototype(ctx, v);
    if (JS_IsException(proto)) return -1;
    int rc = lw_push(w, proto);
    JS_FreeValue(ctx, proto);
    JSPropertyEnum *props;
    uint32_t len;
    if (rc || JS_GetOwnPropertyNames(ctx, &props, &len, v, JS_GPN_STRING_MASK | JS_GPN_SYMBOL_MASK)) return -1;
    for (uint32_t i = 0; i < len && !rc; i++) {
        JSPropertyDescriptor d;
        int has = JS_GetOwnProperty(ctx, &d, v, props[i].atom);
        if (has < 0) {
            rc = -1;
        } else if (has) {
            rc = lw_push(w, d.value) || lw_push(w, d.getter) || lw_push(w, d.setter) ? -1 : 0;
            JS_FreeValue(ctx, d.value);
            JS_FreeValue(ctx, d.getter);
            JS_FreeValue(ctx, d.setter);
        }
    }
    JS_FreePropertyEnum(ctx, props, len);
    return rc;
}

static JSValue zigttp_fixed_error_static(JSContext *ctx, JSValueConst this_val, JSValueConst val) {
    return JS_ThrowTypeError(ctx, "Error.stackTraceLimit and Error.prepareStackTrace are fixed once the module "
                                  "scope has run");
}

/* Error.stackTraceLimit and Error.prepareStackTrace are accessors whose
 * setters write context state every later stack trace reads; freezing the
 * Error constructor does not stop a setter. Each becomes a fixed data
 * property holding the value the module scope left, and the setter function
 * itself (which the module scope may have kept) throws from now on. */
static int lock_error_static(JSContext *ctx, const char *name, JSValueConst value) {
    JSPropertyDescriptor d;
    JSAtom atom = JS_NewAtom(ctx, name);
    if (atom == JS_ATOM_NULL) return -1;
    int has = JS_GetOwnProperty(ctx, &d, ctx->error_ctor, atom);
    if (has <= 0) {
        JS_FreeAtom(ctx, atom);
        return has;
    }
    if (JS_IsObject(d.setter)) {
        JSObject *f = JS_VALUE_GET_OBJ(d.setter);
        if (f->class_id == JS_CLASS_C_FUNCTION && f->u.cfunc.cproto == JS_CFUNC_setter)
            f->u.cfunc.c_function.setter = zigttp_fixed_error_static;
    }
    int getset = (d.flags & JS_PROP_GETSET) != 0;
    JS_FreeValue(ctx, d.value);
    JS_FreeValue(ctx, d.getter);
    JS_FreeValue(ctx, d.setter);
    int rc = getset ? JS_DefinePropertyValue(ctx, ctx->error_ctor, atom, js_dup(value), 0) : 0;
    JS_FreeAtom(ctx, atom);
    return rc < 0 ? -1 : 0;
}

static int lw_push_context(LockWalk *w) {
    JSContext *ctx = w->ctx;
    for (int i = 0; i < JS_CLASS_INIT_COUNT; i++)
        if (lw_push(w, ctx->class_proto[i])) return -1;
    for (int i = 0; i < JS_NATIVE_ERROR_COUNT; i++)
        if (lw_push(w, ctx->native_error_proto[i])) return -1;
    JSValueConst held[] = {ctx->function_proto, ctx->function_ctor, ctx->array_ctor, ctx->regexp_ctor,
                           ctx->promise_ctor, ctx->error_ctor, ctx->iterator_ctor, ctx->iterator_ctor_getset,
                           ctx->iterator_proto, ctx->async_iterator_proto, ctx->array_proto_values,
                           ctx->throw_type_error, ctx->eval_obj, ctx->global_obj,
                           ctx->error_prepare_stack};
    for (size_t i = 0; i < countof(held); i++)
        if (lw_push(w, held[i])) return -1;
    return 0;
}

/* What earlier lockdowns froze, when the runtime keeps that record
 * (zigttp_keep_locked): a tenant runtime image freezes the built-ins before
 * any handler code exists, and the lockdown after a handler's module scope
 * then skips all of them. Sound because a frozen object's properties,
 * prototype and accessors can never change: whatever it reached when it was
 * frozen is frozen too, and stays alive as long as it does (the roots and
 * the context are never freed), so no address in the record is reused. */
static uintptr_t *locked_seen;
static uint32_t locked_len, locked_cap;
static int keep_locked;

void zigttp_keep_locked(int keep) { keep_locked = keep; }

/* Freezes everything reachable from `roots` (an array) and from the
 * context; 0, or -1 with an exception pending. */
int zigttp_lockdown(JSContext *ctx, JSValueConst roots) {
    if (lock_error_static(ctx, "stackTraceLimit", ctx->error_stack_trace_limit) < 0 ||
        lock_error_static(ctx, "prepareStackTrace", ctx->error_prepare_stack) < 0)
        return -1;
    LockWalk w = {ctx};
    if (keep_locked) {
        w.seen = locked_seen;
        w.seen_len = locked_len;
        w.seen_cap = locked_cap;
    }
    int64_t n = 0;
    int rc = JS_GetLength(ctx, roots, &n) < 0 ? -1 : 0;
    for (int64_t i = 0; i < n && !rc; i++) {
        JSValue v = JS_GetPropertyInt64(ctx, roots, i);
        rc = JS_IsException(v) ? -1 : lw_push(&w, v);
        JS_FreeValue(ctx, v);
    }
    if (!rc) rc = lw_push_context(&w);
    while (w.todo_len && !rc) {
        JSValue v = w.todo[--w.todo_len];
        int first = lw_mark(&w, JS_VALUE_GET_PTR(v));
        rc = first < 0 ? -1 : first ? lw_visit(&w, v) : 0;
        JS_FreeValue(ctx, v);
    }
    if (rc && !JS_HasException(ctx)) JS_ThrowOutOfMemory(ctx);
    while (w.todo_len) JS_FreeValue(ctx, w.todo[--w.todo_len]);
    js_free(ctx, w.todo);
    if (keep_locked && !rc) {
        locked_seen = w.seen;
        locked_len = w.seen_len;
        locked_cap = w.seen_cap;
    } else if (w.seen != locked_seen) {
        js_free(ctx, w.seen);
    }
    return rc;
}

/* ---------- how deeply is plain data nested? ----------
 *
 * QuickJS's JSON.stringify recurses in C once per level, in frames the JS
 * stack limit does not see, so a deep enough value overflows wasmtime's
 * stack (a trap). This measures the nesting of plain objects and arrays
 * first, reading own data properties only (nothing runs), and remembers
 * each finished object's height so shared parts are measured once. A cycle
 * is left to JSON.stringify, which reports it as one. */

enum { DP_TOO_DEEP = -1, DP_CYCLE = -2, DP_NO_MEMORY = -3, DP_OPEN = -4 };

typedef struct {
    JSContext *ctx;
    uintptr_t *keys; /* open addressing; 0 is empty */
    int32_t *heights; /* DP_OPEN while the object is on the current path */
    uint32_t len, cap;
    int max;
} DepthProbe;

static int32_t *dp_slot(DepthProbe *d, JSObject *p, int insert) {
    if (insert && (d->len + 1) * 2 > d->cap) {
        uint32_t cap = d->cap ? d->cap * 2 : 256;
        uintptr_t *keys = js_mallocz(d->ctx, sizeof *keys * cap);
        int32_t *heights = js_malloc(d->ctx, sizeof *heights * cap);
        if (!keys || !heights) {
            js_free(d->ctx, keys);
            js_free(d->ctx, heights);
            return NULL;
        }
        for (uint32_t i = 0; i < d->cap; i++) {
            if (!d->keys[i]) continue;
            uint32_t j = (uint32_t)(d->keys[i] >> 3) & (cap - 1);
            while (keys[j]) j = (j + 1) & (cap - 1);
            keys[j] = d->keys[i];
            heights[j] = d->heights[i];
        }
        js_free(d->ctx, d->keys);
        js_free(d->ctx, d->heights);
        d->keys = keys;
        d->heights = heights;
        d->cap = cap;
    }
    if (!d->cap) return NULL;
    uintptr_t key = (uintptr_t)p;
    uint32_t j = (uint32_t)(key >> 3) & (d->cap - 1);
    while (d->keys[j] && d->keys[j] != key) j = (j + 1) & (d->cap - 1);
    if (!d->keys[j]) {
        if (!insert) return NULL;
        d->keys[j] = key;
        d->len++;
    }
    return &d->heights[j];
}

static int dp_height(DepthProbe *d, JSObject *p, int depth);

static int dp_child(DepthProbe *d, JSValueConst v, int depth, int *height) {
    if (JS_VALUE_GET_TAG(v) != JS_TAG_OBJECT) return 0;
    int h = dp_height(d, JS_VALUE_GET_OBJ(v), depth + 1);
    if (h < 0) return h;
    if (h + 1 > *height) *height = h + 1;
    return 0;
}

/* The height of p's plain-data subtree (0: no object below), or DP_*. */
static int dp_height(DepthProbe *d, JSObject *p, int depth) {
    if (depth > d->max) return DP_TOO_DEEP;
    int32_t *known = dp_slot(d, p, 0);
    if (known) {
        if (*known == DP_OPEN) return DP_CYCLE;
        return depth + *known > d->max ? DP_TOO_DEEP : *known;
    }
    int32_t *slot = dp_slot(d, p, 1);
    if (!slot) return DP_NO_MEMORY;
    *slot = DP_OPEN;
    int height = 0, rc = 0;
    if (p->class_id == JS_CLASS_ARRAY && p->fast_array) {
        for (uint32_t i = 0; i < p->u.array.count && !rc; i++)
            rc = dp_child(d, p->u.array.u.values[i], depth, &height);
    } else if (p->class_id == JS_CLASS_OBJECT || p->class_id == JS_CLASS_ARRAY) {
        JSShapeProperty *prs = get_shape_prop(p->shape);
        for (int i = 0; i < p->shape->prop_count && !rc; i++) {
            if (prs[i].atom != JS_ATOM_NULL && (prs[i].flags & JS_PROP_TMASK) == JS_PROP_NORMAL)
                rc = dp_child(d, p->prop[i].u.value, depth, &height);
        }
    }
    if (rc < 0) return rc;
    *dp_slot(d, p, 0) = height; /* the table may have grown: look the slot up again */
    return height;
}

int zigttp_json_too_deep(JSContext *ctx, JSValueConst v, int max) {
    if (JS_VALUE_GET_TAG(v) != JS_TAG_OBJECT) return 0;
    DepthProbe d = {ctx, NULL, NULL, 0, 0, max};
    int h = dp_height(&d, JS_VALUE_GET_OBJ(v), 1);
    js_free(ctx, d.keys);
    js_free(ctx, d.heights);
    return h == DP_TOO_DEEP;
}

/* ---------- Math.random() while the module scope runs ----------
 *
 * The module scope runs once, into the snapshot every instance starts from:
 * a random number drawn there would be the same in every instance, restart
 * and machine. While it runs, Math.random's C function throws instead; the
 * function object is switched back afterwards, so requests pay nothing. */

static JSObject *math_random_fn;
static JSCFunction *math_random_impl;

static JSValue zigttp_refused_random(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv) {
    return JS_ThrowPlainError(ctx, "Math.random() cannot run at module scope: the module scope runs once, into the "
                                   "snapshot every instance starts from; call it inside the handler");
}

void zigttp_refuse_random(JSContext *ctx, int refuse) {
    if (refuse && !math_random_fn) {
        JSValue math = JS_GetPropertyStr(ctx, ctx->global_obj, "Math");
        JSValue f = JS_GetPropertyStr(ctx, math, "random");
        JS_FreeValue(ctx, math);
        if (JS_VALUE_GET_TAG(f) == JS_TAG_OBJECT) {
            JSObject *p = JS_VALUE_GET_OBJ(f);
            if (p->class_id == JS_CLASS_C_FUNCTION && p->u.cfunc.cproto == JS_CFUNC_generic) {
                math_random_fn = p; /* the global Math keeps it alive */
                math_random_impl = p->u.cfunc.c_function.generic;
                p->u.cfunc.c_function.generic = zigttp_refused_random;
            }
        }
        JS_FreeValue(ctx, f);
    } else if (!refuse && math_random_fn) {
        math_random_fn->u.cfunc.c_function.generic = math_random_impl;
        math_random_fn = NULL;
    }
}

/* Drops every queued promise job without running it: after a request has
 * failed, none of its jobs may run in a later one. */
void zigttp_drop_jobs(JSRuntime *rt) {
    struct list_head *el, *next;
    list_for_each_safe(el, next, &rt->job_list) {
        JSJobEntry *e = list_entry(el, JSJobEntry, link);
        list_del(&e->link);
        for (int i = 0; i < e->argc; i++) JS_FreeValue(e->ctx, e->argv[i]);
        js_free(e->ctx, e);
    }
}

/* The characters of a flat 8-bit string that are all ASCII: the string's own NUL-terminated bytes, which are
 * then its UTF-8 (what JS_ToCStringLen answers for it, without that function's byte-at-a-time scan). They live
 * as long as the string; nothing to free. NULL for any other value or string. */
const char *zigttp_ascii_text(JSValueConst v, size_t *n) {
    if (JS_VALUE_GET_TAG(v) != JS_TAG_STRING) return NULL;
    JSString *p = JS_VALUE_GET_STRING(v);
    if (p->is_wide_char || p->kind != JS_STRING_KIND_NORMAL || zigttp_ascii_prefix(str8(p), p->len) != p->len) return NULL;
    *n = p->len;
    return (const char *)str8(p);
}

/* A response's header pairs as byte strings, for the glue to write their JSON without making it a JS string
 * first: `entries` a dense array of dense [name, value] arrays of exactly two flat 8-bit strings of ASCII
 * characters (the bytes are then their UTF-8). parts[2i], parts[2i + 1] and their lengths point into the
 * strings, which `entries` keeps alive. The pair count, or -1 when any of that does not hold or there are more
 * than `max` pairs (the caller then stringifies the array). */
/* Is `p` an array whose elements are all stored densely (its length is their count: no hole at its end, which
 * JSON.stringify would write as null)? */
static int dense_array(JSObject *p) {
    JSValue length = p->prop[0].u.value;
    return p->class_id == JS_CLASS_ARRAY && p->fast_array && JS_VALUE_GET_TAG(length) == JS_TAG_INT &&
           (uint32_t)JS_VALUE_GET_INT(length) == p->u.array.count;
}

int zigttp_ascii_pairs(JSValueConst entries, const uint8_t **parts, size_t *lens, int max) {
    if (JS_VALUE_GET_TAG(entries) != JS_TAG_OBJECT) return -1;
    JSObject *list = JS_VALUE_GET_OBJ(entries);
    if (!dense_array(list) || list->u.array.count > (uint32_t)max) return -1;
    int n = (int)list->u.array.count;
    for (int i = 0; i < n; i++) {
        JSValueConst e = list->u.array.u.values[i];
        if (JS_VALUE_GET_TAG(e) != JS_TAG_OBJECT) return -1;
        JSObject *pair = JS_VALUE_GET_OBJ(e);
        if (!dense_array(pair) || pair->u.array.count != 2) return -1;
        for (int k = 0; k < 2; k++) {
            JSValueConst v = pair->u.array.u.values[k];
            if (JS_VALUE_GET_TAG(v) != JS_TAG_STRING) return -1;
            JSString *str = JS_VALUE_GET_STRING(v);
            if (str->is_wide_char) return -1;
            const uint8_t *bytes = str8(str);
            if (zigttp_ascii_prefix(bytes, str->len) != str->len) return -1;
            parts[2 * i + k] = bytes;
            lens[2 * i + k] = str->len;
        }
    }
    return n;
}

/* Can the string hold a surrogate at all? Only a 16-bit one can; a rope is
 * not looked into. */
int zigttp_string_is_8bit(JSValueConst v) {
    return JS_VALUE_GET_TAG(v) == JS_TAG_STRING && !JS_VALUE_GET_STRING(v)->is_wide_char;
}

/* ---------- req.query ----------
 *
 * The query string (the URL after "?", UTF-8) read into an object, for
 * req.query and for new Request(url) (native.parseQuery), by the rules of
 * the prelude's original JS parser (tests/test_query_parse.py holds this one
 * to it): parts
 * split at "&", empty ones skipped; the name is what precedes the first "=";
 * "+" is a space; percent-escapes are decoded by decodeURIComponent's own
 * C function, and a part it rejects stays as it was; a value of the form
 * -?(0|[1-9][0-9]{0,15}) that is a safe integer becomes a number; a repeated
 * name keeps its first place and its last value. Each name is defined as an
 * own data property, so "__proto__" or "constructor" are keys like any other.
 * In JS each part costs tens of built-in calls (about 25,000 fuel for
 * "a=1&b=2"), here a few. */

static JSValue qs_text(JSContext *ctx, const char *s, size_t n) {
    char small[128];
    char *buf = n <= sizeof small ? small : js_malloc(ctx, n);
    if (!buf) return JS_EXCEPTION;
    int escaped = 0;
    for (size_t i = 0; i < n; i++) {
        buf[i] = s[i] == '+' ? ' ' : s[i];
        escaped |= s[i] == '%';
    }
    JSValue text = JS_NewStringLen(ctx, buf, n);
    if (buf != small) js_free(ctx, buf);
    if (!escaped || JS_IsException(text)) return text;
    JSValue decoded = js_global_decodeURI(ctx, JS_UNDEFINED, 1, (JSValueConst *)&text, 1);
    if (!JS_IsException(decoded)) {
        JS_FreeValue(ctx, text);
        return decoded;
    }
    JSValue error = JS_GetException(ctx);
    if (JS_IsUncatchableError(error)) { /* an interrupt is not the malformed escape JS's catch would take */
        JS_Throw(ctx, error);
        JS_FreeValue(ctx, text);
        return JS_EXCEPTION;
    }
    JS_FreeValue(ctx, error);
    return text;
}

/* The number a value of the form -?(0|[1-9][0-9]{0,15}) stands for when it is a
 * safe integer ("-0" is -0, as Number("-0")); otherwise the value itself. */
static JSValue qs_value(JSContext *ctx, JSValue text) {
    JSString *p = JS_VALUE_GET_STRING(text);
    int len = (int)p->len, i = 0, neg = 0;
    if (len > 0 && string_get(p, 0) == '-') neg = i = 1;
    int digits = len - i;
    if (digits < 1 || digits > 16) return text;
    int first = string_get(p, i);
    if (first < '0' || first > '9' || (first == '0' && digits > 1)) return text;
    uint64_t m = 0;
    for (; i < len; i++) {
        int c = string_get(p, i);
        if (c < '0' || c > '9') return text;
        m = m * 10 + (uint64_t)(c - '0');
    }
    if (m > 9007199254740991ULL) return text;
    JS_FreeValue(ctx, text);
    if (neg && m == 0) return js_float64(-0.0);
    return JS_NewInt64(ctx, neg ? -(int64_t)m : (int64_t)m);
}

static int qs_part(JSContext *ctx, JSValueConst query, const char *s, size_t n) {
    const char *eq = memchr(s, '=', n);
    size_t klen = eq ? (size_t)(eq - s) : n;
    JSValue key = qs_text(ctx, s, klen);
    if (JS_IsException(key)) return -1;
    JSValue value = eq ? qs_text(ctx, eq + 1, n - klen - 1) : js_empty_string(ctx->rt);
    if (JS_IsException(value)) {
        JS_FreeValue(ctx, key);
        return -1;
    }
    value = qs_value(ctx, value);
    JSAtom atom = JS_ValueToAtom(ctx, key);
    JS_FreeValue(ctx, key);
    if (atom == JS_ATOM_NULL) {
        JS_FreeValue(ctx, value);
        return -1;
    }
    int rc = JS_DefinePropertyValue(ctx, query, atom, value, JS_PROP_C_W_E);
    JS_FreeAtom(ctx, atom);
    return rc < 0 ? -1 : 0;
}

JSValue zigttp_parse_query(JSContext *ctx, const char *s, size_t n) {
    JSValue query = JS_NewObject(ctx);
    if (JS_IsException(query)) return query;
    const char *end = s + n;
    while (s < end) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *stop = amp ? amp : end;
        if (stop > s && qs_part(ctx, query, s, (size_t)(stop - s)) < 0) {
            JS_FreeValue(ctx, query);
            return JS_EXCEPTION;
        }
        s = amp ? amp + 1 : end;
    }
    return query;
}
