/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsing networkd's DescribeLink JSON (networkd-describe.c): the fields ec2-netctl uses, as
 * networkd 252 sends them (no drop-in list) and as 257 does (NetworkDropinFiles); anything
 * malformed is ignored, never trusted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include <jansson.h>
#include <stdlib.h>

#include "macro.h"
#include "networkd-describe.h"
#include "strv.h"

/* As networkd 252 answers in the lab (cut down), with nested objects and arrays of numbers
 * before and after the members we keep, and escapes. */
static const char doc[] =
        "{\"Index\":6,\"Name\":\"ens6\",\"AlternativeNames\":[\"eni-0a0000000000000a6\",\"device-number-1\"],"
        "\"Flags\":69699,\"MTU\":9001,\"HardwareAddress\":[14,0,0,0,0,6],\"Up\":true,\"Carrier\":false,"
        "\"Nothing\":null,\"Float\":-1.5e3,"
        "\"Addresses\":[{\"Family\":2,\"Address\":[10,0,2,21],\"PrefixLength\":32,\"Scope\":0,"
        "\"FlagsString\":\"permanent,no-prefixroute\",\"ConfigSource\":\"static\"},{\"Family\":10,"
        "\"Address\":[254,128,0,0,0,0,0,0,12,0,0,255,254,0,0,6],\"FlagsString\":null}],"
        "\"AdministrativeState\":\"configured\",\"OperationalState\":\"routable\","
        "\"Note\":\"a \\\"quoted\\\" \\u00e9 \\\\ \\/ value\\n\","
        "\"NetworkFile\":\"\\/run\\/systemd\\/network\\/70-ens6.network\","
        "\"NetworkDropinFiles\":[\"/run/systemd/network/70-ens6.network.d/ec2net_alias.conf\","
        "\"/run/systemd/network/70-ens6.network.d/eni.conf\"],"
        "\"Routes\":[{\"Family\":2,\"Destination\":[0,0,0,0],\"Table\":10001,\"Nested\":{\"a\":[[],{}]}}]}";

static void test_networkd_252(void **state) {
        _cleanup_(networkd_link_view_done) NetworkdLinkView v = {};

        /* Cut from what networkd 252 answers in the lab. */
        assert_int_equal(networkd_link_view_from_json(
                                 "{\"Index\":6,\"Name\":\"ens6\",\"AlternativeNames\":[\"eni-0a0000000000000a6\"],"
                                 "\"AdministrativeState\":\"configured\",\"OperationalState\":\"routable\","
                                 "\"NetworkFile\":\"/run/systemd/network/70-ens6.network\",\"Addresses\":[]}",
                                 &v),
                         0);
        assert_string_equal(v.network_file, "/run/systemd/network/70-ens6.network");
        assert_string_equal(v.admin_state, "configured");
        assert_string_equal(v.oper_state, "routable");
        assert_null(v.dropin_files);
}

static void test_networkd_257_dropins(void **state) {
        _cleanup_(networkd_link_view_done) NetworkdLinkView v = {};

        assert_int_equal(networkd_link_view_from_json(
                                 "{\"NetworkFile\":\"/run/systemd/network/70-ens6.network\","
                                 "\"NetworkDropinFiles\":[\"/run/systemd/network/70-ens6.network.d/eni.conf\","
                                 "\"relative.conf\", 5],\"AdministrativeState\":\"configuring\"}",
                                 &v),
                         0);
        assert_non_null(v.dropin_files);
        assert_string_equal(v.dropin_files[0], "/run/systemd/network/70-ens6.network.d/eni.conf");
        assert_null(v.dropin_files[1]);   /* a relative path and a number are dropped */
        assert_null(v.oper_state);
}

static void test_unmanaged_and_malformed(void **state) {
        _cleanup_(networkd_link_view_done) NetworkdLinkView v = {}, w = {};
        NetworkdLinkView x = {};

        /* An unmanaged link has no NetworkFile; a relative or non-string one is not a path. */
        assert_int_equal(networkd_link_view_from_json("{\"AdministrativeState\":\"unmanaged\"}", &v), 0);
        assert_null(v.network_file);
        assert_string_equal(v.admin_state, "unmanaged");
        assert_int_equal(networkd_link_view_from_json("{\"NetworkFile\":\"70-ens6.network\","
                                                      "\"AdministrativeState\":7}", &w), 0);
        assert_null(w.network_file);
        assert_null(w.admin_state);
        assert_int_equal(networkd_link_view_from_json("[1,2]", &x), -EINVAL);
        assert_int_equal(networkd_link_view_from_json("not json", &x), -EINVAL);
        assert_int_equal(networkd_link_view_from_json(NULL, &x), -EINVAL);
        assert_int_equal(networkd_link_view_from_json("{\"NetworkFile\":\"/a\",\"NetworkFile\":\"/b\"}", &x),
                         -EINVAL);
}

/* The scan gives what a full parse (jansson) of the same document gives. */
static void test_same_as_full_parse(void **state) {
        _cleanup_(networkd_link_view_done) NetworkdLinkView v = {};
        json_auto_t *j = json_loads(doc, 0, NULL);
        const json_t *d;
        size_t k;

        assert_non_null(j);
        assert_int_equal(networkd_link_view_from_json(doc, &v), 0);
        assert_string_equal(v.network_file, json_string_value(json_object_get(j, "NetworkFile")));
        assert_string_equal(v.network_file, "/run/systemd/network/70-ens6.network");
        assert_string_equal(v.admin_state, json_string_value(json_object_get(j, "AdministrativeState")));
        assert_string_equal(v.oper_state, json_string_value(json_object_get(j, "OperationalState")));
        assert_int_equal(strv_length(v.dropin_files), json_array_size(json_object_get(j, "NetworkDropinFiles")));
        json_array_foreach(json_object_get(j, "NetworkDropinFiles"), k, d)
                assert_string_equal(v.dropin_files[k], json_string_value(d));
}

/* Every cut of the document, and documents with a byte changed, are refused or read, never
 * read past their end (ASan/valgrind in CI). */
static void test_damaged_documents(void **state) {
        size_t n = strlen(doc);
        _cleanup_free_ char *copy = malloc(n + 1);
        unsigned seed = 13;

        assert_non_null(copy);
        for (size_t cut = 0; cut < n; cut++) {
                NetworkdLinkView v = {};
                char *prefix = strndup(doc, cut);

                assert_int_equal(networkd_link_view_from_json(prefix, &v), -EINVAL);
                networkd_link_view_done(&v);
                free(prefix);
        }
        for (int round = 0; round < 20000; round++) {
                NetworkdLinkView v = {};
                int r;

                memcpy(copy, doc, n + 1);
                copy[rand_r(&seed) % n] = (char) (rand_r(&seed) % 255 + 1);
                r = networkd_link_view_from_json(copy, &v);
                assert_true(r == 0 || r == -EINVAL);
                assert_true(!v.network_file || v.network_file[0] == '/');
                networkd_link_view_done(&v);
        }
}

static void test_deep_nesting_refused(void **state) {
        char deep[1024] = "{\"A\":";
        NetworkdLinkView v = {};

        for (int k = 0; k < 200; k++)
                strcat(deep, "[");
        assert_int_equal(networkd_link_view_from_json(deep, &v), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_networkd_252),
                cmocka_unit_test(test_networkd_257_dropins),
                cmocka_unit_test(test_unmanaged_and_malformed),
                cmocka_unit_test(test_same_as_full_parse),
                cmocka_unit_test(test_damaged_documents),
                cmocka_unit_test(test_deep_nesting_refused),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
