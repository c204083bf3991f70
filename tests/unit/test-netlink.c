/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtnetlink module tests. They never touch the machine's links: as root, the test process
 * moves into a fresh, empty network namespace of its own (unshare(CLONE_NEWNET)) and creates
 * the links it needs there; without root (or without dummy/bridge and veth links) the tests
 * that need them are skipped and the binary exits 77, so that ctest reports it as skipped
 * instead of passed. No IP traffic is sent: the namespace has no route anywhere, and IPv6
 * addresses are added without DAD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "imds-routes.h"
#include "netlink.h"
#include "strv.h"
#include "time-util.h"

/* True once we are root inside a private network namespace. */
static bool netns_ready;
/* A kind of link that needs no peer: "dummy", or "bridge" on kernels built without dummy. */
static const char *plain_kind;
static bool have_veth;

/* Tests that could not run: cmocka counts a skip() as a pass in its exit status. */
static unsigned n_skipped;

#define REQUIRE_NETNS()                  \
        do {                             \
                if (!netns_ready) {      \
                        n_skipped++;     \
                        skip();          \
                }                        \
        } while (0)

#define REQUIRE_VETH()                   \
        do {                             \
                if (!netns_ready || !have_veth) { \
                        n_skipped++;     \
                        skip();          \
                }                        \
        } while (0)

static int request(NetlinkMessage *m) {
        _cleanup_close_ int fd = -1;
        int r;

        r = netlink_open(NULL, 0, &fd);
        if (r < 0)
                return r;
        return netlink_call(fd, m, NULL, NULL, usec_add(now_usec(), 5 * USEC_PER_SEC));
}

/* RTM_NEWLINK with IFLA_LINKINFO, like "ip link add NAME [up] type KIND [peer name PEER]". */
static int link_create(const char *name, const char *kind, const char *veth_peer, bool up) {
        struct ifinfomsg ifi = {
                .ifi_family = AF_UNSPEC,
                .ifi_flags = up ? IFF_UP : 0,
                .ifi_change = up ? IFF_UP : 0,
        };
        NetlinkMessage m;
        size_t linkinfo, data;
        int r;

        r = netlink_message_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
        if (r < 0)
                return r;
        r = netlink_message_append_string(&m, IFLA_IFNAME, name);
        if (r < 0)
                return r;
        r = netlink_message_open_nest(&m, IFLA_LINKINFO, &linkinfo);
        if (r < 0)
                return r;
        r = netlink_message_append_string(&m, IFLA_INFO_KIND, kind);
        if (r < 0)
                return r;
        if (veth_peer) {
                /* VETH_INFO_PEER holds a struct ifinfomsg followed by the peer's attributes. */
                uint8_t peer[NLMSG_ALIGN(sizeof(struct ifinfomsg)) + RTA_SPACE(IFNAMSIZ)] = {};
                struct rtattr *a = (struct rtattr *) (peer + NLMSG_ALIGN(sizeof(struct ifinfomsg)));

                assert_true(strlen(veth_peer) < IFNAMSIZ);
                a->rta_type = IFLA_IFNAME;
                a->rta_len = RTA_LENGTH(strlen(veth_peer) + 1);
                memcpy(RTA_DATA(a), veth_peer, strlen(veth_peer) + 1);

                r = netlink_message_open_nest(&m, IFLA_INFO_DATA, &data);
                if (r < 0)
                        return r;
                r = netlink_message_append(&m, VETH_INFO_PEER, peer,
                                           NLMSG_ALIGN(sizeof(struct ifinfomsg)) + RTA_ALIGN(a->rta_len));
                if (r < 0)
                        return r;
                netlink_message_close_nest(&m, data);
        }
        netlink_message_close_nest(&m, linkinfo);
        return request(&m);
}

static int link_delete(const char *name) {
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        NetlinkMessage m;
        int r;

        r = netlink_message_init(&m, RTM_DELLINK, 0, &ifi, sizeof(ifi));
        if (r < 0)
                return r;
        r = netlink_message_append_string(&m, IFLA_IFNAME, name);
        if (r < 0)
                return r;
        return request(&m);
}

/* An up link of plain_kind; returns its ifindex. */
static int plain_link_new(const char *name) {
        _cleanup_(link_info_done) LinkInfo info = {};

        assert_int_equal(link_create(name, plain_kind, NULL, true), 0);
        assert_int_equal(link_get_by_name(name, &info), 0);
        return info.ifindex;
}

/* RTM_NEWADDR, like "ip address add ADDRESS/PREFIXLEN dev IFINDEX [nodad]". */
static int address_add(int ifindex, const char *address, unsigned prefixlen, bool nodad) {
        int family = strchr(address, ':') ? AF_INET6 : AF_INET;
        struct ifaddrmsg ifa = {
                .ifa_family = family,
                .ifa_prefixlen = prefixlen,
                .ifa_flags = nodad ? IFA_F_NODAD : 0,
                .ifa_scope = RT_SCOPE_UNIVERSE,
                .ifa_index = ifindex,
        };
        uint8_t bytes[16];
        size_t size = family == AF_INET6 ? 16 : 4;
        NetlinkMessage m;
        int r;

        /* fe80::/10 and 169.254/16 are link scope, as "ip" would make them. */
        if (strncmp(address, "fe80:", 5) == 0 || strncmp(address, "169.254.", 8) == 0)
                ifa.ifa_scope = RT_SCOPE_LINK;
        assert_int_equal(inet_pton(family, address, bytes), 1);

        r = netlink_message_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
        if (r < 0)
                return r;
        r = netlink_message_append(&m, IFA_LOCAL, bytes, size);
        if (r < 0)
                return r;
        r = netlink_message_append(&m, IFA_ADDRESS, bytes, size);
        if (r < 0)
                return r;
        return request(&m);
}

