/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The read-only rtnetlink dumps (rules, routes, addresses). As root, the test moves into a
 * fresh network namespace of its own and builds the state there, as networkd would for an
 * ENI (a rule per source address at priority 10001, routes in table 10001, a /32 secondary
 * address); without root only the parser and formatting tests run. No traffic is sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netlink-dump.h"
#include "netlink.h"

static bool netns_ready;
static int test_ifindex;

#define REQUIRE_NETNS()           \
        do {                      \
                if (!netns_ready) \
                        skip();   \
        } while (0)

static int request(NetlinkMessage *m) {
        _cleanup_close_ int fd = -1;
        int r;

        r = netlink_open(NULL, 0, &fd);
        if (r < 0)
                return r;
        return netlink_call(fd, m, NULL, NULL, usec_add(now_usec(), 5 * USEC_PER_SEC));
}

static int link_up(const char *name) {
        struct ifinfomsg ifi = {
                .ifi_family = AF_UNSPEC,
                .ifi_index = (int) if_nametoindex(name),
                .ifi_flags = IFF_UP,
                .ifi_change = IFF_UP,
        };
        NetlinkMessage m;

        if (netlink_message_init(&m, RTM_NEWLINK, 0, &ifi, sizeof ifi) < 0)
                return -ENOBUFS;
        return request(&m);
}

/* A link with carrier, so that routes through it are accepted: a dummy, or on kernels
 * built without it, a veth pair. */
static int link_create(const char *name, const char *kind, const char *peer) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        NetlinkMessage m;
        size_t info, data;
        int r;

        if (netlink_message_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi) < 0 ||
            netlink_message_append_string(&m, IFLA_IFNAME, name) < 0 ||
            netlink_message_open_nest(&m, IFLA_LINKINFO, &info) < 0 ||
            netlink_message_append_string(&m, IFLA_INFO_KIND, kind) < 0)
                return -ENOBUFS;
        if (peer) {
                /* The payload of VETH_INFO_PEER: the peer's ifinfomsg, then its IFLA_IFNAME. */
                uint8_t payload[NLMSG_ALIGN(sizeof ifi) + RTA_SPACE(IFNAMSIZ)] = {};
                struct rtattr *a = (struct rtattr *) (payload + NLMSG_ALIGN(sizeof ifi));

                a->rta_type = IFLA_IFNAME;
                a->rta_len = RTA_LENGTH(strlen(peer) + 1);
                memcpy(RTA_DATA(a), peer, strlen(peer) + 1);
                if (netlink_message_open_nest(&m, IFLA_INFO_DATA, &data) < 0 ||
                    netlink_message_append(&m, VETH_INFO_PEER, payload,
                                           NLMSG_ALIGN(sizeof ifi) + RTA_ALIGN(a->rta_len)) < 0)
                        return -ENOBUFS;
                netlink_message_close_nest(&m, data);
        }
        netlink_message_close_nest(&m, info);
        r = request(&m);
        if (r < 0)
                return r;
        if (peer && (r = link_up(peer)) < 0)
                return r;
        return link_up(name);
}

static int address_add(int family, const char *address, unsigned prefixlen) {
        struct ifaddrmsg ifa = {
                .ifa_family = (uint8_t) family,
                .ifa_prefixlen = (uint8_t) prefixlen,
                .ifa_flags = IFA_F_NODAD,
                .ifa_index = (uint32_t) test_ifindex,
        };
        uint8_t a[16];
        NetlinkMessage m;

        assert_int_equal(inet_pton(family, address, a), 1);
        if (netlink_message_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa) < 0 ||
            netlink_message_append(&m, IFA_LOCAL, a, family == AF_INET ? 4 : 16) < 0 ||
            netlink_message_append(&m, IFA_ADDRESS, a, family == AF_INET ? 4 : 16) < 0)
                return -ENOBUFS;
        return request(&m);
}

