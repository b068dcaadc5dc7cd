/* quickjs.c is compiled through this file so the glue can reach one private
 * field: every instance made from a pre-initialised snapshot would otherwise
 * share the Math.random() state captured in the snapshot.
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