static bool mac_is_well_formed(const char *s) {
        if (strlen(s) != 17)
                return false;
        for (size_t i = 0; i < 17; i++)
                if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char) s[i]) || isupper((unsigned char) s[i]))
                        return false;
        return true;
}

/* Something another thread does to the namespace after a delay, while the test waits. */
typedef enum DelayedActionKind {
        DELAYED_CREATE_LINK,
        DELAYED_DELETE_LINK,
        DELAYED_ADD_ALTNAME,
        DELAYED_ADD_ADDRESS,
} DelayedActionKind;

typedef struct DelayedAction {
        DelayedActionKind kind;
        uint64_t delay_usec;
        int ifindex;
        const char *name;    /* link to create/delete, altname or address to add */
        unsigned prefixlen;  /* of the address */
        pthread_t thread;
        int result;
} DelayedAction;

static void *delayed_action_run(void *userdata) {
        DelayedAction *a = userdata;

        (void) usleep(a->delay_usec);
        switch (a->kind) {
        case DELAYED_CREATE_LINK:
                a->result = link_create(a->name, plain_kind, NULL, true);
                break;
        case DELAYED_DELETE_LINK:
                a->result = link_delete(a->name);
                break;
        case DELAYED_ADD_ALTNAME:
                a->result = link_add_altname(a->ifindex, a->name);
                break;
        case DELAYED_ADD_ADDRESS:
                a->result = address_add(a->ifindex, a->name, a->prefixlen, false);
                break;
        }
        return NULL;
}

static void delayed_action_start(DelayedAction *a) {
        assert_int_equal(pthread_create(&a->thread, NULL, delayed_action_run, a), 0);
}

static int delayed_action_finish(DelayedAction *a) {
        assert_int_equal(pthread_join(a->thread, NULL), 0);
        return a->result;
}

static void test_get_by_name_and_index(void **state) {
        _cleanup_(link_info_done) LinkInfo by_name = {}, by_index = {}, lo = {};
        int ifindex;

        REQUIRE_NETNS();
        ifindex = plain_link_new("ec2t-get0");

        assert_int_equal(link_get_by_name("ec2t-get0", &by_name), 0);
        assert_int_equal(by_name.ifindex, ifindex);
        assert_string_equal(by_name.ifname, "ec2t-get0");
        assert_true(mac_is_well_formed(by_name.mac));
        assert_non_null(by_name.altnames);
        assert_null(by_name.altnames[0]);
        assert_true(by_name.up);

        assert_int_equal(link_get_by_index(ifindex, &by_index), 0);
        assert_int_equal(by_index.ifindex, ifindex);
        assert_string_equal(by_index.ifname, "ec2t-get0");
        assert_string_equal(by_index.mac, by_name.mac);
        assert_true(by_index.up);

        /* A fresh namespace's loopback: down, all-zero 6-byte address. */
        assert_int_equal(link_get_by_name("lo", &lo), 0);
        assert_string_equal(lo.mac, "00:00:00:00:00:00");
        assert_false(lo.up);

        assert_int_equal(link_delete("ec2t-get0"), 0);
}

static void test_missing_link(void **state) {
        LinkInfo info = { .ifindex = -42 };

        REQUIRE_NETNS();
        assert_int_equal(link_get_by_name("ec2t-missing", &info), -ENODEV);
        assert_int_equal(link_get_by_name("eni-0123456789abcdef0", &info), -ENODEV); /* > IFNAMSIZ */
        assert_int_equal(link_get_by_index(999999, &info), -ENODEV);
        assert_int_equal(info.ifindex, -42); /* untouched on failure */
        assert_null(info.altnames);

        assert_int_equal(link_get_by_name("", &info), -EINVAL);
        assert_int_equal(link_get_by_name(NULL, &info), -EINVAL);
        assert_int_equal(link_get_by_index(0, &info), -EINVAL);
        assert_int_equal(link_get_by_index(-1, &info), -EINVAL);
}

