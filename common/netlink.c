/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "log.h"
#include "netlink.h"
#include "strv.h"

/*
 * Every exchange uses a socket of its own: an aborted dump leaves the kernel's dump state
 * on the socket (a new dump would fail with -EBUSY), and sockets are cheap. Notifications
 * arrive on a separate, subscribed socket, so replies and notifications never mix.
 */

static uint32_t netlink_next_sequence(void) {
        static uint32_t sequence = 0;
        uint32_t s;

        /* Atomic because the library may be used from several threads (the tests do).
         * Zero is skipped: it is what notifications carry. */
        do
                s = __atomic_add_fetch(&sequence, 1, __ATOMIC_RELAXED);
        while (s == 0);
        return s;
}

int netlink_message_init(NetlinkMessage *m, uint16_t type, uint16_t flags, const void *family_header,
                         size_t family_header_size) {
        if (!m || (family_header_size > 0 && !family_header))
                return -EINVAL;
        if (family_header_size > sizeof(m->buffer) - NLMSG_HDRLEN)
                return -ENOBUFS;

        /* Zeroed once here, so the padding of everything appended later is zero too. */
        memset(m, 0, sizeof(*m));
        m->header.nlmsg_len = NLMSG_SPACE(family_header_size);
        m->header.nlmsg_type = type;
        m->header.nlmsg_flags = NLM_F_REQUEST | flags;
        if (family_header_size > 0)
                memcpy(NLMSG_DATA(&m->header), family_header, family_header_size);
        return 0;
}

int netlink_message_append(NetlinkMessage *m, uint16_t type, const void *data, size_t size) {
        size_t offset = NLMSG_ALIGN(m->header.nlmsg_len);
        struct rtattr *a;

        if (offset > sizeof(m->buffer) || size > sizeof(m->buffer) ||
            RTA_SPACE(size) > sizeof(m->buffer) - offset)
                return -ENOBUFS;
        if (size > 0 && !data)
                return -EINVAL;

        a = (struct rtattr *) ((uint8_t *) m + offset);
        a->rta_type = type;
        a->rta_len = RTA_LENGTH(size);
        if (size > 0)
                memcpy(RTA_DATA(a), data, size);
        m->header.nlmsg_len = offset + RTA_SPACE(size);
        return 0;
}

int netlink_message_append_string(NetlinkMessage *m, uint16_t type, const char *s) {
        if (!s)
                return -EINVAL;
        return netlink_message_append(m, type, s, strlen(s) + 1);
}

int netlink_message_append_u32(NetlinkMessage *m, uint16_t type, uint32_t value) {
        return netlink_message_append(m, type, &value, sizeof(value));
}

int netlink_message_open_nest(NetlinkMessage *m, uint16_t type, size_t *ret_offset) {
        size_t offset = NLMSG_ALIGN(m->header.nlmsg_len);
        int r;

        /* NLA_F_NESTED: newer kernel policies insist on it, older ones mask it off. */
        r = netlink_message_append(m, type | NLA_F_NESTED, NULL, 0);
        if (r < 0)
                return r;
        *ret_offset = offset;
        return 0;
}

void netlink_message_close_nest(NetlinkMessage *m, size_t offset) {
        struct rtattr *a = (struct rtattr *) ((uint8_t *) m + offset);

        a->rta_len = m->header.nlmsg_len - offset;
}

