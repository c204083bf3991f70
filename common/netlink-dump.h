/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Read-only dumps of the kernel's routing state over rtnetlink: policy rules, routes and
 * addresses, as `ip rule`, `ip route show table T` and `ip addr` show them (SPEC §2: no
 * program is run). For ec2-netctl, which compares them with what IMDS and the generated
 * files say; nothing here changes the kernel's state.
 *
 * Each dump is one request (retried a few times when a concurrent change interrupts it),
 * bounded by NETLINK_REQUEST_TIMEOUT_USEC. Filters are applied here, not by the kernel, so
 * they work the same on every kernel version. Results are arrays the caller frees.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netlink.h"
#include "validate.h"

/* "Any priority" / "any table" for the filters below. */
#define NETLINK_DUMP_ANY UINT32_MAX

typedef struct KernelRule {
        int family;                     /* AF_INET or AF_INET6 */
        uint32_t priority;
        uint32_t table;                 /* 0 when the rule does not look up a table */
        char from[CIDR_STR_MAX];        /* "" = from all; else ADDR/LEN (LEN always given) */
        char to[CIDR_STR_MAX];          /* "" = to all */
        char iif[IFNAMSIZ];             /* "" when not set */
        char oif[IFNAMSIZ];
        uint32_t fwmark;
        uint8_t protocol;               /* RTPROT_*: networkd's rules are "static" (4) */
        uint8_t action;                 /* FR_ACT_*: FR_ACT_TO_TBL is "lookup TABLE" */
        bool invert;                    /* "not" */
} KernelRule;

typedef struct KernelRoute {
        int family;
        uint32_t table;
        char destination[CIDR_STR_MAX]; /* ADDR/LEN; "0.0.0.0/0" or "::/0" for default */
        char gateway[IP_STR_MAX];       /* "" when none */
        char prefsrc[IP_STR_MAX];       /* "" when none */
        int oif;                        /* 0 when none */
        char oif_name[IFNAMSIZ];        /* its name at the time of the dump; "" unknown */
        uint32_t metric;
        uint8_t protocol;               /* RTPROT_* (dhcp 16, ra 9, static 4, kernel 2) */
        uint8_t type;                   /* RTN_* */
        uint8_t scope;
} KernelRoute;

typedef struct KernelAddress {
        int family;
        int ifindex;
        char address[IP_STR_MAX];
        unsigned prefixlen;
        uint8_t scope;                  /* RT_SCOPE_*: 0 universe (global), 253 link */
        uint32_t flags;                 /* IFA_F_* */
} KernelAddress;

/* Every link, as link_get_by_index() describes one, in the kernel's order. */
int netlink_dump_links(LinkInfo **ret, size_t *ret_n);
void link_infos_free(LinkInfo *links, size_t n);

/* Rules of family (AF_INET, AF_INET6, or AF_UNSPEC for both) at priority (or
 * NETLINK_DUMP_ANY), in the kernel's order. */
int netlink_dump_rules(int family, uint32_t priority, KernelRule **ret, size_t *ret_n);

/* Routes of family (AF_UNSPEC: IPv4 and IPv6) in table (or NETLINK_DUMP_ANY: every table,
 * local and main included). */
int netlink_dump_routes(int family, uint32_t table, KernelRoute **ret, size_t *ret_n);

/* Addresses of both families on ifindex (0: of every link). */
int netlink_dump_addresses(int ifindex, KernelAddress **ret, size_t *ret_n);

/* Parsers of one dump message each, exposed for tests. Return 1 with *ret filled, 0 for a
 * message of another type or family that the dump skips, -EBADMSG when malformed. */
int kernel_rule_from_message(const struct nlmsghdr *message, KernelRule *ret);
int kernel_route_from_message(const struct nlmsghdr *message, KernelRoute *ret);
int kernel_address_from_message(const struct nlmsghdr *message, KernelAddress *ret);

/* One line as `ip rule` / `ip route` print it ("10001: from 10.0.2.21 lookup 10001",
 * "default via 10.0.2.1 dev ens6 proto dhcp metric 513"; "dev ifN" when the name is not
 * known). Writes at most size bytes, NUL included. */
void kernel_rule_format(const KernelRule *rule, char *buf, size_t size);
void kernel_route_format(const KernelRoute *route, char *buf, size_t size);

/* Does the route's destination contain the address (a string of the route's family)? */
bool kernel_route_covers(const KernelRoute *route, const char *address);
/* Does ADDR/LEN of the family contain the address? */
bool cidr_contains(int family, const char *cidr, const char *address);