static void test_altnames(void **state) {
        _cleanup_(link_info_done) LinkInfo info = {}, by_altname = {}, by_short = {}, by_longest = {};
        char longest[LINK_ALTNAME_MAX + 1];
        int a, b;

        REQUIRE_NETNS();
        a = plain_link_new("ec2t-alt0");
        b = plain_link_new("ec2t-alt1");

        assert_int_equal(link_add_altname(a, "eni-0123456789abcdef0"), 1);
        assert_int_equal(link_add_altname(a, "eni-0123456789abcdef0"), 0);
        assert_int_equal(link_add_altname(b, "eni-0123456789abcdef0"), -EEXIST);
        /* Names are shared with primary names. */
        assert_int_equal(link_add_altname(a, "ec2t-alt0"), 0);
        assert_int_equal(link_add_altname(b, "ec2t-alt0"), -EEXIST);
        /* Short enough for IFLA_IFNAME, which finds altnames too. */
        assert_int_equal(link_add_altname(a, "device-number-1"), 1);
        assert_int_equal(link_add_altname(a, "device-number-1"), 0);
        assert_int_equal(link_add_altname(b, "device-number-1"), -EEXIST);

        memset(longest, 'x', LINK_ALTNAME_MAX);
        longest[LINK_ALTNAME_MAX] = '\0';
        assert_int_equal(link_add_altname(b, longest), 1);

        assert_int_equal(link_get_by_index(a, &info), 0);
        assert_int_equal(strv_length(info.altnames), 2);
        assert_true(strv_contains(info.altnames, "eni-0123456789abcdef0"));
        assert_true(strv_contains(info.altnames, "device-number-1"));

        assert_int_equal(link_get_by_name("eni-0123456789abcdef0", &by_altname), 0);
        assert_int_equal(by_altname.ifindex, a);
        assert_string_equal(by_altname.ifname, "ec2t-alt0");
        assert_int_equal(link_get_by_name("device-number-1", &by_short), 0);
        assert_int_equal(by_short.ifindex, a);
        assert_int_equal(link_get_by_name(longest, &by_longest), 0);
        assert_int_equal(by_longest.ifindex, b);
        assert_string_equal(by_longest.altnames[0], longest);

        assert_int_equal(link_delete("ec2t-alt0"), 0);
        assert_int_equal(link_delete("ec2t-alt1"), 0);
        /* Altnames go with their link. */
        assert_int_equal(link_get_by_name("eni-0123456789abcdef0", &info), -ENODEV);
}

static void test_altname_invalid(void **state) {
        char too_long[LINK_ALTNAME_MAX + 2];
        const char *invalid[] = {
                "", ".", "..", "a/b", "a:b", "a b", "a\tb", "a\nb", "caf\xc3\xa9", "del\x7f", too_long,
        };

        memset(too_long, 'x', sizeof(too_long) - 1);
        too_long[sizeof(too_long) - 1] = '\0';

        /* No namespace needed: the names are refused before any syscall, which the missing
         * link proves (it would make the kernel answer -ENODEV). */
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++) {
                assert_false(link_altname_is_valid(invalid[i]));
                assert_int_equal(link_add_altname(999999, invalid[i]), -EINVAL);
        }
        assert_false(link_altname_is_valid(NULL));
        assert_int_equal(link_add_altname(999999, NULL), -EINVAL);
        assert_int_equal(link_add_altname(0, "eni-0123456789abcdef0"), -EINVAL);

        assert_true(link_altname_is_valid("eni-0123456789abcdef0"));
        assert_true(link_altname_is_valid("device-number-1.0"));
        assert_true(link_altname_is_valid("..."));
        too_long[LINK_ALTNAME_MAX] = '\0';
        assert_true(link_altname_is_valid(too_long));

        if (netns_ready)
                assert_int_equal(link_add_altname(999999, "eni-0123456789abcdef0"), -ENODEV);
}

static void test_addresses(void **state) {
        LinkAddresses a = { .has_global_ipv4 = true }, b;
        int ifindex, other;

        REQUIRE_NETNS();
        ifindex = plain_link_new("ec2t-addr0");
        other = plain_link_new("ec2t-addr1");

        /* An up link gets an IPv6 link-local address on its own: not global. */
        assert_int_equal(link_get_addresses(ifindex, &a), 0);
        assert_false(a.has_global_ipv4);
        assert_false(a.has_global_ipv6);

        assert_int_equal(address_add(ifindex, "169.254.10.20", 16, false), 0);
        assert_int_equal(link_get_addresses(ifindex, &a), 0);
        assert_false(a.has_global_ipv4);
        assert_false(a.has_global_ipv6);

        assert_int_equal(address_add(ifindex, "fe80::1234", 64, true), 0);
        assert_int_equal(link_get_addresses(ifindex, &a), 0);
        assert_false(a.has_global_ipv6);

        /* A secondary /32 is an IPv4 address, but routes nothing: IMDS cannot be reached
         * through the link with it alone. */
        assert_int_equal(address_add(ifindex, "192.0.2.11", 32, false), 0);
        assert_int_equal(link_get_addresses(ifindex, &a), 0);
        assert_true(a.has_global_ipv4);
        assert_false(a.has_subnet_ipv4);

        assert_int_equal(address_add(ifindex, "192.0.2.10", 24, false), 0);
        assert_int_equal(link_get_addresses(ifindex, &a), 0);
        assert_true(a.has_global_ipv4);
        assert_true(a.has_subnet_ipv4);
        assert_false(a.has_global_ipv6);

        assert_int_equal(address_add(ifindex, "2001:db8::10", 64, true), 0);
        assert_int_equal(link_get_addresses(ifindex, &a), 0);
        assert_true(a.has_global_ipv4);
        assert_true(a.has_global_ipv6);

        /* Only this link's addresses count. */
        assert_int_equal(link_get_addresses(other, &b), 0);
        assert_false(b.has_global_ipv4);
        assert_false(b.has_global_ipv6);

        assert_int_equal(link_get_addresses(0, &b), -EINVAL);

        assert_int_equal(link_delete("ec2t-addr0"), 0);
        assert_int_equal(link_delete("ec2t-addr1"), 0);
}