/* "ip rule add from FROM/LEN priority PRIO table TABLE proto static" */
static int rule_add(int family, const char *from, unsigned len, uint32_t priority, uint32_t table) {
        struct fib_rule_hdr frh = {
                .family = (uint8_t) family,
                .src_len = (uint8_t) len,
                .action = FR_ACT_TO_TBL,
                .table = RT_TABLE_UNSPEC,
        };
        uint8_t a[16], proto = RTPROT_STATIC;
        NetlinkMessage m;

        assert_int_equal(inet_pton(family, from, a), 1);
        if (netlink_message_init(&m, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, &frh, sizeof frh) < 0 ||
            netlink_message_append(&m, FRA_SRC, a, family == AF_INET ? 4 : 16) < 0 ||
            netlink_message_append_u32(&m, FRA_PRIORITY, priority) < 0 ||
            netlink_message_append_u32(&m, FRA_TABLE, table) < 0 ||
            netlink_message_append(&m, FRA_PROTOCOL, &proto, 1) < 0)
                return -ENOBUFS;
        return request(&m);
}

/* "ip route add DST/LEN [via GW] dev TEST table TABLE metric METRIC proto PROTO" */
static int route_add(int family, const char *dst, unsigned len, const char *gw, uint32_t table,
                     uint32_t metric, uint8_t proto) {
        struct rtmsg rtm = {
                .rtm_family = (uint8_t) family,
                .rtm_dst_len = (uint8_t) len,
                .rtm_table = RT_TABLE_UNSPEC,
                .rtm_protocol = proto,
                .rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
                .rtm_type = RTN_UNICAST,
        };
        uint8_t a[16];
        NetlinkMessage m;
        size_t alen = family == AF_INET ? 4 : 16;

        if (netlink_message_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof rtm) < 0 ||
            netlink_message_append_u32(&m, RTA_TABLE, table) < 0 ||
            netlink_message_append_u32(&m, RTA_OIF, (uint32_t) test_ifindex) < 0 ||
            netlink_message_append_u32(&m, RTA_PRIORITY, metric) < 0)
                return -ENOBUFS;
        if (len > 0) {
                assert_int_equal(inet_pton(family, dst, a), 1);
                if (netlink_message_append(&m, RTA_DST, a, alen) < 0)
                        return -ENOBUFS;
        }
        if (gw) {
                assert_int_equal(inet_pton(family, gw, a), 1);
                if (netlink_message_append(&m, RTA_GATEWAY, a, alen) < 0)
                        return -ENOBUFS;
        }
        return request(&m);
}

