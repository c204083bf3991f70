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
#include "eni-probe.h"
#include "interface-discovery.h"
#include "tree-util.h"
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

/* The one probe every program uses, on the real sysfs of the namespace. */
static void test_probe_real_sysfs(void **state) {
        _cleanup_(config_done) Config c = {};
        EniProbe p;

        assert_int_equal(config_init_defaults(&c), 0);
        assert_false(eni_probe_needs_kernel(&c));
        /* A virtual device with the default drivers: not asked from the kernel. */
        assert_int_equal(eni_probe("/sys", &c, "ens9", &p), ENI_PROBE_NO_DRIVER);
        assert_string_equal(p.driver, "");
        assert_int_equal(eni_probe("/sys", &c, "nosuch0", &p), -ENODEV);
        assert_int_equal(eni_probe("/sys", &c, "ens*", &p), -EINVAL);

        /* The tests' driver comes from the configuration only. */
        assert_int_equal(config_parse_text(&c, "[Interfaces]\nDrivers=veth\n", 27, "test"), 0);
        assert_true(eni_probe_needs_kernel(&c));
        assert_int_equal(eni_probe("/sys", &c, "ens9", &p), ENI_PROBE_ENI);
        assert_string_equal(p.driver, "veth");
        assert_string_equal(p.mac, "02:00:00:00:00:09");
        assert_int_equal(eni_probe("/sys", &c, "lo", &p), ENI_PROBE_NO_DRIVER);   /* ethtool: none */
        assert_int_equal(config_parse_text(&c, "[Interfaces]\nExcludeMACs=02:00:00:00:00:09\n", 43, "test"), 0);
        assert_int_equal(eni_probe("/sys", &c, "ens9", &p), ENI_PROBE_EXCLUDED);
        (void) state;
}

/* Driver links and addresses as sysfs has them for EC2's devices, in a made-up tree. */
static void test_probe_device_tree(void **state) {
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ char *root = make_temp_dir();
        char path[PATH_MAX], cmd[3 * PATH_MAX];
        EniProbe p;

        snprintf(cmd, sizeof cmd,
                 "set -e; cd %s; mkdir -p class/net/ens5 class/net/ens6 class/net/ens7 devices/a devices/b devices/c "
                 "bus/pci/drivers/ena bus/pci/drivers/ixgbevf; "
                 "ln -s ../../../bus/pci/drivers/ena devices/a/driver; ln -s ../../../devices/a class/net/ens5/device; "
                 "ln -s ../../../bus/pci/drivers/ixgbevf devices/b/driver; ln -s ../../../devices/b class/net/ens6/device; "
                 "ln -s ../../../bus/pci/drivers/ena devices/c/driver; ln -s ../../../devices/c class/net/ens7/device; "
                 "echo 06:00:00:00:00:05 > class/net/ens5/address; echo 06:00:00:00:00:06 > class/net/ens6/address; "
                 "echo 'not-a-mac' > class/net/ens7/address", root);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(config_init_defaults(&c), 0);
        assert_int_equal(config_parse_text(&c, "[Interfaces]\nDrivers=ena\n", 25, "test"), 0);

        assert_int_equal(eni_probe(root, &c, "ens5", &p), ENI_PROBE_ENI);
        assert_string_equal(p.driver, "ena");
        assert_string_equal(p.mac, "06:00:00:00:00:05");
        assert_int_equal(eni_probe(root, &c, "ens6", &p), ENI_PROBE_OTHER_DRIVER);
        assert_string_equal(p.driver, "ixgbevf");
        assert_int_equal(eni_probe(root, &c, "ens7", &p), -EBADMSG);
        snprintf(path, sizeof path, "%s/class/net/ens5/address", root);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(eni_probe(root, &c, "ens5", &p), -ENODEV);   /* went away meanwhile */
        rm_rf(root);
        (void) state;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_discover_veth),
                cmocka_unit_test(test_probe_real_sysfs),
                cmocka_unit_test(test_probe_device_tree),
        };

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