/* IMDS routes (SPEC §3): the interfaces the requests are for, then the default route, then
 * other ENIs; an interface only with an address that routes its subnet. */
static void test_imds_routes(void **state) {
        char *own[] = { (char *) "ec2t-rt0", NULL }, *others[] = { (char *) "ec2t-rt1", (char *) "ec2t-rt2", NULL };
        _cleanup_strv_free_ char **routes = NULL, **none = NULL;
        int rt0, rt1;

        REQUIRE_NETNS();
        rt0 = plain_link_new("ec2t-rt0");
        rt1 = plain_link_new("ec2t-rt1");
        (void) plain_link_new("ec2t-rt2");

        /* Nothing usable yet: only the default route. */
        assert_int_equal(imds_routes_build(own, others, &none), 0);
        assert_int_equal(strv_length(none), 1);
        assert_string_equal(none[0], "");

        /* rt0 holds only a secondary /32; rt1 its subnet's address; rt2 nothing. */
        assert_int_equal(address_add(rt0, "192.0.2.11", 32, false), 0);
        assert_int_equal(address_add(rt1, "198.51.100.10", 24, false), 0);
        assert_int_equal(imds_routes_build(own, others, &routes), 0);
        assert_int_equal(strv_length(routes), 2);
        assert_string_equal(routes[0], "");
        assert_string_equal(routes[1], "ec2t-rt1");
        routes = strv_free(routes);

        assert_int_equal(address_add(rt0, "192.0.2.10", 24, false), 0);
        assert_int_equal(imds_routes_build(own, others, &routes), 0);
        assert_int_equal(strv_length(routes), 3);
        assert_string_equal(routes[0], "ec2t-rt0");
        assert_string_equal(routes[1], "");
        assert_string_equal(routes[2], "ec2t-rt1");
        routes = strv_free(routes);

        /* Either list may be missing. */
        assert_int_equal(imds_routes_build(NULL, own, &routes), 0);
        assert_int_equal(strv_length(routes), 2);
        assert_string_equal(routes[0], "");
        assert_string_equal(routes[1], "ec2t-rt0");

        assert_int_equal(link_delete("ec2t-rt0"), 0);
        assert_int_equal(link_delete("ec2t-rt1"), 0);
        assert_int_equal(link_delete("ec2t-rt2"), 0);
}

static void test_addresses_tentative(void **state) {
        _cleanup_(link_info_done) LinkInfo info = {};
        LinkAddresses a;

        REQUIRE_VETH();
        /* Up, but without carrier (its peer is down): duplicate address detection cannot
         * run, so an address added with DAD stays tentative and must not count. */
        assert_int_equal(link_create("ec2t-tent0", "veth", "ec2t-tent1", true), 0);
        assert_int_equal(link_get_by_name("ec2t-tent0", &info), 0);

        assert_int_equal(address_add(info.ifindex, "2001:db8:1::1", 64, false), 0);
        assert_int_equal(link_get_addresses(info.ifindex, &a), 0);
        assert_false(a.has_global_ipv6);

        assert_int_equal(address_add(info.ifindex, "2001:db8:1::2", 64, true), 0);
        assert_int_equal(link_get_addresses(info.ifindex, &a), 0);
        assert_true(a.has_global_ipv6);

        assert_int_equal(link_delete("ec2t-tent0"), 0);
}

static void test_wait_for_name(void **state) {
        const uint64_t timeout = 300 * USEC_PER_MSEC;
        LinkInfo untouched = { .ifindex = -42 };
        uint64_t start, elapsed;
        int ifindex;

        REQUIRE_NETNS();

        /* Exists already. */
        {
                _cleanup_(link_info_done) LinkInfo info = {};

                assert_int_equal(link_wait_for_name("lo", now_usec() + USEC_PER_SEC, &info), 1);
                assert_int_equal(info.ifindex, 1);
        }

        /* Created by another thread while we wait. */
        {
                _cleanup_(link_info_done) LinkInfo info = {};
                DelayedAction create = {
                        .kind = DELAYED_CREATE_LINK,
                        .delay_usec = 150 * USEC_PER_MSEC,
                        .name = "ec2t-late0",
                };

                start = now_usec();
                delayed_action_start(&create);
                assert_int_equal(link_wait_for_name("ec2t-late0", start + 5 * USEC_PER_SEC, &info), 1);
                assert_int_equal(delayed_action_finish(&create), 0);
                assert_true(now_usec() - start < 2 * USEC_PER_SEC);
                assert_string_equal(info.ifname, "ec2t-late0");
                assert_true(info.ifindex > 0);
                ifindex = info.ifindex;
        }

        /* An altname given to an existing link while we wait. */
        {
                _cleanup_(link_info_done) LinkInfo info = {};
                DelayedAction altname = {
                        .kind = DELAYED_ADD_ALTNAME,
                        .delay_usec = 150 * USEC_PER_MSEC,
                        .ifindex = ifindex,
                        .name = "eni-0fedcba9876543210",
                };

                start = now_usec();
                delayed_action_start(&altname);
                assert_int_equal(link_wait_for_name("eni-0fedcba9876543210", start + 5 * USEC_PER_SEC, &info), 1);
                assert_int_equal(delayed_action_finish(&altname), 1);
                assert_true(now_usec() - start < 2 * USEC_PER_SEC);
                assert_int_equal(info.ifindex, ifindex);
        }

        /* Never comes: the deadline is honoured and ret left alone. */
        start = now_usec();
        assert_int_equal(link_wait_for_name("ec2t-never0", start + timeout, &untouched), 0);
        elapsed = now_usec() - start;
        assert_true(elapsed >= timeout);
        assert_true(elapsed < timeout + 200 * USEC_PER_MSEC);
        assert_int_equal(untouched.ifindex, -42);
        assert_null(untouched.altnames);

        assert_int_equal(link_wait_for_name("", now_usec(), &untouched), -EINVAL);
        assert_int_equal(link_delete("ec2t-late0"), 0);
}

