/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The routes 2.x's configuration leaves when networkd moves a link to ours (SPEC §10): seen
 * in the system tier after an upgrade from Debian's 2.3.0-3, a DHCPv4 default route in the
 * ENI's table with 2.x's metric 522 beside ours (513). In a network namespace of its own
 * (root; skipped, exit 77, otherwise), a link gets the routes networkd would leave, ours and
 * an administrator's; the sweep removes exactly 2.x's DHCP/RA routes of that link, and only
 * once ours are there. Links and routes are set up with ip(8): the test's tooling, not the
 * product's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "legacy-files.h"
#include "legacy-routes.h"
#include "netlink.h"
#include "tree-util.h"

static bool netns_ready;
static unsigned n_skipped;

#define REQUIRE_NETNS()              \
        do {                         \
                if (!netns_ready) {  \
                        n_skipped++; \
                        skip();      \
                }                    \
        } while (0)

static void sh(const char *cmd) {
        if (system(cmd) != 0)
                fail_msg("%s failed", cmd);
}

/* The routes of table 10001 and of the other link, as `ip` prints them. */
static char *routes(void) {
        char *buf = NULL;
        size_t size = 0;
        FILE *out = open_memstream(&buf, &size);
        FILE *p = popen("ip -4 route show table 10001; ip -6 route show table 10001; ip -4 route show dev ec2t1", "r");
        char line[512];

        assert_non_null(out);
        assert_non_null(p);
        while (fgets(line, sizeof line, p))
                fputs(line, out);
        pclose(p);
        fclose(out);
        return buf;
}

static int setup(void **state) {
        char *tmp = make_temp_dir();

        if (!tmp || !netns_ready)
                return tmp ? (*state = tmp, 0) : -1;
        *state = tmp;
        return system("ip link add ec2t0 type veth peer name ec2t1 && ip link set ec2t0 up && ip link set ec2t1 up && "
                      "ip addr add 10.3.2.20/24 dev ec2t0 && ip addr add 10.3.9.20/24 dev ec2t1 && "
                      "ip -6 addr add 2001:db8:3:2::20/64 dev ec2t0 nodad") == 0 ? 0 : -1;
}

static int teardown(void **state) {
        if (netns_ready)
                (void) system("ip link del ec2t0 2>/dev/null");
        rm_rf(*state);
        free(*state);
        return 0;
}

static int ifindex(const char *name) {
        _cleanup_(link_info_done) LinkInfo info = {};

        assert_int_equal(link_get_by_name(name, &info), 0);
        return info.ifindex;
}

/* What networkd 252 leaves behind (2.x's metric 522), ours (513), an administrator's. */
static void add_routes(void) {
        sh("ip route add default via 10.3.2.1 dev ec2t0 proto dhcp metric 522 table 10001");
        sh("ip route add 10.3.2.1/32 dev ec2t0 proto dhcp metric 522 table 10001");
        sh("ip -6 route add default via fe80::1 dev ec2t0 proto ra metric 522 table 10001");
        sh("ip route add 192.0.2.0/24 via 10.3.2.1 dev ec2t0 proto static metric 522 table 10001");
        sh("ip route add default via 10.3.9.1 dev ec2t1 proto dhcp metric 522");
}