int netlink_open(const unsigned *groups, size_t n_groups, int *ret_fd) {
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        _cleanup_close_ int fd = -1;
        int one = 1;

        if (!ret_fd || (n_groups > 0 && !groups))
                return -EINVAL;

        fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
        if (fd < 0)
                return log_debug_errno(negative_errno(), "Failed to open rtnetlink socket: %m");

        /* Optional: the kernel's error text (for debug logs), and errors that do not echo
         * the whole request back. Old kernels lack them, which is harmless. */
        (void) setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
        (void) setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return log_debug_errno(negative_errno(), "Failed to bind rtnetlink socket: %m");

        for (size_t i = 0; i < n_groups; i++) {
                int group = (int) groups[i];

                if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
                        return log_debug_errno(negative_errno(),
                                               "Failed to subscribe to rtnetlink group %d: %m", group);
        }

        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Reads one datagram from the kernel into *buffer, grown to fit. Returns its size, 0 when
 * nothing is queued, -ENOBUFS when notifications were lost, other -errno. */
static ssize_t netlink_receive(int fd, uint8_t **buffer, size_t *buffer_size) {
        for (;;) {
                struct sockaddr_nl sender = {};
                struct iovec iov;
                struct msghdr mh = {
                        .msg_name = &sender,
                        .msg_namelen = sizeof(sender),
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                };
                ssize_t n;

                /* Learn the size first: a datagram larger than the buffer would be cut off. */
                n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                return 0;
                        return negative_errno();
                }

                if ((size_t) n > *buffer_size || !*buffer) {
                        size_t size = n > 4096 ? (size_t) n : 4096;
                        uint8_t *b = realloc(*buffer, size);

                        if (!b)
                                return -ENOMEM;
                        *buffer = b;
                        *buffer_size = size;
                }

                iov = (struct iovec) { .iov_base = *buffer, .iov_len = *buffer_size };
                n = recvmsg(fd, &mh, MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                return 0;
                        return negative_errno();
                }
                if (mh.msg_flags & MSG_TRUNC)
                        return -EBADMSG;

                /* Only the kernel (port 0) speaks for the kernel. Unprivileged processes cannot
                 * send to our port on NETLINK_ROUTE, but nothing is lost by checking. */
                if (mh.msg_namelen != sizeof(sender) || sender.nl_pid != 0)
                        continue;
                if (n == 0)
                        continue;
                return n;
        }
}

/* Walks the messages of one datagram. f returns <0 to fail, >0 to stop, 0 to go on.
 * A datagram that does not end on a message boundary is malformed. */
static int netlink_foreach_message(const uint8_t *data, size_t size,
                                   int (*f)(const struct nlmsghdr *message, void *userdata),
                                   void *userdata) {
        ssize_t left = (ssize_t) size;
        const struct nlmsghdr *h;

        if (!data)
                return -EINVAL;

        for (h = (const struct nlmsghdr *) data; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
                int r = f(h, userdata);

                if (r != 0)
                        return r;
        }
        /* The last message may lack its alignment padding; anything else left over is not a
         * whole message. */
        return left > 0 ? -EBADMSG : 0;
}

int netlink_parse_attributes(const void *data, size_t size, const struct rtattr **table, size_t max) {
        int left;

        if (size > INT_MAX)
                return -EBADMSG;
        memset(table, 0, sizeof(*table) * (max + 1)); /* NOLINT(bugprone-sizeof-expression): an array of pointers */

        left = (int) size;
        for (const struct rtattr *a = data; RTA_OK(a, left); a = RTA_NEXT(a, left)) {
                unsigned short type = a->rta_type & NLA_TYPE_MASK;

                if (type <= max)
                        table[type] = a;
        }
        return left > 0 ? -EBADMSG : 0;
}

/* Copies a string attribute into buf. It must be NUL-terminated within its payload, not
 * empty, and fit; the kernel guarantees that, a bug or a mismatch of headers might not. */
static int attribute_get_string(const struct rtattr *a, char *buf, size_t size) {
        size_t payload = RTA_PAYLOAD(a), n;
        const char *s = RTA_DATA(a);

        n = strnlen(s, payload);
        if (n == payload || n == 0 || n >= size)
                return -EBADMSG;
        memcpy(buf, s, n + 1);
        return 0;
}

typedef struct NetlinkExchange {
        uint32_t sequence;
        netlink_reply_handler_t handler;
        void *userdata;
        bool interrupted;
} NetlinkExchange;

static void netlink_log_extended_ack(const struct nlmsghdr *h) {
        const struct rtattr *tb[NLMSGERR_ATTR_MAX + 1];
        size_t offset = NLMSG_SPACE(sizeof(struct nlmsgerr));
        char text[256];

        /* Only with NLM_F_CAPPED do the attributes follow the error directly; otherwise the
         * request comes first, and the text is merely nice to have. */
        if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || !(h->nlmsg_flags & NLM_F_CAPPED) ||
            h->nlmsg_len <= offset)
                return;
        if (netlink_parse_attributes((const uint8_t *) h + offset, h->nlmsg_len - offset, tb,
                                     NLMSGERR_ATTR_MAX) < 0 ||
            !tb[NLMSGERR_ATTR_MSG] || attribute_get_string(tb[NLMSGERR_ATTR_MSG], text, sizeof(text)) < 0)
                return;
        log_debug("Kernel says: %s", text);
}