/* The seed's wait for the bootstrap ENI's DHCP address: woken by the kernel, not polling;
 * a secondary /32 does not end it. */
static void test_wait_for_subnet_ipv4(void **state) {
        const uint64_t timeout = 300 * USEC_PER_MSEC;
        LinkAddresses a = {};
        uint64_t start, elapsed;
        int ifindex;

        REQUIRE_NETNS();
        ifindex = plain_link_new("ec2t-wait0");
        assert_int_equal(address_add(ifindex, "192.0.2.11", 32, false), 0);

        /* Only the /32: the deadline passes, and what the link has is told. */
        start = now_usec();
        assert_int_equal(link_wait_for_subnet_ipv4(ifindex, start + timeout, &a), 0);
        elapsed = now_usec() - start;
        assert_true(elapsed >= timeout);
        assert_true(elapsed < timeout + 200 * USEC_PER_MSEC);
        assert_true(a.has_global_ipv4);
        assert_false(a.has_subnet_ipv4);

        /* The subnet's address comes while it waits (a /32 of another link before it). */
        {
                DelayedAction other = {
                        .kind = DELAYED_ADD_ADDRESS,
                        .delay_usec = 50 * USEC_PER_MSEC,
                        .ifindex = 1,
                        .name = "127.0.0.9",
                        .prefixlen = 32,
                }, add = {
                        .kind = DELAYED_ADD_ADDRESS,
                        .delay_usec = 150 * USEC_PER_MSEC,
                        .ifindex = ifindex,
                        .name = "192.0.2.10",
                        .prefixlen = 24,
                };

                start = now_usec();
                delayed_action_start(&other);
                delayed_action_start(&add);
                assert_int_equal(link_wait_for_subnet_ipv4(ifindex, start + 5 * USEC_PER_SEC, &a), 1);
                elapsed = now_usec() - start;
                assert_int_equal(delayed_action_finish(&other), 0);
                assert_int_equal(delayed_action_finish(&add), 0);
                assert_true(elapsed >= 150 * USEC_PER_MSEC);
                assert_true(elapsed < 2 * USEC_PER_SEC);
                assert_true(a.has_subnet_ipv4);
        }

        /* There already: at once. */
        start = now_usec();
        assert_int_equal(link_wait_for_subnet_ipv4(ifindex, start + 5 * USEC_PER_SEC, NULL), 1);
        assert_true(now_usec() - start < 100 * USEC_PER_MSEC);

        assert_int_equal(link_wait_for_subnet_ipv4(0, now_usec(), &a), -EINVAL);
        assert_int_equal(link_delete("ec2t-wait0"), 0);
}

static void test_get_driver(void **state) {
        char driver[32], small[4] = "abc";
        int ifindex;

        REQUIRE_NETNS();
        ifindex = plain_link_new("ec2t-drv0");
        assert_int_equal(link_get_driver("ec2t-drv0", driver, sizeof(driver)), 0);
        assert_string_equal(driver, plain_kind); /* dummy and bridge report their kind */

        /* Names longer than IFNAMSIZ (altnames) are resolved first. */
        assert_int_equal(link_add_altname(ifindex, "eni-00000000000000001"), 1);
        assert_int_equal(link_get_driver("eni-00000000000000001", driver, sizeof(driver)), 0);
        assert_string_equal(driver, plain_kind);

        /* Too small for the name: an error and nothing written, never a truncated name. */
        assert_int_equal(link_get_driver("ec2t-drv0", small, 3), -ENOBUFS);
        assert_string_equal(small, "abc");

        assert_int_equal(link_get_driver("ec2t-nodrv", driver, sizeof(driver)), -ENODEV);
        assert_int_equal(link_get_driver("ec2t-drv0", driver, 0), -EINVAL);
        assert_int_equal(link_delete("ec2t-drv0"), 0);

        if (have_veth) {
                assert_int_equal(link_create("ec2t-veth0", "veth", "ec2t-veth1", false), 0);
                assert_int_equal(link_get_driver("ec2t-veth0", driver, sizeof(driver)), 0);
                assert_string_equal(driver, "veth");
                assert_int_equal(link_get_driver("ec2t-veth1", driver, sizeof(driver)), 0);
                assert_string_equal(driver, "veth");
                assert_int_equal(link_delete("ec2t-veth0"), 0);
        }
}

/* Messages as the kernel would send them, built with the request builder, then damaged. */
static void newlink_message(NetlinkMessage *m, int ifindex) {
        struct ifinfomsg ifi = {
                .ifi_family = AF_UNSPEC,
                .ifi_index = ifindex,
                .ifi_flags = IFF_UP,
        };

        assert_int_equal(netlink_message_init(m, RTM_NEWLINK, 0, &ifi, sizeof(ifi)), 0);
}

