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

#include "macro.h"
#include "networkd-describe.h"

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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_networkd_252),
                cmocka_unit_test(test_networkd_257_dropins),
                cmocka_unit_test(test_unmanaged_and_malformed),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