static int netlink_exchange_message(const struct nlmsghdr *h, void *userdata) {
        NetlinkExchange *x = userdata;

        /* A late reply to an earlier request on this socket; not ours. */
        if (h->nlmsg_seq != x->sequence)
                return 0;
        if (h->nlmsg_flags & NLM_F_DUMP_INTR)
                x->interrupted = true;

        switch (h->nlmsg_type) {
        case NLMSG_ERROR: {
                const struct nlmsgerr *e;

                if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
                        return -EBADMSG;
                e = NLMSG_DATA(h);
                if (e->error == 0)
                        return 1; /* the ack */
                if (e->error > 0 || e->error < -4095)
                        return -EBADMSG;
                netlink_log_extended_ack(h);
                return e->error;
        }
        case NLMSG_DONE: {
                int error = 0;

                /* A dump may end with an error in the payload of its DONE message. */
                if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(error)))
                        memcpy(&error, NLMSG_DATA(h), sizeof(error));
                if (error < 0)
                        return error;
                /* A change during the dump makes its result inconsistent. */
                return x->interrupted ? -EAGAIN : 1;
        }
        case NLMSG_NOOP:
                return 0;
        default:
                return x->handler ? x->handler(h, x->userdata) : 0;
        }
}

int netlink_call(int fd, NetlinkMessage *m, netlink_reply_handler_t handler, void *userdata,
                 uint64_t deadline_usec) {
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        _cleanup_free_ uint8_t *buffer = NULL;
        size_t buffer_size = 0;
        NetlinkExchange x = {
                .handler = handler,
                .userdata = userdata,
        };
        bool dump;
        ssize_t n;
        int r;

        if (fd < 0 || !m || m->header.nlmsg_len < NLMSG_HDRLEN || m->header.nlmsg_len > sizeof(m->buffer))
                return -EINVAL;

        /* The kernel's own rule for rtnetlink (RTM_GET* with any of the dump bits). Anything
         * else gets an explicit ack, so the end of every exchange is visible: a plain GET
         * would otherwise leave us guessing whether more replies follow. */
        dump = (m->header.nlmsg_type & 3) == 2 && (m->header.nlmsg_flags & NLM_F_DUMP);
        if (!dump)
                m->header.nlmsg_flags |= NLM_F_ACK;
        m->header.nlmsg_seq = x.sequence = netlink_next_sequence();
        m->header.nlmsg_pid = 0;

        n = sendto(fd, m->buffer, m->header.nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof(kernel));
        if (n < 0)
                return log_debug_errno(negative_errno(), "Failed to send rtnetlink request: %m");
        if ((size_t) n != m->header.nlmsg_len)
                return log_debug_errno(EIO, "Short write of rtnetlink request.");

        for (;;) {
                r = fd_wait_readable(fd, deadline_usec);
                if (r < 0)
                        return r;
                if (r == 0)
                        return log_debug_errno(ETIMEDOUT, "Timed out waiting for rtnetlink reply.");

                n = netlink_receive(fd, &buffer, &buffer_size);
                if (n < 0)
                        return (int) n;
                if (n == 0)
                        continue;

                r = netlink_foreach_message(buffer, (size_t) n, netlink_exchange_message, &x);
                if (r < 0)
                        return r;
                if (r > 0)
                        return 0;
        }
}

void link_info_done(LinkInfo *info) {
        if (!info)
                return;
        info->altnames = strv_free(info->altnames);
}