static void test_rules(void **state) {
        _cleanup_free_ KernelRule *rules = NULL, *all = NULL, *six = NULL;
        size_t n = 0, n_all = 0, n_six = 0;
        char line[256];

        REQUIRE_NETNS();
        assert_int_equal(rule_add(AF_INET, "10.0.2.20", 32, 10001, 10001), 0);
        assert_int_equal(rule_add(AF_INET, "10.0.2.64", 28, 10001, 10001), 0);
        assert_int_equal(rule_add(AF_INET, "10.0.3.30", 32, 10002, 10002), 0);
        assert_int_equal(rule_add(AF_INET6, "2001:db8:2::20", 128, 10001, 10001), 0);

        assert_int_equal(netlink_dump_rules(AF_INET, 10001, &rules, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(rules[0].family, AF_INET);
        assert_int_equal(rules[0].priority, 10001);
        assert_int_equal(rules[0].table, 10001);
        assert_int_equal(rules[0].protocol, RTPROT_STATIC);
        assert_int_equal(rules[0].action, FR_ACT_TO_TBL);
        /* The kernel keeps rules of one priority in the order they were added. */
        assert_string_equal(rules[0].from, "10.0.2.20/32");
        assert_string_equal(rules[1].from, "10.0.2.64/28");
        kernel_rule_format(&rules[1], line, sizeof line);
        assert_string_equal(line, "10001: from 10.0.2.64/28 lookup 10001 proto static");

        /* Every rule of both families: the kernel's own (0, 32766, 32767) are there too. */
        assert_int_equal(netlink_dump_rules(AF_UNSPEC, NETLINK_DUMP_ANY, &all, &n_all), 0);
        assert_true(n_all >= 4 + 3 + 2);
        assert_int_equal(netlink_dump_rules(AF_INET6, 10001, &six, &n_six), 0);
        assert_int_equal(n_six, 1);
        assert_string_equal(six[0].from, "2001:db8:2::20/128");
}

static void test_routes(void **state) {
        _cleanup_free_ KernelRoute *routes = NULL, *all = NULL;
        size_t n = 0, n_all = 0;
        char line[256];
        bool saw_default = false, saw_subnet = false, saw_v6 = false;

        REQUIRE_NETNS();
        assert_int_equal(address_add(AF_INET, "10.0.2.20", 24), 0);
        assert_int_equal(address_add(AF_INET6, "2001:db8:2::20", 64), 0);
        assert_int_equal(route_add(AF_INET, "10.0.2.0", 24, NULL, 10001, 0, RTPROT_STATIC), 0);
        assert_int_equal(route_add(AF_INET, NULL, 0, "10.0.2.1", 10001, 513, RTPROT_DHCP), 0);
        assert_int_equal(route_add(AF_INET6, NULL, 0, "2001:db8:2::1", 10001, 513, RTPROT_RA), 0);
        assert_int_equal(route_add(AF_INET, NULL, 0, "10.0.2.1", 10002, 514, RTPROT_DHCP), 0);

        assert_int_equal(netlink_dump_routes(AF_UNSPEC, 10001, &routes, &n), 0);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(routes[i].table, 10001);
                assert_int_equal(routes[i].oif, test_ifindex);
                if (routes[i].family == AF_INET && streq(routes[i].destination, "0.0.0.0/0")) {
                        saw_default = true;
                        assert_string_equal(routes[i].gateway, "10.0.2.1");
                        assert_int_equal(routes[i].metric, 513);
                        assert_int_equal(routes[i].protocol, RTPROT_DHCP);
                        kernel_route_format(&routes[i], line, sizeof line);
                        assert_string_equal(line, "default via 10.0.2.1 dev ec2t-dump0 proto dhcp metric 513");
                } else if (routes[i].family == AF_INET) {
                        saw_subnet = true;
                        assert_string_equal(routes[i].destination, "10.0.2.0/24");
                        assert_string_equal(routes[i].gateway, "");
                        kernel_route_format(&routes[i], line, sizeof line);
                        assert_string_equal(line, "10.0.2.0/24 dev ec2t-dump0 proto static scope link");
                } else {
                        saw_v6 = true;
                        assert_string_equal(routes[i].destination, "::/0");
                        assert_string_equal(routes[i].gateway, "2001:db8:2::1");
                }
        }
        assert_true(saw_default && saw_subnet && saw_v6);

        /* Every table: main (the address's prefix route) and local are in it too. */
        assert_int_equal(netlink_dump_routes(AF_INET, NETLINK_DUMP_ANY, &all, &n_all), 0);
        assert_true(n_all > 3);
        for (size_t i = 0; i < n_all; i++)
                assert_int_equal(all[i].family, AF_INET);
}

static void test_addresses(void **state) {
        _cleanup_free_ KernelAddress *a = NULL, *every = NULL;
        size_t n = 0, n_every = 0;
        bool saw_secondary = false, saw_v6 = false, saw_loopback = false;

        REQUIRE_NETNS();
        assert_int_equal(address_add(AF_INET, "10.0.2.21", 32), 0);
        assert_int_equal(netlink_dump_addresses(test_ifindex, &a, &n), 0);
        assert_true(n >= 3);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(a[i].ifindex, test_ifindex);
                if (streq(a[i].address, "10.0.2.21")) {
                        saw_secondary = true;
                        assert_int_equal(a[i].prefixlen, 32);
                        assert_int_equal(a[i].family, AF_INET);
                }
                if (streq(a[i].address, "2001:db8:2::20")) {
                        saw_v6 = true;
                        assert_int_equal(a[i].prefixlen, 64);
                        assert_int_equal(a[i].scope, RT_SCOPE_UNIVERSE);
                }
        }
        assert_true(saw_secondary && saw_v6);
        /* lo's 127.0.0.1 is only in the dump of every link. */
        assert_int_equal(netlink_dump_addresses(0, &every, &n_every), 0);
        assert_true(n_every > n);
        for (size_t i = 0; i < n_every; i++)
                saw_loopback = saw_loopback || streq(every[i].address, "127.0.0.1");
        assert_true(saw_loopback);
}

static void test_links(void **state) {
        LinkInfo *links = NULL;
        size_t n = 0;
        bool saw_lo = false, saw_test = false;

        REQUIRE_NETNS();
        assert_int_equal(netlink_dump_links(&links, &n), 0);
        for (size_t i = 0; i < n; i++) {
                saw_lo = saw_lo || streq(links[i].ifname, "lo");
                if (links[i].ifindex == test_ifindex) {
                        saw_test = true;
                        assert_string_equal(links[i].ifname, "ec2t-dump0");
                        assert_int_equal(strlen(links[i].mac), 17);
                        assert_non_null(links[i].altnames);
                }
        }
        assert_true(saw_lo && saw_test);
        link_infos_free(links, n);
}