static struct rtattr *attribute_at(NetlinkMessage *m, size_t offset) {
        return (struct rtattr *) (m->buffer + offset);
}

static void test_parse_link_message(void **state) {
        static const uint8_t mac[6] = { 0x0A, 0xBC, 0x00, 0xff, 0x12, 0x9e };
        static const uint8_t ipip[4] = { 192, 0, 2, 1 };
        _cleanup_(link_info_done) LinkInfo info = {};
        LinkInfo untouched = { .ifindex = -42 };
        NetlinkMessage m;
        size_t nest, offset;

        newlink_message(&m, 7);
        assert_int_equal(netlink_message_append_string(&m, IFLA_IFNAME, "eth7"), 0);
        assert_int_equal(netlink_message_append(&m, IFLA_ADDRESS, mac, sizeof(mac)), 0);
        assert_int_equal(netlink_message_open_nest(&m, IFLA_PROP_LIST, &nest), 0);
        assert_int_equal(netlink_message_append_string(&m, IFLA_ALT_IFNAME, "eni-0123456789abcdef0"), 0);
        assert_int_equal(netlink_message_append_string(&m, IFLA_ALT_IFNAME, "device-number-1"), 0);
        netlink_message_close_nest(&m, nest);
        assert_int_equal(link_info_from_message(&m.header, &info), 0);
        assert_int_equal(info.ifindex, 7);
        assert_string_equal(info.ifname, "eth7");
        assert_string_equal(info.mac, "0a:bc:00:ff:12:9e");
        assert_true(info.up);
        assert_int_equal(strv_length(info.altnames), 2);
        assert_string_equal(info.altnames[0], "eni-0123456789abcdef0");
        assert_string_equal(info.altnames[1], "device-number-1");
        link_info_done(&info);

        /* A 4-byte hardware address (ipip) is no MAC; no altnames is an empty vector. */
        newlink_message(&m, 8);
        assert_int_equal(netlink_message_append_string(&m, IFLA_IFNAME, "tunl0"), 0);
        assert_int_equal(netlink_message_append(&m, IFLA_ADDRESS, ipip, sizeof(ipip)), 0);
        assert_int_equal(link_info_from_message(&m.header, &info), 0);
        assert_string_equal(info.mac, "");
        assert_non_null(info.altnames);
        assert_null(info.altnames[0]);

        /* No name. */
        newlink_message(&m, 9);
        assert_int_equal(netlink_message_append(&m, IFLA_ADDRESS, mac, sizeof(mac)), 0);
        assert_int_equal(link_info_from_message(&m.header, &untouched), -EBADMSG);

        /* Name without NUL, empty, too long for IFNAMSIZ. */
        newlink_message(&m, 9);
        assert_int_equal(netlink_message_append(&m, IFLA_IFNAME, "eth9", 4), 0);
        assert_int_equal(link_info_from_message(&m.header, &untouched), -EBADMSG);
        newlink_message(&m, 9);
        assert_int_equal(netlink_message_append_string(&m, IFLA_IFNAME, ""), 0);
        assert_int_equal(link_info_from_message(&m.header, &untouched), -EBADMSG);
        newlink_message(&m, 9);
        assert_int_equal(netlink_message_append_string(&m, IFLA_IFNAME, "sixteen-chars-xx"), 0);
        assert_int_equal(link_info_from_message(&m.header, &untouched), -EBADMSG);

        /* An attribute claiming more than the message holds, or less than its own header. */
        newlink_message(&m, 9);
        offset = NLMSG_ALIGN(m.header.nlmsg_len);
        assert_int_equal(netlink_message_append_string(&m, IFLA_IFNAME, "eth9"), 0);
        attribute_at(&m, offset)->rta_len = 200;
        assert_int_equal(link_info_from_message(&m.header, &untouched), -EBADMSG);
        attribute_at(&m, offset)->rta_len = 2;
        assert_int_equal(link_info_from_message(&m.header, &untouched), -EBADMSG);

        /* Altname without NUL, altname too long, truncated attribute inside the list. */
        newlink_message(&m, 9);
        assert_int_equal(netlink_message_append_string(&m, IFLA_IFNAME, "eth9"), 0);
        assert_int_equal(netlink_message_open_nest(&m, IFLA_PROP_LIST, &nest), 0);
        assert_int_equal(netlink_message_append(&m, IFLA_ALT_IFNAME, "eni-x", 5), 0);
        netlink_message_close_nest(&m, nest);
        assert_int_equal(link_info_from_message(&m.header, &untouched), -EBADMSG);

        {
                char long_name[200];

                memset(long_name, 'x', sizeof(long_name) - 1);
                long_name[sizeof(long_name) - 1] = '\0';
                newlink_message(&m, 9);
                assert_int_equal(netlink_message_append_string(&m, IFLA_IFNAME, "eth9"), 0);
                assert_int_equal(netlink_message_open_nest(&m, IFLA_PROP_LIST, &nest), 0);
                assert_int_equal(netlink_message_append_string(&m, IFLA_ALT_IFNAME, long_name), 0);
                netlink_message_close_nest(&m, nest);
                assert_int_equal(link_info_from_message(&m.header, &untouched), -EBADMSG);
        }

        newlink_message(&m, 9);
        assert_int_equal(netlink_message_append_string(&m, IFLA_IFNAME, "eth9"), 0);
        assert_int_equal(netlink_message_open_nest(&m, IFLA_PROP_LIST, &nest), 0);
        offset = NLMSG_ALIGN(m.header.nlmsg_len);
        assert_int_equal(netlink_message_append_string(&m, IFLA_ALT_IFNAME, "eni-1"), 0);
        netlink_message_close_nest(&m, nest);
        attribute_at(&m, offset)->rta_len = 64;
        assert_int_equal(link_info_from_message(&m.header, &untouched), -EBADMSG);

        /* Too short for its family header; wrong type; no index. */
        newlink_message(&m, 9);
        m.header.nlmsg_len = NLMSG_LENGTH(4);
        assert_int_equal(link_info_from_message(&m.header, &untouched), -EBADMSG);
        newlink_message(&m, 9);
        assert_int_equal(netlink_message_append_string(&m, IFLA_IFNAME, "eth9"), 0);
        m.header.nlmsg_type = RTM_NEWADDR;
        assert_int_equal(link_info_from_message(&m.header, &untouched), -EBADMSG);
        newlink_message(&m, 0);
        assert_int_equal(netlink_message_append_string(&m, IFLA_IFNAME, "eth9"), 0);
        assert_int_equal(link_info_from_message(&m.header, &untouched), -EBADMSG);

        assert_int_equal(untouched.ifindex, -42);
        assert_null(untouched.altnames);
}

