/* SPDX-License-Identifier: Apache-2.0 */
/* Which .network file networkd applied to a link, from networkd's own description of it
 * (DescribeLink); the bus call itself is in test-networkd-reload and the e2e tier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "macro.h"
#include "networkd.h"

static void test_network_file(void **state) {
        _cleanup_free_ char *file = NULL;
        char *none = NULL;

        /* As networkd 252 answers, abridged. */
        assert_int_equal(networkd_network_file_from_description(
                "{\"Index\":3,\"Name\":\"ens6\",\"AdministrativeState\":\"configured\","
                "\"NetworkFile\":\"/run/systemd/network/10-netplan-ens6.network\","
                "\"Addresses\":[{\"Family\":2}]}", &file), 0);
        assert_string_equal(file, "/run/systemd/network/10-netplan-ens6.network");

        /* Unmanaged: no NetworkFile. */
        assert_int_equal(networkd_network_file_from_description(
                "{\"Index\":4,\"Name\":\"ens7\",\"AdministrativeState\":\"unmanaged\"}", &none), -ENOENT);
        assert_null(none);
        /* Not a description, or a file that is not an absolute path: never trusted. */
        assert_int_equal(networkd_network_file_from_description("", &none), -EBADMSG);
        assert_int_equal(networkd_network_file_from_description("[1]", &none), -EBADMSG);
        assert_int_equal(networkd_network_file_from_description("{\"NetworkFile\":\"relative\"}", &none), -EBADMSG);
        assert_int_equal(networkd_network_file_from_description("{\"NetworkFile\":\"/a\\nb\"}", &none), -EBADMSG);
        assert_int_equal(networkd_network_file_from_description("{\"NetworkFile\":7}", &none), -ENOENT);
        assert_int_equal(networkd_network_file_from_description(
                "{\"NetworkFile\":\"/a\",\"NetworkFile\":\"/b\"}", &none), -EBADMSG);
        assert_null(none);
        (void) state;
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_network_file) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