static void test_parsers_reject_malformed(void **state) {
        struct {
                struct nlmsghdr h;
                struct fib_rule_hdr frh;
                struct rtattr a;
                uint8_t data[4];
        } rule = {
                .h = { .nlmsg_len = sizeof rule, .nlmsg_type = RTM_NEWRULE },
                .frh = { .family = AF_INET, .src_len = 32 },
                .a = { .rta_len = RTA_LENGTH(3), .rta_type = FRA_SRC },  /* 3 bytes: not an address */
        };
        struct {
                struct nlmsghdr h;
                struct rtmsg rtm;
        } route = {
                .h = { .nlmsg_len = sizeof route, .nlmsg_type = RTM_NEWROUTE },
                .rtm = { .rtm_family = AF_INET, .rtm_dst_len = 24 },   /* a length without RTA_DST */
        };
        struct {
                struct nlmsghdr h;
                struct ifaddrmsg ifa;
        } addr = {
                .h = { .nlmsg_len = sizeof addr, .nlmsg_type = RTM_NEWADDR },
                .ifa = { .ifa_family = AF_INET, .ifa_index = 1 },       /* no address at all */
        };
        struct nlmsghdr short_rule = { .nlmsg_len = sizeof short_rule, .nlmsg_type = RTM_NEWRULE };
        KernelRule kr;
        KernelRoute kt;
        KernelAddress ka;

        assert_int_equal(kernel_rule_from_message(&rule.h, &kr), -EBADMSG);
        assert_int_equal(kernel_rule_from_message(&short_rule, &kr), -EBADMSG);
        assert_int_equal(kernel_route_from_message(&route.h, &kt), -EBADMSG);
        assert_int_equal(kernel_address_from_message(&addr.h, &ka), -EBADMSG);
        /* Another family is skipped, not an error. */
        rule.frh.family = AF_BRIDGE;
        assert_int_equal(kernel_rule_from_message(&rule.h, &kr), 0);
        route.h.nlmsg_type = RTM_NEWLINK;
        assert_int_equal(kernel_route_from_message(&route.h, &kt), 0);
}

static void test_route_covers(void **state) {
        KernelRoute r = { .family = AF_INET };

        snprintf(r.destination, sizeof r.destination, "0.0.0.0/0");
        assert_true(kernel_route_covers(&r, "169.254.169.254"));
        snprintf(r.destination, sizeof r.destination, "169.254.0.0/16");
        assert_true(kernel_route_covers(&r, "169.254.169.254"));
        snprintf(r.destination, sizeof r.destination, "169.254.169.0/25");
        assert_false(kernel_route_covers(&r, "169.254.169.254"));
        snprintf(r.destination, sizeof r.destination, "169.254.169.254/32");
        assert_true(kernel_route_covers(&r, "169.254.169.254"));
        assert_false(kernel_route_covers(&r, "not-an-address"));
        r.family = AF_INET6;
        snprintf(r.destination, sizeof r.destination, "fd00:ec2::/33");
        assert_true(kernel_route_covers(&r, "fd00:ec2::254"));
        assert_false(kernel_route_covers(&r, "fd00:ec3::254"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parsers_reject_malformed),
                cmocka_unit_test(test_route_covers),
                cmocka_unit_test(test_links),
                cmocka_unit_test(test_rules),
                cmocka_unit_test(test_routes),
                cmocka_unit_test(test_addresses),
        };

        if (geteuid() != 0)
                fprintf(stderr, "Not root: skipping the tests that need a network namespace.\n");
        else if (unshare(CLONE_NEWNET) < 0)
                fprintf(stderr, "unshare(CLONE_NEWNET) failed (%s): skipping.\n", strerror(errno));
        else if (link_create("ec2t-dump0", "dummy", NULL) < 0 &&
                 link_create("ec2t-dump0", "veth", "ec2t-dump1") < 0)
                fprintf(stderr, "Cannot create a dummy or veth link: skipping.\n");
        else {
                test_ifindex = (int) if_nametoindex("ec2t-dump0");
                netns_ready = test_ifindex > 0 && link_up("lo") >= 0;
        }
        return cmocka_run_group_tests(tests, NULL, NULL);
}