static void newaddr_message(NetlinkMessage *m, int family, int ifindex, uint8_t scope, uint8_t flags) {
        struct ifaddrmsg ifa = {
                .ifa_family = family,
                .ifa_prefixlen = family == AF_INET ? 24 : 64,
                .ifa_flags = flags,
                .ifa_scope = scope,
                .ifa_index = ifindex,
        };

        assert_int_equal(netlink_message_init(m, RTM_NEWADDR, 0, &ifa, sizeof(ifa)), 0);
}

static void test_parse_address_message(void **state) {
        static const uint8_t v4[4] = { 192, 0, 2, 1 }, v4_ll[4] = { 169, 254, 169, 254 },
                             v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
        LinkAddresses a = {};
        NetlinkMessage m;

        newaddr_message(&m, AF_INET, 3, RT_SCOPE_UNIVERSE, 0);
        assert_int_equal(netlink_message_append(&m, IFA_LOCAL, v4, sizeof(v4)), 0);
        assert_int_equal(link_addresses_add_message(&a, 4, &m.header), 0); /* another link */
        assert_false(a.has_global_ipv4);
        assert_int_equal(link_addresses_add_message(&a, 3, &m.header), 1);
        assert_true(a.has_global_ipv4);
        assert_true(a.has_subnet_ipv4);

        /* Without its subnet's route: noprefixroute (in IFA_FLAGS), or a host address. */
        a = (LinkAddresses) {};
        newaddr_message(&m, AF_INET, 3, RT_SCOPE_UNIVERSE, 0);
        assert_int_equal(netlink_message_append(&m, IFA_LOCAL, v4, sizeof(v4)), 0);
        assert_int_equal(netlink_message_append_u32(&m, IFA_FLAGS, IFA_F_NOPREFIXROUTE), 0);
        assert_int_equal(link_addresses_add_message(&a, 3, &m.header), 1);
        newaddr_message(&m, AF_INET, 3, RT_SCOPE_UNIVERSE, 0);
        ((struct ifaddrmsg *) NLMSG_DATA(&m.header))->ifa_prefixlen = 32;
        assert_int_equal(netlink_message_append(&m, IFA_LOCAL, v4, sizeof(v4)), 0);
        assert_int_equal(link_addresses_add_message(&a, 3, &m.header), 1);
        assert_true(a.has_global_ipv4);
        assert_false(a.has_subnet_ipv4);

        a = (LinkAddresses) {};
        newaddr_message(&m, AF_INET, 3, RT_SCOPE_LINK, 0);
        assert_int_equal(netlink_message_append(&m, IFA_ADDRESS, v4_ll, sizeof(v4_ll)), 0);
        assert_int_equal(link_addresses_add_message(&a, 3, &m.header), 1);
        assert_false(a.has_global_ipv4);
        assert_false(a.has_subnet_ipv4);

        /* Wrong sizes. */
        newaddr_message(&m, AF_INET, 3, RT_SCOPE_UNIVERSE, 0);
        assert_int_equal(netlink_message_append(&m, IFA_LOCAL, v4, 3), 0);
        assert_int_equal(link_addresses_add_message(&a, 3, &m.header), -EBADMSG);
        newaddr_message(&m, AF_INET, 3, RT_SCOPE_UNIVERSE, 0);
        assert_int_equal(link_addresses_add_message(&a, 3, &m.header), -EBADMSG); /* no address */
        newaddr_message(&m, AF_INET6, 3, RT_SCOPE_UNIVERSE, 0);
        assert_int_equal(netlink_message_append(&m, IFA_ADDRESS, v6, sizeof(v6)), 0);
        assert_int_equal(netlink_message_append(&m, IFA_FLAGS, "ab", 2), 0);
        assert_int_equal(link_addresses_add_message(&a, 3, &m.header), -EBADMSG);

        /* IPv6: tentative (in IFA_FLAGS or ifa_flags), failed, link scope do not count. */
        a = (LinkAddresses) {};
        newaddr_message(&m, AF_INET6, 3, RT_SCOPE_UNIVERSE, 0);
        assert_int_equal(netlink_message_append(&m, IFA_ADDRESS, v6, sizeof(v6)), 0);
        assert_int_equal(netlink_message_append_u32(&m, IFA_FLAGS, IFA_F_TENTATIVE | IFA_F_NODAD), 0);
        assert_int_equal(link_addresses_add_message(&a, 3, &m.header), 1);
        newaddr_message(&m, AF_INET6, 3, RT_SCOPE_UNIVERSE, IFA_F_DADFAILED);
        assert_int_equal(netlink_message_append(&m, IFA_ADDRESS, v6, sizeof(v6)), 0);
        assert_int_equal(link_addresses_add_message(&a, 3, &m.header), 1);
        newaddr_message(&m, AF_INET6, 3, RT_SCOPE_LINK, 0);
        assert_int_equal(netlink_message_append(&m, IFA_ADDRESS, v6, sizeof(v6)), 0);
        assert_int_equal(link_addresses_add_message(&a, 3, &m.header), 1);
        assert_false(a.has_global_ipv6);

        newaddr_message(&m, AF_INET6, 3, RT_SCOPE_UNIVERSE, 0);
        assert_int_equal(netlink_message_append(&m, IFA_ADDRESS, v6, sizeof(v6)), 0);
        assert_int_equal(netlink_message_append_u32(&m, IFA_FLAGS, IFA_F_NODAD | IFA_F_PERMANENT), 0);
        assert_int_equal(link_addresses_add_message(&a, 3, &m.header), 1);
        assert_true(a.has_global_ipv6);
        assert_false(a.has_global_ipv4);

        /* Truncated header. */
        newaddr_message(&m, AF_INET, 3, RT_SCOPE_UNIVERSE, 0);
        m.header.nlmsg_len = NLMSG_LENGTH(4);
        assert_int_equal(link_addresses_add_message(&a, 3, &m.header), -EBADMSG);
}

