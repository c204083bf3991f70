/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * rtnetlink: links, altnames and addresses, over a raw AF_NETLINK/NETLINK_ROUTE socket.
 *
 * SPEC §2: no program is executed (no `ip`), kernel state is read and changed over
 * rtnetlink. SPEC §8: every wait is bounded by a deadline on CLOCK_MONOTONIC (now_usec()).
 * Everything read from the kernel is bounds-checked before use.
 *
 * All functions return a negative errno on failure and write their ret_* output only on
 * success. The library never logs above debug.
 */

#include <linux/netlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "time-util.h"

/* Altnames are limited by the kernel to ALTIFNAMSIZ (128) bytes with the NUL. */
#define LINK_ALTNAME_MAX 127

/* How long a single request/reply exchange with the kernel may take. The kernel answers
 * rtnetlink requests synchronously, so this only matters if something is badly wrong. */
#define NETLINK_REQUEST_TIMEOUT_USEC (5 * USEC_PER_SEC)

typedef struct LinkInfo {
        int ifindex;
        char ifname[IFNAMSIZ];
        char mac[18];        /* lower-case "aa:bb:cc:dd:ee:ff"; "" when the link has no 6-byte address */
        char **altnames;     /* NULL-terminated, never NULL on success (may be empty) */
        bool up;             /* IFF_UP */
} LinkInfo;

/* Frees altnames; accepts a zeroed struct. Usable as _cleanup_(link_info_done). */
void link_info_done(LinkInfo *info);

/* RTM_GETLINK by name: IFLA_IFNAME, or IFLA_ALT_IFNAME when the name does not fit in
 * IFNAMSIZ (the kernel finds altnames by either). -ENODEV when there is no such link. */
int link_get_by_name(const char *ifname, LinkInfo *ret);
int link_get_by_index(int ifindex, LinkInfo *ret);

/* What the kernel accepts as an altname (dev_valid_name()), restricted to printable ASCII:
 * 1..127 bytes, no '/', ':' or whitespace, not "." or "..". */
bool link_altname_is_valid(const char *altname);

/* RTM_NEWLINKPROP. Returns 1 when added, 0 when this link already has the name (as an
 * altname or as its name), -EEXIST when another link has it, -EINVAL for an invalid name
 * (checked before any syscall), other -errno. */
int link_add_altname(int ifindex, const char *altname);

typedef struct LinkAddresses {
        bool has_global_ipv4;     /* an IPv4 address outside 169.254.0.0/16 (SPEC §4 "subnet has IPv4") */
        bool has_subnet_ipv4;     /* one of those that brings its subnet's route (the address DHCP
                                   * gives): not a /32, not noprefixroute (secondary addresses) */
        bool has_global_ipv6;     /* an IPv6 address with scope global (not tentative/dadfailed) */
} LinkAddresses;

/* RTM_GETADDR dump for both families, filtered to ifindex. Does not check that the link
 * exists: a missing link simply has no addresses. */
int link_get_addresses(int ifindex, LinkAddresses *ret);

/* Waits until a link with that name (or altname) exists, at most until deadline_usec.
 * Returns 1 when found (ret filled), 0 when the deadline passed (ret untouched), -errno. */
int link_wait_for_name(const char *ifname, uint64_t deadline_usec, LinkInfo *ret);

/* Waits until the link holds an IPv4 address with its subnet's route (has_subnet_ipv4: the
 * one DHCP gives), at most until deadline_usec, woken by the kernel's address notifications.
 * Returns 1 when it does, 0 when the deadline passed, -errno; *ret (optional) holds what the
 * link had at the last look. */
int link_wait_for_subnet_ipv4(int ifindex, uint64_t deadline_usec, LinkAddresses *ret);

/* Kernel driver name (ETHTOOL_GDRVINFO) of the link. Uses an AF_NETLINK socket for the
 * ioctl, never an IP socket: this also runs inside udev's sandbox (SPEC §6), which forbids
 * those. Writes at most size-1 bytes plus NUL; -ENOBUFS (nothing written) when the name
 * does not fit, since a truncated driver name could match the wrong driver. */
int link_get_driver(const char *ifname, char *ret, size_t size);

/*
 * Low-level rtnetlink requests, for the functions above and for code (tests) that needs a
 * request this module has no function for.
 */

/* Large enough for every request this project sends (a few short attributes). */
#define NETLINK_MESSAGE_SIZE_MAX 1024

typedef struct NetlinkMessage {
        union {
                struct nlmsghdr header;
                uint8_t buffer[NETLINK_MESSAGE_SIZE_MAX];
        };
} NetlinkMessage;

/* Called for each reply message that is neither an error/ack nor the end of a dump. A
 * negative return aborts the exchange with that error. */
typedef int (*netlink_reply_handler_t)(const struct nlmsghdr *message, void *userdata);

/* Starts a request: header type and flags (NLM_F_REQUEST is added), then the family header
 * (struct ifinfomsg, ifaddrmsg, ...) copied in. */
int netlink_message_init(NetlinkMessage *m, uint16_t type, uint16_t flags, const void *family_header,
                         size_t family_header_size);
/* These return -ENOBUFS when the message would exceed NETLINK_MESSAGE_SIZE_MAX. */
int netlink_message_append(NetlinkMessage *m, uint16_t type, const void *data, size_t size);
int netlink_message_append_string(NetlinkMessage *m, uint16_t type, const char *s);
int netlink_message_append_u32(NetlinkMessage *m, uint16_t type, uint32_t value);
/* A nested attribute: everything appended between open and close goes inside it. */
int netlink_message_open_nest(NetlinkMessage *m, uint16_t type, size_t *ret_offset);
void netlink_message_close_nest(NetlinkMessage *m, size_t offset);

/* Opens a NETLINK_ROUTE socket (close-on-exec, non-blocking), subscribed to the given
 * RTNLGRP_* multicast groups (none when n_groups is 0). */
int netlink_open(const unsigned *groups, size_t n_groups, int *ret_fd);

/* Sends the request and reads its replies until the kernel's ack, error or end of dump,
 * bounded by deadline_usec. Returns the kernel's error (negative), -ETIMEDOUT, -EAGAIN when
 * a dump was interrupted by a concurrent change (the caller may retry), or 0. After a
 * failure the socket may still hold the rest of a dump: use a fresh socket per exchange. */
int netlink_call(int fd, NetlinkMessage *m, netlink_reply_handler_t handler, void *userdata,
                 uint64_t deadline_usec);

/* Indexes the attributes in [data, data + size) by type into table[0..max]; types beyond
 * max are ignored and a later duplicate wins. -EBADMSG for a truncated attribute. */
struct rtattr;
int netlink_parse_attributes(const void *data, size_t size, const struct rtattr **table, size_t max);

/*
 * Parsers of kernel messages, exposed so that tests can feed them malformed input. The
 * message must have nlmsg_len readable bytes (as netlink_call()'s handlers get them).
 */

/* Parses an RTM_NEWLINK message. -EBADMSG for anything malformed (truncated attributes,
 * a name without NUL or too long, no IFLA_IFNAME). */
int link_info_from_message(const struct nlmsghdr *message, LinkInfo *ret);

/* Takes one RTM_NEWADDR message into account in *addresses when it is for ifindex. Returns
 * 1 when it is an IPv4/IPv6 address of ifindex (whether or not it sets a flag), 0 when it
 * is for another link or family, -EBADMSG when malformed. */
int link_addresses_add_message(LinkAddresses *addresses, int ifindex, const struct nlmsghdr *message);
