/* SPDX-License-Identifier: Apache-2.0 */
/* Validators (SPEC §3): good values are canonicalised, hostile ones rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "eni.h"
#include "macro.h"
#include "validate.h"

static const char *const hostile[] = {
        "", " ", "\n", "10.0.0.1\n[Network]", "[Network]", "a=b", "../etc", "10.0.0.1 ",
        " 10.0.0.1", "10.0.0.1\r", "\xc3\xa9", "10.0.0.1/", "eni-\n", "0x10",
};

static void test_mac(void **state) {
        char m[MAC_STR_MAX];

        assert_int_equal(validate_mac("0a:07:84:3d:6e:38", m), 0);
        assert_string_equal(m, "0a:07:84:3d:6e:38");
        assert_int_equal(validate_mac("0A:07:84:3D:6E:38", m), 0);
        assert_string_equal(m, "0a:07:84:3d:6e:38");
        assert_int_equal(validate_mac("0a:07:84:3d:6e", m), -EINVAL);
        assert_int_equal(validate_mac("0a:07:84:3d:6e:38:", m), -EINVAL);
        assert_int_equal(validate_mac("0a-07-84-3d-6e-38", m), -EINVAL);
        assert_int_equal(validate_mac("0g:07:84:3d:6e:38", m), -EINVAL);
        assert_int_equal(validate_mac(NULL, m), -EINVAL);
        for (size_t i = 0; i < ELEMENTSOF(hostile); i++)
                assert_int_equal(validate_mac(hostile[i], m), -EINVAL);
}

static void test_ip(void **state) {
        char a[IP_STR_MAX];

        assert_int_equal(validate_ipv4("172.31.44.13", a), 0);
        assert_string_equal(a, "172.31.44.13");
        assert_int_equal(validate_ipv4("172.31.44", a), -EINVAL);
        assert_int_equal(validate_ipv4("172.31.44.256", a), -EINVAL);
        assert_int_equal(validate_ipv4("2600::1", a), -EINVAL);
        /* IMDS may send IPv6 uncompressed; we write it compressed. */
        assert_int_equal(validate_ipv6("fd0a:ffff:9999:8888:0:0:0:0", a), 0);
        assert_string_equal(a, "fd0a:ffff:9999:8888::");
        assert_int_equal(validate_ipv6("2600:1F16:292:100:C187:593C:4349:136", a), 0);
        assert_string_equal(a, "2600:1f16:292:100:c187:593c:4349:136");
        assert_int_equal(validate_ipv6("fe80::1%eth0", a), -EINVAL);
        assert_int_equal(validate_ipv6("10.0.0.1", a), -EINVAL);
        for (size_t i = 0; i < ELEMENTSOF(hostile); i++) {
                assert_int_equal(validate_ipv4(hostile[i], a), -EINVAL);
                assert_int_equal(validate_ipv6(hostile[i], a), -EINVAL);
        }
}

static void test_cidr(void **state) {
        char c[CIDR_STR_MAX];

        assert_int_equal(validate_cidr4("172.31.32.0/20", c), 0);
        assert_string_equal(c, "172.31.32.0/20");
        assert_int_equal(validate_cidr4("172.31.32.0/32", c), 0);
        assert_int_equal(validate_cidr4("172.31.32.0/33", c), -EINVAL);
        assert_int_equal(validate_cidr4("172.31.32.0/0", c), -EINVAL);
        assert_int_equal(validate_cidr4("172.31.32.0/", c), -EINVAL);
        assert_int_equal(validate_cidr4("172.31.32.0/020", c), -EINVAL);
        assert_int_equal(validate_cidr4("172.31.32.0/-1", c), -EINVAL);
        assert_int_equal(validate_cidr4("172.31.32.0", c), -EINVAL);
        assert_int_equal(validate_cidr4("172.31.32.0/20\n[Network]", c), -EINVAL);
        assert_int_equal(validate_cidr6("2600:1f16:67f:f201:0:0:0:0/64", c), 0);
        assert_string_equal(c, "2600:1f16:67f:f201::/64");
        assert_int_equal(validate_cidr6("2600::/129", c), -EINVAL);
        assert_int_equal(validate_cidr6("2600::/4294967297", c), -EINVAL);
        assert_int_equal(validate_cidr6("10.0.0.0/8", c), -EINVAL);
}

static void test_eni_id(void **state) {
        char e[ENI_ID_MAX];

        assert_int_equal(validate_eni_id("eni-0d6335689899ce9cc", e), 0);
        assert_string_equal(e, "eni-0d6335689899ce9cc");
        assert_int_equal(validate_eni_id("eni-", e), -EINVAL);
        assert_int_equal(validate_eni_id("eni-0D63", e), -EINVAL);
        assert_int_equal(validate_eni_id("eni-0d63 ", e), -EINVAL);
        assert_int_equal(validate_eni_id("eni-0123456789abcdef0123456789abcdef0", e), -EINVAL);
        assert_int_equal(validate_eni_id("eth-0123", e), -EINVAL);
        for (size_t i = 0; i < ELEMENTSOF(hostile); i++)
                assert_int_equal(validate_eni_id(hostile[i], e), -EINVAL);
}