static void test_message_builder_bounds(void **state) {
        static const uint8_t big[NETLINK_MESSAGE_SIZE_MAX] = {};
        struct ifinfomsg ifi = {};
        NetlinkMessage m;
        size_t nest;

        assert_int_equal(netlink_message_init(&m, RTM_GETLINK, 0, &ifi, sizeof(ifi)), 0);
        assert_int_equal(m.header.nlmsg_flags, NLM_F_REQUEST);
        assert_int_equal(netlink_message_append(&m, IFLA_IFNAME, big, sizeof(big)), -ENOBUFS);
        assert_int_equal(netlink_message_append(&m, IFLA_IFNAME, big, sizeof(big) - 100), 0);
        assert_int_equal(netlink_message_append(&m, IFLA_IFNAME, big, 100), -ENOBUFS);
        assert_int_equal(netlink_message_open_nest(&m, IFLA_PROP_LIST, &nest), 0);
        assert_true(m.header.nlmsg_len <= sizeof(m.buffer));
        assert_int_equal(netlink_message_init(&m, RTM_GETLINK, 0, big, sizeof(big)), -ENOBUFS);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_message_builder_bounds),
                cmocka_unit_test(test_parse_link_message),
                cmocka_unit_test(test_parse_address_message),
                cmocka_unit_test(test_altname_invalid),
                cmocka_unit_test(test_get_by_name_and_index),
                cmocka_unit_test(test_missing_link),
                cmocka_unit_test(test_altnames),
                cmocka_unit_test(test_addresses),
                cmocka_unit_test(test_imds_routes),
                cmocka_unit_test(test_wait_for_subnet_ipv4),
                cmocka_unit_test(test_addresses_tentative),
                cmocka_unit_test(test_wait_for_name),
                cmocka_unit_test(test_get_driver),
        };

        /* Only ever in a namespace of our own: the machine's links are not ours to touch. */
        if (geteuid() != 0)
                fprintf(stderr, "Not root: skipping the tests that need a network namespace.\n");
        else if (unshare(CLONE_NEWNET) < 0)
                fprintf(stderr, "unshare(CLONE_NEWNET) failed (%s): skipping the tests that need it.\n",
                        strerror(errno));
        else {
                /* Kernels are built without dummy at times; a port-less bridge serves as well. */
                if (link_create("ec2t-probe0", "dummy", NULL, false) >= 0)
                        plain_kind = "dummy";
                else if (link_create("ec2t-probe0", "bridge", NULL, false) >= 0)
                        plain_kind = "bridge";
                if (plain_kind) {
                        netns_ready = link_delete("ec2t-probe0") >= 0;
                        have_veth = link_create("ec2t-probe0", "veth", "ec2t-probe1", false) >= 0 &&
                                    link_delete("ec2t-probe0") >= 0;
                } else
                        fprintf(stderr, "Cannot create dummy or bridge links: skipping.\n");
                if (netns_ready)
                        fprintf(stderr, "In a private network namespace; links of kind %s%s.\n",
                                plain_kind, have_veth ? " and veth" : "");
        }

        int failed = cmocka_run_group_tests(tests, NULL, NULL);

        if (failed == 0 && n_skipped > 0) {
                fprintf(stderr, "%u test(s) skipped: reporting the whole binary as skipped (77).\n", n_skipped);
                return 77;
        }
        return failed;
}