int link_info_from_message(const struct nlmsghdr *h, LinkInfo *ret) {
        _cleanup_(link_info_done) LinkInfo info = {};
        const struct rtattr *tb[IFLA_MAX + 1];
        const struct ifinfomsg *ifi;
        int r;

        if (!h || !ret)
                return -EINVAL;
        if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_SPACE(sizeof(struct ifinfomsg)))
                return -EBADMSG;

        ifi = NLMSG_DATA(h);
        if (ifi->ifi_index <= 0)
                return -EBADMSG;
        r = netlink_parse_attributes(IFLA_RTA(ifi), IFLA_PAYLOAD(h), tb, IFLA_MAX);
        if (r < 0)
                return r;

        info.ifindex = ifi->ifi_index;
        info.up = ifi->ifi_flags & IFF_UP;

        if (!tb[IFLA_IFNAME])
                return -EBADMSG;
        r = attribute_get_string(tb[IFLA_IFNAME], info.ifname, sizeof(info.ifname));
        if (r < 0)
                return r;

        /* Anything but a 6-byte hardware address (tunnels, tun) is "no MAC": MACs are what
         * IMDS identifies interfaces by, and they are all Ethernet. */
        if (tb[IFLA_ADDRESS] && RTA_PAYLOAD(tb[IFLA_ADDRESS]) == 6) {
                const uint8_t *a = RTA_DATA(tb[IFLA_ADDRESS]);

                (void) snprintf(info.mac, sizeof(info.mac), "%02x:%02x:%02x:%02x:%02x:%02x",
                                a[0], a[1], a[2], a[3], a[4], a[5]);
        }

        info.altnames = calloc(1, sizeof(char *));
        if (!info.altnames)
                return -ENOMEM;
        if (tb[IFLA_PROP_LIST]) {
                const struct rtattr *list = tb[IFLA_PROP_LIST];
                int left = (int) RTA_PAYLOAD(list);

                /* IFLA_ALT_IFNAME repeats, one per altname, so it is walked, not indexed. */
                for (const struct rtattr *a = RTA_DATA(list); RTA_OK(a, left); a = RTA_NEXT(a, left)) {
                        char name[LINK_ALTNAME_MAX + 1];

                        if ((a->rta_type & NLA_TYPE_MASK) != IFLA_ALT_IFNAME)
                                continue;
                        r = attribute_get_string(a, name, sizeof(name));
                        if (r < 0)
                                return r;
                        r = strv_extend(&info.altnames, name);
                        if (r < 0)
                                return r;
                }
                if (left > 0)
                        return -EBADMSG;
        }

        *ret = info;
        info.altnames = NULL;
        return 0;
}

typedef struct LinkLookup {
        LinkInfo info;
        bool found;
} LinkLookup;

static void link_lookup_done(LinkLookup *lookup) {
        link_info_done(&lookup->info);
}

static int link_lookup_reply(const struct nlmsghdr *h, void *userdata) {
        LinkLookup *lookup = userdata;
        int r;

        if (h->nlmsg_type != RTM_NEWLINK || lookup->found)
                return 0;
        r = link_info_from_message(h, &lookup->info);
        if (r < 0)
                return r;
        lookup->found = true;
        return 0;
}

static int link_get(int ifindex, const char *ifname, LinkInfo *ret) {
        _cleanup_(link_lookup_done) LinkLookup lookup = {};
        struct ifinfomsg ifi = {
                .ifi_family = AF_UNSPEC,
                .ifi_index = ifindex,
        };
        _cleanup_close_ int fd = -1;
        NetlinkMessage m;
        int r;

        r = netlink_message_init(&m, RTM_GETLINK, 0, &ifi, sizeof(ifi));
        if (r < 0)
                return r;
        if (ifname) {
                /* IFLA_IFNAME is limited to IFNAMSIZ by the kernel's policy; longer names can
                 * only be altnames. Both attributes find a link by either kind of name. */
                r = netlink_message_append_string(&m, strlen(ifname) < IFNAMSIZ ? IFLA_IFNAME : IFLA_ALT_IFNAME,
                                                  ifname);
                if (r < 0)
                        return r;
        }
        /* Statistics are most of a link's reply and of no use here. */
        r = netlink_message_append_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        if (r < 0)
                return r;

        r = netlink_open(NULL, 0, &fd);
        if (r < 0)
                return r;
        r = netlink_call(fd, &m, link_lookup_reply, &lookup, usec_add(now_usec(), NETLINK_REQUEST_TIMEOUT_USEC));
        if (r < 0)
                return r;
        if (!lookup.found)
                return log_debug_errno(EBADMSG, "Kernel acknowledged RTM_GETLINK without a link.");

        *ret = lookup.info;
        lookup.info.altnames = NULL;
        return 0;
}

static bool link_name_is_plausible(const char *ifname) {
        return ifname && ifname[0] && strlen(ifname) <= LINK_ALTNAME_MAX;
}

int link_get_by_name(const char *ifname, LinkInfo *ret) {
        int r;

        if (!link_name_is_plausible(ifname) || !ret)
                return -EINVAL;

        r = link_get(0, ifname, ret);
        if (r < 0 && r != -ENODEV)
                log_debug_errno(r, "Failed to look up link %s: %m", ifname);
        return r;
}