static void test_sweep_after_ours_apply(void **state) {
        _cleanup_free_ char *before = NULL, *after = NULL;
        unsigned removed = 99;

        REQUIRE_NETNS();
        add_routes();
        assert_int_equal(legacy_routes_remember(*state, "ec2t0", 522), 0);

        /* networkd has not applied ours yet: 2.x's may still be its current routes. */
        before = routes();
        assert_int_equal(legacy_routes_sweep(*state, "ec2t0", ifindex("ec2t0"), 513, &removed), 0);
        assert_int_equal(removed, 0);
        after = routes();
        assert_string_equal(before, after);

        /* Ours are there: 2.x's DHCP and RA routes of the link go, nothing else. */
        sh("ip route add default via 10.3.2.1 dev ec2t0 proto dhcp metric 513 table 10001");
        assert_int_equal(legacy_routes_sweep(*state, "ec2t0", ifindex("ec2t0"), 513, &removed), 0);
        assert_int_equal(removed, 3);
        free(after);
        after = routes();
        fprintf(stderr, "after the sweep:\n%s", after);
        assert_null(strstr(after, "default via 10.3.2.1 dev ec2t0 proto dhcp metric 522"));
        assert_null(strstr(after, "10.3.2.1 dev ec2t0 proto dhcp scope link metric 522"));
        assert_null(strstr(after, "default via fe80::1 dev ec2t0 proto ra metric 522"));
        assert_non_null(strstr(after, "default via 10.3.2.1 dev ec2t0 proto dhcp metric 513"));
        assert_non_null(strstr(after, "192.0.2.0/24 via 10.3.2.1 dev ec2t0 proto static metric 522"));
        assert_non_null(strstr(after, "default via 10.3.9.1 proto dhcp metric 522"));   /* ec2t1 */

        /* Forgotten: a later route with that metric is nobody's leftover. */
        sh("ip route add 10.3.2.1/32 dev ec2t0 proto dhcp metric 522 table 10001");
        assert_int_equal(legacy_routes_sweep(*state, "ec2t0", ifindex("ec2t0"), 513, &removed), 0);
        assert_int_equal(removed, 0);
}

static void test_nothing_remembered(void **state) {
        _cleanup_free_ char *after = NULL;
        unsigned removed = 99;

        REQUIRE_NETNS();
        add_routes();
        assert_int_equal(legacy_routes_sweep(*state, "ec2t0", ifindex("ec2t0"), 513, &removed), 0);
        assert_int_equal(removed, 0);
        /* 2.x's metric equal to ours (2.7 computes it as we do): nothing to tell apart. */
        assert_int_equal(legacy_routes_remember(*state, "ec2t0", 513), 0);
        sh("ip route add default via 10.3.2.1 dev ec2t0 proto dhcp metric 513 table 10001");
        assert_int_equal(legacy_routes_sweep(*state, "ec2t0", ifindex("ec2t0"), 513, &removed), 0);
        assert_int_equal(removed, 0);
        after = routes();
        assert_non_null(strstr(after, "default via 10.3.2.1 dev ec2t0 proto dhcp metric 513"));
}

/* 2.x's metric, from its eni.conf (what the setup remembers before our files replace it). */
static void test_route_metric_of_2x(void **state) {
        char path[PATH_MAX];
        unsigned metric = 1;

        snprintf(path, sizeof path, "%s/70-ens6.network.d", (char *) *state);
        assert_int_equal(mkdir(path, 0755), 0);
        snprintf(path, sizeof path, "%s/70-ens6.network", (char *) *state);
        assert_int_equal(symlink("/usr/lib/systemd/network/80-ec2.network", path), 0);
        snprintf(path, sizeof path, "%s/70-ens6.network.d/eni.conf", (char *) *state);
        assert_int_equal(write_whole_file(path, "# Configuration for ens6 generated by policy-routes@ens6.service\n"
                                                "[Match]\nMACAddress=0e:00:00:00:01:00\n[Network]\nDHCP=yes\n"
                                                "[DHCPv4]\nRouteMetric=522\n[DHCPv6]\nRouteMetric=522\n"), 0);
        assert_int_equal(legacy_files_route_metric(*state, "ens6", &metric), 1);
        assert_int_equal(metric, 522);
        assert_int_equal(legacy_files_route_metric(*state, "ens7", &metric), 0);
        assert_int_equal(metric, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_sweep_after_ours_apply, setup, teardown),
                cmocka_unit_test_setup_teardown(test_nothing_remembered, setup, teardown),
                cmocka_unit_test_setup_teardown(test_route_metric_of_2x, setup, teardown),
        };
        int r;

        /* Only ever in a namespace of our own: the machine's routes are not ours to touch. */
        netns_ready = geteuid() == 0 && unshare(CLONE_NEWNET) == 0 && system("ip link set lo up") == 0;
        if (!netns_ready)
                fprintf(stderr, "No private network namespace (not root?): skipping the route tests.\n");
        r = cmocka_run_group_tests(tests, NULL, NULL);
        return r == 0 && n_skipped > 0 ? 77 : r;
}