static void test_uint(void **state) {
        unsigned v;

        assert_int_equal(parse_bounded_uint("0", 31, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(parse_bounded_uint("31", 31, &v), 0);
        assert_int_equal(v, 31);
        assert_int_equal(parse_bounded_uint("32", 31, &v), -ERANGE);
        assert_int_equal(parse_bounded_uint("01", 31, &v), -EINVAL);
        assert_int_equal(parse_bounded_uint("-1", 31, &v), -EINVAL);
        assert_int_equal(parse_bounded_uint("+1", 31, &v), -EINVAL);
        assert_int_equal(parse_bounded_uint("1 ", 31, &v), -EINVAL);
        assert_int_equal(parse_bounded_uint("99999999999", 31, &v), -EINVAL);
        assert_int_equal(parse_bounded_uint("", 31, &v), -EINVAL);
}

static void test_ifname(void **state) {
        assert_true(ifname_is_valid("eth0"));
        assert_true(ifname_is_valid("ens5"));
        assert_true(ifname_is_valid("enp0s3f1np0abc"));
        assert_true(ifname_is_valid("abcdefghijklmno"));      /* 15 bytes */
        assert_false(ifname_is_valid("abcdefghijklmnop"));    /* 16 bytes */
        assert_false(ifname_is_valid(""));
        assert_false(ifname_is_valid("."));
        assert_false(ifname_is_valid(".."));
        assert_false(ifname_is_valid("../x"));
        assert_false(ifname_is_valid("../../etc"));
        assert_false(ifname_is_valid("a/b"));
        assert_false(ifname_is_valid("-x"));
        assert_false(ifname_is_valid("eth 0"));
        assert_false(ifname_is_valid("eth0\n"));
        assert_false(ifname_is_valid("eth:0"));
        assert_false(ifname_is_valid("\xc3\xa9th0"));
        assert_false(ifname_is_valid(NULL));
}

/* The name goes into networkd's Name= match, where these would make a glob (or, with '!',
 * a negation) matching other interfaces; the kernel accepts every one of them. */
static void test_ifname_glob(void **state) {
        static const char *const bad[] = {
                "eth*", "*", "eth?", "eth[0]", "eth[", "eth]", "!eth0", "eth!0",
                "eth0\\", "\\", "eth\\0",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (ifname_is_valid(bad[i]))
                        fail_msg("accepted '%s'", bad[i]);
        /* Everything else printable stays accepted, as before. */
        assert_true(ifname_is_valid("eth0.100"));
        assert_true(ifname_is_valid("br-a_b+c@d%e"));
        assert_true(ifname_is_valid("x#y$z&(){}~^"));
        assert_true(ifname_is_valid("a'b\"c,d;e<f>"));
}

static void test_hostname(void **state) {
        char h[256];

        assert_int_equal(validate_hostname("ip-172-31-44-13.us-east-2.compute.internal", h, sizeof h), 0);
        assert_string_equal(h, "ip-172-31-44-13.us-east-2.compute.internal");
        assert_int_equal(validate_hostname("I-0951B6D0B66337123.us-east-2.compute.internal", h, sizeof h), 0);
        assert_string_equal(h, "i-0951b6d0b66337123.us-east-2.compute.internal");
        assert_int_equal(validate_hostname("-bad.example", h, sizeof h), -EINVAL);
        assert_int_equal(validate_hostname("bad-.example", h, sizeof h), -EINVAL);
        assert_int_equal(validate_hostname("a..b", h, sizeof h), -EINVAL);
        assert_int_equal(validate_hostname("host.", h, sizeof h), -EINVAL);
        assert_int_equal(validate_hostname("host name", h, sizeof h), -EINVAL);
        assert_int_equal(validate_hostname("host\nname", h, sizeof h), -EINVAL);
        assert_int_equal(validate_hostname("h_st", h, sizeof h), -EINVAL);
        assert_int_equal(validate_hostname("", h, sizeof h), -EINVAL);
        assert_int_equal(validate_hostname("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x", h, sizeof h), -EINVAL);
}

/* SPEC §4 numbering: unique per (card, device) for cards 0–31 and devices 0–31. */
static void test_numbering(void **state) {
        Eni eni = { .network_card = NETWORK_CARD_NONE, .device_number = 0 };

        assert_int_equal(eni_table(&eni), 10000);
        assert_int_equal(eni_metric(&eni), 512);
        assert_true(eni_is_primary_device(&eni));
        for (int card = 0; card <= 31; card++)
                for (unsigned dev = 0; dev <= 31; dev++) {
                        eni.network_card = card;
                        eni.device_number = dev;
                        assert_int_equal(eni_table(&eni), 10000 + 100 * (unsigned) card + dev);
                        assert_int_equal(eni_metric(&eni), 512 + 100 * (unsigned) card + dev);
                        assert_int_equal(eni_is_primary_device(&eni), card == 0 && dev == 0);
                }
        eni.network_card = NETWORK_CARD_NONE;
        eni.device_number = 7;
        assert_int_equal(eni_table(&eni), 10007);
        assert_int_equal(eni_metric(&eni), 519);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mac),     cmocka_unit_test(test_ip),
                cmocka_unit_test(test_cidr),    cmocka_unit_test(test_eni_id),
                cmocka_unit_test(test_uint),    cmocka_unit_test(test_ifname),
                cmocka_unit_test(test_ifname_glob),
                cmocka_unit_test(test_numbering), cmocka_unit_test(test_hostname),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