int link_get_by_index(int ifindex, LinkInfo *ret) {
        int r;

        if (ifindex <= 0 || !ret)
                return -EINVAL;

        r = link_get(ifindex, NULL, ret);
        if (r < 0 && r != -ENODEV)
                log_debug_errno(r, "Failed to look up link %d: %m", ifindex);
        return r;
}

bool link_altname_is_valid(const char *altname) {
        size_t n;

        if (!altname)
                return false;
        n = strlen(altname);
        if (n == 0 || n > LINK_ALTNAME_MAX || streq(altname, ".") || streq(altname, ".."))
                return false;

        for (const unsigned char *p = (const unsigned char *) altname; *p; p++)
                if (*p <= ' ' || *p >= 0x7f || *p == '/' || *p == ':')
                        return false;
        return true;
}

static int link_request_add_altname(int ifindex, const char *altname) {
        struct ifinfomsg ifi = {
                .ifi_family = AF_UNSPEC,
                .ifi_index = ifindex,
        };
        _cleanup_close_ int fd = -1;
        NetlinkMessage m;
        size_t nest;
        int r;

        r = netlink_message_init(&m, RTM_NEWLINKPROP, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
        if (r < 0)
                return r;
        r = netlink_message_open_nest(&m, IFLA_PROP_LIST, &nest);
        if (r < 0)
                return r;
        r = netlink_message_append_string(&m, IFLA_ALT_IFNAME, altname);
        if (r < 0)
                return r;
        netlink_message_close_nest(&m, nest);

        r = netlink_open(NULL, 0, &fd);
        if (r < 0)
                return r;
        return netlink_call(fd, &m, NULL, NULL, usec_add(now_usec(), NETLINK_REQUEST_TIMEOUT_USEC));
}

int link_add_altname(int ifindex, const char *altname) {
        _cleanup_(link_info_done) LinkInfo owner = {};
        int r;

        if (ifindex <= 0 || !link_altname_is_valid(altname))
                return -EINVAL;

        /* Refresh re-applies the altnames every minute (SPEC §6), so "already there" is the
         * common case: asking first makes it a single request and no failed change. */
        r = link_get_by_name(altname, &owner);
        if (r >= 0)
                return owner.ifindex == ifindex ? 0 : -EEXIST;
        if (r != -ENODEV)
                return r;

        r = link_request_add_altname(ifindex, altname);
        if (r == -EEXIST) {
                /* Taken since we looked (the kernel does not say by whom): by us, or not. */
                r = link_get_by_name(altname, &owner);
                if (r < 0)
                        return r == -ENODEV ? -EEXIST : r;
                return owner.ifindex == ifindex ? 0 : -EEXIST;
        }
        if (r < 0)
                return log_debug_errno(r, "Failed to add altname %s to link %d: %m", altname, ifindex);

        log_debug("Added altname %s to link %d.", altname, ifindex);
        return 1;
}

int link_addresses_add_message(LinkAddresses *addresses, int ifindex, const struct nlmsghdr *h) {
        const struct rtattr *tb[IFA_MAX + 1], *address;
        const struct ifaddrmsg *ifa;
        uint32_t flags;
        int r;

        if (!addresses || !h)
                return -EINVAL;
        if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_SPACE(sizeof(struct ifaddrmsg)))
                return -EBADMSG;

        ifa = NLMSG_DATA(h);
        if (ifindex <= 0 || ifa->ifa_index != (uint32_t) ifindex)
                return 0;
        r = netlink_parse_attributes(IFA_RTA(ifa), IFA_PAYLOAD(h), tb, IFA_MAX);
        if (r < 0)
                return r;

        /* IFA_FLAGS carries the flags that do not fit in the 8 bits of ifa_flags. */
        flags = ifa->ifa_flags;
        if (tb[IFA_FLAGS]) {
                if (RTA_PAYLOAD(tb[IFA_FLAGS]) != sizeof(flags))
                        return -EBADMSG;
                memcpy(&flags, RTA_DATA(tb[IFA_FLAGS]), sizeof(flags));
        }

        /* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links
         * and the address itself everywhere else. */
        address = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];

        switch (ifa->ifa_family) {
        case AF_INET: {
                struct in_addr a;

                if (!address || RTA_PAYLOAD(address) != sizeof(a))
                        return -EBADMSG;
                memcpy(&a, RTA_DATA(address), sizeof(a));
                /* SPEC §4: 169.254/16 (IMDS-style link-local) does not make a subnet IPv4. */
                if ((ntohl(a.s_addr) & 0xffff0000U) == 0xa9fe0000U)
                        return 1;
                addresses->has_global_ipv4 = true;
                if (ifa->ifa_prefixlen < 32 && !(flags & IFA_F_NOPREFIXROUTE))
                        addresses->has_subnet_ipv4 = true;
                return 1;
        }
        case AF_INET6:
                if (address && RTA_PAYLOAD(address) != sizeof(struct in6_addr))
                        return -EBADMSG;
                /* A tentative address cannot be used yet, a failed one never will. */
                if (ifa->ifa_scope == RT_SCOPE_UNIVERSE && !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
                        addresses->has_global_ipv6 = true;
                return 1;
        default:
                return 0;
        }
}

