/* SPDX-License-Identifier: Apache-2.0 */
/* Reading which .network file networkd applied to a link, from its state file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "macro.h"
#include "networkd.h"
#include "tree-util.h"

static void test_network_file(void **state) {
        _cleanup_free_ char *dir = make_temp_dir(), *file = NULL;
        char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/7", dir);
        assert_int_equal(write_whole_file(path,
                "# This is private data. Do not parse.\nADMIN_STATE=configured\nOPER_STATE=routable\n"
                "NETWORK_FILE=/run/systemd/network/10-netplan-ens6.network\nDNS=10.0.0.2\n"), 0);
        assert_int_equal(networkd_link_network_file(dir, 7, &file), 0);
        assert_string_equal(file, "/run/systemd/network/10-netplan-ens6.network");

        snprintf(path, sizeof path, "%s/8", dir);
        assert_int_equal(write_whole_file(path, "ADMIN_STATE=unmanaged\n"), 0);
        assert_int_equal(networkd_link_network_file(dir, 8, &file), -ENOENT);
        assert_int_equal(networkd_link_network_file(dir, 9, &file), -ENOENT);
        snprintf(path, sizeof path, "%s/10", dir);
        assert_int_equal(write_whole_file(path, "NETWORK_FILE=relative\n"), 0);
        assert_int_equal(networkd_link_network_file(dir, 10, &file), -ENOENT);
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_network_file) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
