/* SPDX-License-Identifier: Apache-2.0 */
/* ENI discovery on a real sysfs (whose attribute files claim a size of 4096 bytes), in a
 * private network and mount namespace holding one veth pair. Needs root; skips otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "config.h"
#include "interface-discovery.h"
#include "strv.h"

static void test_discover_veth(void **state) {
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ PresentInterface *list = NULL;
        size_t n = 0, skipped = 0;

        assert_int_equal(config_init_defaults(&c), 0);
        /* Default drivers: a veth is not an ENI. */
        assert_int_equal(interfaces_discover("/sys", &c, &list, &n, &skipped), 0);
        assert_int_equal(n, 0);
        free(list);
        list = NULL;

        /* With the test setting, both ends are found, by name order, with their MACs. */
        assert_int_equal(config_parse_text(&c, "[Interfaces]\nDrivers=veth\n", 27, "test"), 0);
        assert_int_equal(interfaces_discover("/sys", &c, &list, &n, &skipped), 0);
        assert_int_equal(n, 2);
        assert_string_equal(list[0].ifname, "ens9");
        assert_string_equal(list[0].mac, "02:00:00:00:00:09");
        assert_string_equal(list[0].driver, "veth");
        assert_string_equal(list[1].ifname, "peer9");
        assert_int_equal(skipped, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_discover_veth) };

        if (geteuid() != 0) {
                fprintf(stderr, "needs root (a private network namespace), skipping\n");
                return 77;
        }
        if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0 ||
            mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("sysfs", "/sys", "sysfs", 0, NULL) < 0) {
                perror("namespace setup");
                return 1;
        }
        /* Only inside our own, new namespaces: nothing of the machine's is touched. */
        if (system("ip link add ens9 address 02:00:00:00:00:09 type veth peer name peer9 address 02:00:00:00:00:0a") != 0)
                return 1;
        return cmocka_run_group_tests(tests, NULL, NULL);
}