typedef struct AddressDump {
        int ifindex;
        LinkAddresses addresses;
} AddressDump;

static int address_dump_reply(const struct nlmsghdr *h, void *userdata) {
        AddressDump *dump = userdata;
        int r;

        if (h->nlmsg_type != RTM_NEWADDR)
                return 0;
        r = link_addresses_add_message(&dump->addresses, dump->ifindex, h);
        return r < 0 ? r : 0;
}

int link_get_addresses(int ifindex, LinkAddresses *ret) {
        int r;

        if (ifindex <= 0 || !ret)
                return -EINVAL;

        /* A dump interrupted by a concurrent change is inconsistent; a few retries are
         * enough, changes come in short bursts. */
        for (unsigned attempt = 0;; attempt++) {
                struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
                AddressDump dump = { .ifindex = ifindex };
                _cleanup_close_ int fd = -1;
                NetlinkMessage m;

                r = netlink_message_init(&m, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
                if (r < 0)
                        return r;
                r = netlink_open(NULL, 0, &fd);
                if (r < 0)
                        return r;
                r = netlink_call(fd, &m, address_dump_reply, &dump,
                                 usec_add(now_usec(), NETLINK_REQUEST_TIMEOUT_USEC));
                if (r == -EAGAIN && attempt < 3)
                        continue;
                if (r < 0)
                        return log_debug_errno(r, "Failed to dump addresses of link %d: %m", ifindex);

                *ret = dump.addresses;
                return 0;
        }
}

typedef bool (*notification_filter_t)(const struct nlmsghdr *message, void *userdata);

typedef struct NotificationScan {
        notification_filter_t filter;
        void *userdata;
        bool relevant;
} NotificationScan;

static int notification_scan_message(const struct nlmsghdr *h, void *userdata) {
        NotificationScan *scan = userdata;

        if (scan->filter(h, scan->userdata))
                scan->relevant = true;
        return 0;
}

/* Waits for a notification that filter() finds relevant, at most until deadline_usec.
 * Returns 1 when one arrived (or some were lost, so state must be re-read anyway), 0 when
 * the deadline passed. */
static int netlink_wait_for_notification(int fd, uint64_t deadline_usec, uint8_t **buffer, size_t *buffer_size,
                                         notification_filter_t filter, void *userdata) {
        for (;;) {
                NotificationScan scan = {
                        .filter = filter,
                        .userdata = userdata,
                };
                int r;

                r = fd_wait_readable(fd, deadline_usec);
                if (r <= 0)
                        return r;

                /* Drain everything queued: one re-read covers a burst of changes. The deadline
                 * also bounds this, should the notifications never stop. */
                for (;;) {
                        ssize_t n = netlink_receive(fd, buffer, buffer_size);

                        if (n == -ENOBUFS) {
                                log_debug("rtnetlink notifications were lost, re-reading state.");
                                scan.relevant = true;
                                continue;
                        }
                        if (n < 0)
                                return (int) n;
                        if (n == 0)
                                break;
                        if (netlink_foreach_message(*buffer, (size_t) n, notification_scan_message, &scan) < 0)
                                scan.relevant = true; /* malformed: be safe, re-read */
                        if (now_usec() >= deadline_usec)
                                break;
                }
                if (scan.relevant)
                        return 1;
                if (now_usec() >= deadline_usec)
                        return 0;
        }
}

static bool notification_is_new_link(const struct nlmsghdr *h, void *userdata) {
        /* Any new, renamed or re-altnamed link: cheaper to look the name up again than to
         * parse and compare every notification. */
        return h->nlmsg_type == RTM_NEWLINK;
}

int link_wait_for_name(const char *ifname, uint64_t deadline_usec, LinkInfo *ret) {
        static const unsigned groups[] = { RTNLGRP_LINK };
        _cleanup_free_ uint8_t *buffer = NULL;
        _cleanup_close_ int fd = -1;
        size_t buffer_size = 0;
        int r;

        if (!link_name_is_plausible(ifname) || !ret)
                return -EINVAL;

        /* Subscribe before the first look, so that a link appearing in between is not missed. */
        r = netlink_open(groups, ELEMENTSOF(groups), &fd);
        if (r < 0)
                return r;

        for (;;) {
                r = link_get_by_name(ifname, ret);
                if (r >= 0)
                        return 1;
                if (r != -ENODEV)
                        return r;

                r = netlink_wait_for_notification(fd, deadline_usec, &buffer, &buffer_size,
                                                  notification_is_new_link, NULL);
                if (r < 0)
                        return log_debug_errno(r, "Failed to wait for link %s: %m", ifname);
                if (r == 0) {
                        log_debug("Deadline passed waiting for link %s.", ifname);
                        return 0;
                }
        }
}

static bool notification_is_new_address(const struct nlmsghdr *h, void *userdata) {
        const int *ifindex = userdata;

        return h->nlmsg_type == RTM_NEWADDR && h->nlmsg_len >= NLMSG_SPACE(sizeof(struct ifaddrmsg)) &&
               ((const struct ifaddrmsg *) NLMSG_DATA(h))->ifa_index == (uint32_t) *ifindex;
}

int link_wait_for_subnet_ipv4(int ifindex, uint64_t deadline_usec, LinkAddresses *ret) {
        static const unsigned groups[] = { RTNLGRP_IPV4_IFADDR };
        _cleanup_free_ uint8_t *buffer = NULL;
        _cleanup_close_ int fd = -1;
        size_t buffer_size = 0;
        int r;

        if (ifindex <= 0)
                return -EINVAL;
        /* Subscribe before the first look, so that an address added in between is not missed. */
        r = netlink_open(groups, ELEMENTSOF(groups), &fd);
        if (r < 0)
                return r;

        for (;;) {
                LinkAddresses a = {};

                r = link_get_addresses(ifindex, &a);
                if (r < 0)
                        return r;
                if (ret)
                        *ret = a;
                if (a.has_subnet_ipv4)
                        return 1;
                r = netlink_wait_for_notification(fd, deadline_usec, &buffer, &buffer_size,
                                                  notification_is_new_address, &ifindex);
                if (r < 0)
                        return log_debug_errno(r, "Failed to wait for an IPv4 address on link %d: %m", ifindex);
                if (r == 0)
                        return 0;
        }
}

int link_get_driver(const char *ifname, char *ret, size_t size) {
        struct ethtool_drvinfo drvinfo = { .cmd = ETHTOOL_GDRVINFO };
        _cleanup_close_ int fd = -1;
        struct ifreq ifr = {};
        size_t n;

        if (!link_name_is_plausible(ifname) || !ret || size == 0)
                return -EINVAL;

        if (strlen(ifname) < IFNAMSIZ)
                memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
        else {
                /* The ioctl takes IFNAMSIZ names only: an altname that long needs the link's
                 * name. */
                _cleanup_(link_info_done) LinkInfo link = {};
                int r;

                r = link_get_by_name(ifname, &link);
                if (r < 0)
                        return r;
                memcpy(ifr.ifr_name, link.ifname, sizeof(ifr.ifr_name));
        }
        ifr.ifr_data = (void *) &drvinfo;

        /* Any socket will do for SIOCETHTOOL; an IP socket would be refused in udev's
         * sandbox (SPEC §6). */
        fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_debug_errno(negative_errno(), "Failed to open socket for ethtool: %m");

        if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
                return log_debug_errno(negative_errno(), "Failed to get driver of %s: %m", ifname);

        n = strnlen(drvinfo.driver, sizeof(drvinfo.driver));
        if (n == sizeof(drvinfo.driver))
                return log_debug_errno(EBADMSG, "Driver name of %s is not terminated.", ifname);
        if (n == 0)
                return log_debug_errno(ENODATA, "Link %s reports no driver.", ifname);
        if (n >= size)
                return -ENOBUFS;

        memcpy(ret, drvinfo.driver, n + 1);
        return 0;
}
