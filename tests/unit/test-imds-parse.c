/* SPDX-License-Identifier: Apache-2.0 */
/* IMDS bodies (SPEC §3): lists with or without a final newline, CRLF, empty bodies, and
 * hostile input that must be rejected as a whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "imds-parse.h"
#include "macro.h"
#include "strv-test-util.h"

static char **parse(const char *body, size_t len, ImdsValueType type, int expect) {
        char **l = NULL;

        assert_int_equal(imds_parse_list(body, len, type, &l), expect);
        return l;
}

#define P(s, type, expect) parse(s, sizeof(s) - 1, type, expect)

static void test_lists(void **state) {
        _cleanup_strv_free_ char **a = P("10.0.0.5\n10.0.0.6", IMDS_VALUE_IPV4, 0);
        _cleanup_strv_free_ char **b = P("10.0.0.5\n10.0.0.6\n", IMDS_VALUE_IPV4, 0);
        _cleanup_strv_free_ char **c = P("10.0.0.5\r\n10.0.0.6\r\n", IMDS_VALUE_IPV4, 0);
        _cleanup_strv_free_ char **empty = P("", IMDS_VALUE_IPV4, 0);
        _cleanup_strv_free_ char **nl = P("\n", IMDS_VALUE_IPV4, 0);
        _cleanup_strv_free_ char **v6 = P("fd0a:ffff:9999:8888:0:0:0:0/80\n", IMDS_VALUE_CIDR6, 0);

        assert_int_equal(strv_length(a), 2);
        assert_string_equal(a[0], "10.0.0.5");
        assert_string_equal(a[1], "10.0.0.6");
        assert_true(strv_equal(a, b));
        assert_true(strv_equal(a, c));
        assert_int_equal(strv_length(empty), 0);
        assert_int_equal(strv_length(nl), 0);
        assert_string_equal(v6[0], "fd0a:ffff:9999:8888::/80");
}

static void test_listing(void **state) {
        _cleanup_strv_free_ char **l = P("device-number\nipv4-associations/\nlocal-ipv4s\nsubnet-ipv4-cidr-block\n",
                                         IMDS_VALUE_KEY, 0);

        assert_int_equal(strv_length(l), 4);
        assert_true(strv_contains(l, "ipv4-associations/"));
        P("local-ipv4s\n../etc\n", IMDS_VALUE_KEY, -EBADMSG);
        P("a b\n", IMDS_VALUE_KEY, -EBADMSG);
        P("/\n", IMDS_VALUE_KEY, -EBADMSG);
}

static void test_hostile(void **state) {
        /* One bad item invalidates the whole list. */
        P("10.0.0.5\n[Network]\n", IMDS_VALUE_IPV4, -EBADMSG);
        P("10.0.0.5\nDNS=1.1.1.1\n", IMDS_VALUE_IPV4, -EBADMSG);
        P("10.0.0.5\n\n10.0.0.6\n", IMDS_VALUE_IPV4, -EBADMSG);
        P("10.0.0.5\0\n", IMDS_VALUE_IPV4, -EBADMSG);
        P("10.0.0.5 \n", IMDS_VALUE_IPV4, -EBADMSG);
        P("10.0.0.5\r10.0.0.6", IMDS_VALUE_IPV4, -EBADMSG);
        P("\xc3\xa9", IMDS_VALUE_IPV4, -EBADMSG);
        P("10.0.0.0/8\n", IMDS_VALUE_IPV4, -EBADMSG);
        P("10.0.0.5\n", IMDS_VALUE_CIDR4, -EBADMSG);
}

static void test_bounds(void **state) {
        _cleanup_free_ char *big = NULL, *many = NULL, *longline = NULL;
        size_t n = 0;

        /* More items than any ENI can have. */
        many = malloc(20 * (IMDS_LIST_MAX_ITEMS + 1) + 1);
        for (int i = 0; i <= IMDS_LIST_MAX_ITEMS; i++)
                n += (size_t) sprintf(many + n, "10.0.%d.%d\n", i / 250, i % 250);
        parse(many, n, IMDS_VALUE_IPV4, -EBADMSG);

        big = malloc(IMDS_BODY_MAX + 2);
        memset(big, 'a', IMDS_BODY_MAX + 1);
        parse(big, IMDS_BODY_MAX + 1, IMDS_VALUE_KEY, -EFBIG);

        longline = malloc(IMDS_LINE_MAX + 2);
        memset(longline, 'a', IMDS_LINE_MAX + 1);
        parse(longline, IMDS_LINE_MAX + 1, IMDS_VALUE_KEY, -EBADMSG);
}

static void test_line(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        char *c = NULL;

        assert_int_equal(imds_parse_line("02:00:00:00:00:01", 17, &a), 0);
        assert_string_equal(a, "02:00:00:00:00:01");
        assert_int_equal(imds_parse_line("1\n", 2, &b), 0);
        assert_string_equal(b, "1");
        assert_int_equal(imds_parse_line("", 0, &c), -EBADMSG);
        assert_int_equal(imds_parse_line("1\n2\n", 4, &c), -EBADMSG);
        assert_null(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lists),   cmocka_unit_test(test_listing),
                cmocka_unit_test(test_hostile), cmocka_unit_test(test_bounds),
                cmocka_unit_test(test_line),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
