/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netlink-dump.h"

/* A growing array of fixed-size elements. */
typedef struct Collected {
        void *items;
        size_t n, allocated, item_size;
} Collected;

static void *collected_new_item(Collected *c) {
        if (c->n == c->allocated) {
                size_t a = c->allocated ? c->allocated * 2 : 16;
                void *p;

                /* Far beyond any real table, and a bound on what a runaway dump can cost. */
                if (a > 1024 * 1024)
                        return NULL;
                p = realloc(c->items, a * c->item_size);
                if (!p)
                        return NULL;
                c->items = p;
                c->allocated = a;
        }
        return (uint8_t *) c->items + c->n++ * c->item_size;
}

static int attribute_address(const struct rtattr *a, int family, char *buf, size_t size) {
        size_t want = family == AF_INET ? 4 : 16;

        if (!a)
                return 0;
        if (RTA_PAYLOAD(a) != want)
                return -EBADMSG;
        if (!inet_ntop(family, RTA_DATA(a), buf, (socklen_t) size))
                return -EBADMSG;
        return 1;
}

static int attribute_u32(const struct rtattr *a, uint32_t *ret) {
        if (!a)
                return 0;
        if (RTA_PAYLOAD(a) != sizeof(uint32_t))
                return -EBADMSG;
        memcpy(ret, RTA_DATA(a), sizeof(uint32_t));
        return 1;
}

static int attribute_string(const struct rtattr *a, char *buf, size_t size) {
        size_t n;

        if (!a)
                return 0;
        n = strnlen(RTA_DATA(a), RTA_PAYLOAD(a));
        if (n == RTA_PAYLOAD(a) || n >= size)
                return -EBADMSG;
        memcpy(buf, RTA_DATA(a), n + 1);
        return 1;
}

/* ADDR/LEN from an address attribute and its prefix length; "" without the attribute. */
static int attribute_prefix(const struct rtattr *a, int family, unsigned len, char *buf, size_t size) {
        char addr[IP_STR_MAX];
        int r;

        buf[0] = '\0';
        if (len > (family == AF_INET ? 32U : 128U))
                return -EBADMSG;
        r = attribute_address(a, family, addr, sizeof addr);
        if (r <= 0)
                return r;
        snprintf(buf, size, "%s/%u", addr, len);
        return 1;
}

int kernel_rule_from_message(const struct nlmsghdr *h, KernelRule *ret) {
        const struct rtattr *tb[FRA_MAX + 1];
        const struct fib_rule_hdr *frh;
        KernelRule rule = {};
        uint32_t table = 0;
        int r;

        if (!h || !ret)
                return -EINVAL;
        if (h->nlmsg_type != RTM_NEWRULE)
                return 0;
        if (h->nlmsg_len < NLMSG_SPACE(sizeof(*frh)))
                return -EBADMSG;
        frh = NLMSG_DATA(h);
        if (!IN_SET(frh->family, AF_INET, AF_INET6))
                return 0;
        r = netlink_parse_attributes((const uint8_t *) frh + NLMSG_ALIGN(sizeof(*frh)),
                                     h->nlmsg_len - NLMSG_SPACE(sizeof(*frh)), tb, FRA_MAX);
        if (r < 0)
                return r;

        rule.family = frh->family;
        rule.action = frh->action;
        rule.invert = frh->flags & FIB_RULE_INVERT;
        rule.table = frh->table;
        /* Tables above 255 only fit in the attribute. */
        if (attribute_u32(tb[FRA_TABLE], &table) < 0 ||
            attribute_u32(tb[FRA_PRIORITY], &rule.priority) < 0 ||
            attribute_u32(tb[FRA_FWMARK], &rule.fwmark) < 0 ||
            attribute_prefix(tb[FRA_SRC], frh->family, frh->src_len, rule.from, sizeof rule.from) < 0 ||
            attribute_prefix(tb[FRA_DST], frh->family, frh->dst_len, rule.to, sizeof rule.to) < 0 ||
            attribute_string(tb[FRA_IIFNAME], rule.iif, sizeof rule.iif) < 0 ||
            attribute_string(tb[FRA_OIFNAME], rule.oif, sizeof rule.oif) < 0)
                return -EBADMSG;
        if (tb[FRA_TABLE])
                rule.table = table;
        if (tb[FRA_PROTOCOL]) {
                if (RTA_PAYLOAD(tb[FRA_PROTOCOL]) != 1)
                        return -EBADMSG;
                rule.protocol = *(const uint8_t *) RTA_DATA(tb[FRA_PROTOCOL]);
        }
        *ret = rule;
        return 1;
}

int kernel_route_from_message(const struct nlmsghdr *h, KernelRoute *ret) {
        const struct rtattr *tb[RTA_MAX + 1];
        const struct rtmsg *rtm;
        KernelRoute route = {};
        uint32_t table = 0, oif = 0;
        int r;

        if (!h || !ret)
                return -EINVAL;
        if (h->nlmsg_type != RTM_NEWROUTE)
                return 0;
        if (h->nlmsg_len < NLMSG_SPACE(sizeof(*rtm)))
                return -EBADMSG;
        rtm = NLMSG_DATA(h);
        if (!IN_SET(rtm->rtm_family, AF_INET, AF_INET6))
                return 0;
        r = netlink_parse_attributes(RTM_RTA(rtm), RTM_PAYLOAD(h), tb, RTA_MAX);
        if (r < 0)
                return r;

        route.family = rtm->rtm_family;
        route.table = rtm->rtm_table;
        route.protocol = rtm->rtm_protocol;
        route.type = rtm->rtm_type;
        route.scope = rtm->rtm_scope;
        if (attribute_u32(tb[RTA_TABLE], &table) < 0 ||
            attribute_u32(tb[RTA_PRIORITY], &route.metric) < 0 ||
            attribute_u32(tb[RTA_OIF], &oif) < 0 ||
            attribute_address(tb[RTA_GATEWAY], rtm->rtm_family, route.gateway, sizeof route.gateway) < 0 ||
            attribute_address(tb[RTA_PREFSRC], rtm->rtm_family, route.prefsrc, sizeof route.prefsrc) < 0 ||
            oif > INT32_MAX)
                return -EBADMSG;
        if (tb[RTA_TABLE])
                route.table = table;
        route.oif = (int) oif;
        if (tb[RTA_DST])
                r = attribute_prefix(tb[RTA_DST], rtm->rtm_family, rtm->rtm_dst_len, route.destination,
                                     sizeof route.destination);
        else if (rtm->rtm_dst_len == 0) {
                snprintf(route.destination, sizeof route.destination, "%s",
                         rtm->rtm_family == AF_INET ? "0.0.0.0/0" : "::/0");
                r = 1;
        } else
                r = -EBADMSG;
        if (r < 0)
                return r;
        *ret = route;
        return 1;
}

int kernel_address_from_message(const struct nlmsghdr *h, KernelAddress *ret) {
        const struct rtattr *tb[IFA_MAX + 1];
        const struct ifaddrmsg *ifa;
        KernelAddress a = {};
        int r;

        if (!h || !ret)
                return -EINVAL;
        if (h->nlmsg_type != RTM_NEWADDR)
                return 0;
        if (h->nlmsg_len < NLMSG_SPACE(sizeof(*ifa)))
                return -EBADMSG;
        ifa = NLMSG_DATA(h);
        if (!IN_SET(ifa->ifa_family, AF_INET, AF_INET6))
                return 0;
        r = netlink_parse_attributes(IFA_RTA(ifa), IFA_PAYLOAD(h), tb, IFA_MAX);
        if (r < 0)
                return r;

        a.family = ifa->ifa_family;
        a.ifindex = (int) ifa->ifa_index;
        a.prefixlen = ifa->ifa_prefixlen;
        a.scope = ifa->ifa_scope;
        a.flags = ifa->ifa_flags;
        if (attribute_u32(tb[IFA_FLAGS], &a.flags) < 0)
                return -EBADMSG;
        /* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links. */
        r = attribute_address(tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS], a.family, a.address,
                              sizeof a.address);
        if (r <= 0 || a.prefixlen > (a.family == AF_INET ? 32U : 128U))
                return -EBADMSG;
        *ret = a;
        return 1;
}

typedef struct DumpFilter {
        Collected collected;
        int family;
        uint32_t priority, table;
        int ifindex;
} DumpFilter;

static int rule_reply(const struct nlmsghdr *h, void *userdata) {
        DumpFilter *f = userdata;
        KernelRule rule, *slot;
        int r;

        r = kernel_rule_from_message(h, &rule);
        if (r <= 0)
                return r;
        if ((f->family != AF_UNSPEC && rule.family != f->family) ||
            (f->priority != NETLINK_DUMP_ANY && rule.priority != f->priority))
                return 0;
        slot = collected_new_item(&f->collected);
        if (!slot)
                return -ENOMEM;
        *slot = rule;
        return 0;
}

static int route_reply(const struct nlmsghdr *h, void *userdata) {
        DumpFilter *f = userdata;
        KernelRoute route, *slot;
        int r;

        r = kernel_route_from_message(h, &route);
        if (r <= 0)
                return r;
        if (f->table != NETLINK_DUMP_ANY && route.table != f->table)
                return 0;
        if (route.oif > 0 && !if_indextoname((unsigned) route.oif, route.oif_name))
                route.oif_name[0] = '\0';
        slot = collected_new_item(&f->collected);
        if (!slot)
                return -ENOMEM;
        *slot = route;
        return 0;
}

static int address_reply(const struct nlmsghdr *h, void *userdata) {
        DumpFilter *f = userdata;
        KernelAddress a, *slot;
        int r;

        r = kernel_address_from_message(h, &a);
        if (r <= 0)
                return r;
        if (f->ifindex > 0 && a.ifindex != f->ifindex)
                return 0;
        slot = collected_new_item(&f->collected);
        if (!slot)
                return -ENOMEM;
        *slot = a;
        return 0;
}

static int link_reply(const struct nlmsghdr *h, void *userdata) {
        DumpFilter *f = userdata;
        LinkInfo info = {}, *slot;
        int r;

        if (h->nlmsg_type != RTM_NEWLINK)
                return 0;
        r = link_info_from_message(h, &info);
        if (r < 0)
                return r;
        slot = collected_new_item(&f->collected);
        if (!slot) {
                link_info_done(&info);
                return -ENOMEM;
        }
        *slot = info;
        return 0;
}

/* One dump request, retried when a concurrent change interrupted it (-EAGAIN): changes
 * come in short bursts, a few tries are enough. Keeps what earlier dumps collected. */
static int dump(uint16_t type, const void *header, size_t header_size, netlink_reply_handler_t handler,
                DumpFilter *f) {
        size_t keep = f->collected.n;
        int r;

        for (unsigned attempt = 0;; attempt++) {
                _cleanup_close_ int fd = -1;
                NetlinkMessage m;

                f->collected.n = keep;
                r = netlink_message_init(&m, type, NLM_F_DUMP, header, header_size);
                if (r < 0)
                        return r;
                r = netlink_open(NULL, 0, &fd);
                if (r < 0)
                        return r;
                r = netlink_call(fd, &m, handler, f, usec_add(now_usec(), NETLINK_REQUEST_TIMEOUT_USEC));
                if (r == -EAGAIN && attempt < 3)
                        continue;
                return r;
        }
}

static int dump_finish(DumpFilter *f, int r, void **ret, size_t *ret_n) {
        if (r < 0) {
                free(f->collected.items);
                return r;
        }
        *ret = f->collected.items;
        *ret_n = f->collected.n;
        return 0;
}

void link_infos_free(LinkInfo *links, size_t n) {
        for (size_t i = 0; links && i < n; i++)
                link_info_done(&links[i]);
        free(links);
}

int netlink_dump_links(LinkInfo **ret, size_t *ret_n) {
        DumpFilter f = { .collected.item_size = sizeof(LinkInfo) };
        struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
        int r;

        if (!ret || !ret_n)
                return -EINVAL;
        for (unsigned attempt = 0;; attempt++) {
                _cleanup_close_ int fd = -1;
                NetlinkMessage m;

                /* The altnames of a retried dump would leak: start from nothing each time. */
                link_infos_free(f.collected.items, f.collected.n);
                f.collected = (Collected) { .item_size = sizeof(LinkInfo) };
                r = netlink_message_init(&m, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof ifi);
                if (r >= 0)
                        r = netlink_message_append_u32(&m, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
                if (r >= 0)
                        r = netlink_open(NULL, 0, &fd);
                if (r >= 0)
                        r = netlink_call(fd, &m, link_reply, &f, usec_add(now_usec(), NETLINK_REQUEST_TIMEOUT_USEC));
                if (r == -EAGAIN && attempt < 3)
                        continue;
                break;
        }
        if (r < 0) {
                link_infos_free(f.collected.items, f.collected.n);
                return log_debug_errno(r, "Failed to dump the links: %m");
        }
        *ret = f.collected.items;
        *ret_n = f.collected.n;
        return 0;
}

int netlink_dump_rules(int family, uint32_t priority, KernelRule **ret, size_t *ret_n) {
        DumpFilter f = { .collected.item_size = sizeof(KernelRule), .family = family, .priority = priority };
        int r = 0;

        if (!ret || !ret_n || !IN_SET(family, AF_UNSPEC, AF_INET, AF_INET6))
                return -EINVAL;
        /* One dump per family: an AF_UNSPEC rule dump is refused by older kernels. */
        for (int fam = AF_INET; r >= 0 && fam <= AF_INET6; fam += AF_INET6 - AF_INET) {
                struct fib_rule_hdr frh = { .family = (uint8_t) fam };

                if (family == AF_UNSPEC || family == fam)
                        r = dump(RTM_GETRULE, &frh, sizeof frh, rule_reply, &f);
        }
        if (r < 0)
                log_debug_errno(r, "Failed to dump the policy rules: %m");
        return dump_finish(&f, r, (void **) ret, ret_n);
}

int netlink_dump_routes(int family, uint32_t table, KernelRoute **ret, size_t *ret_n) {
        DumpFilter f = { .collected.item_size = sizeof(KernelRoute), .table = table };
        int r = 0;

        if (!ret || !ret_n || !IN_SET(family, AF_UNSPEC, AF_INET, AF_INET6))
                return -EINVAL;
        for (int fam = AF_INET; r >= 0 && fam <= AF_INET6; fam += AF_INET6 - AF_INET) {
                struct rtmsg rtm = { .rtm_family = (uint8_t) fam };

                if (family == AF_UNSPEC || family == fam)
                        r = dump(RTM_GETROUTE, &rtm, sizeof rtm, route_reply, &f);
        }
        if (r < 0)
                log_debug_errno(r, "Failed to dump the routes: %m");
        return dump_finish(&f, r, (void **) ret, ret_n);
}

int netlink_dump_addresses(int ifindex, KernelAddress **ret, size_t *ret_n) {
        DumpFilter f = { .collected.item_size = sizeof(KernelAddress), .ifindex = ifindex };
        struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
        int r;

        if (!ret || !ret_n || ifindex < 0)
                return -EINVAL;
        r = dump(RTM_GETADDR, &ifa, sizeof ifa, address_reply, &f);
        if (r < 0)
                log_debug_errno(r, "Failed to dump the addresses: %m");
        return dump_finish(&f, r, (void **) ret, ret_n);
}

static const char *protocol_name(uint8_t p, char *buf, size_t size) {
        static const char *const names[] = {
                [RTPROT_UNSPEC] = "unspec", [RTPROT_REDIRECT] = "redirect", [RTPROT_KERNEL] = "kernel",
                [RTPROT_BOOT] = "boot",     [RTPROT_STATIC] = "static",     [RTPROT_RA] = "ra",
                [RTPROT_DHCP] = "dhcp",
        };

        if (p < ELEMENTSOF(names) && names[p])
                return names[p];
        snprintf(buf, size, "%u", p);
        return buf;
}

/* "10.0.2.21" for "10.0.2.21/32", as ip prints a single address. */
static const char *host_prefix_trimmed(const char *cidr, int family, char buf[static CIDR_STR_MAX]) {
        const char *host = family == AF_INET ? "/32" : "/128";
        size_t n = strlen(cidr), k = strlen(host);

        snprintf(buf, CIDR_STR_MAX, "%s", cidr);
        if (n > k && streq(cidr + n - k, host))
                buf[n - k] = '\0';
        return buf;
}

void kernel_rule_format(const KernelRule *rule, char *buf, size_t size) {
        FILE *f = fmemopen(buf, size, "w");
        char proto[8], from[CIDR_STR_MAX], to[CIDR_STR_MAX];

        if (!f) {
                if (size > 0)
                        buf[0] = '\0';
                return;
        }
        fprintf(f, "%" PRIu32 ":%s from %s", rule->priority, rule->invert ? " not" : "",
                rule->from[0] ? host_prefix_trimmed(rule->from, rule->family, from) : "all");
        if (rule->to[0])
                fprintf(f, " to %s", host_prefix_trimmed(rule->to, rule->family, to));
        if (rule->fwmark)
                fprintf(f, " fwmark %#" PRIx32, rule->fwmark);
        if (rule->iif[0])
                fprintf(f, " iif %s", rule->iif);
        if (rule->oif[0])
                fprintf(f, " oif %s", rule->oif);
        if (rule->action == FR_ACT_TO_TBL)
                fprintf(f, " lookup %" PRIu32, rule->table);
        else
                fprintf(f, " action %u", rule->action);
        if (rule->protocol)
                fprintf(f, " proto %s", protocol_name(rule->protocol, proto, sizeof proto));
        fclose(f);
}

void kernel_route_format(const KernelRoute *route, char *buf, size_t size) {
        FILE *f = fmemopen(buf, size, "w");
        char proto[8];
        bool is_default = streq(route->destination, "0.0.0.0/0") || streq(route->destination, "::/0");

        if (!f) {
                if (size > 0)
                        buf[0] = '\0';
                return;
        }
        if (route->type != RTN_UNICAST)
                fprintf(f, "type %u ", route->type);
        fputs(is_default ? "default" : route->destination, f);
        if (route->gateway[0])
                fprintf(f, " via %s", route->gateway);
        if (route->oif_name[0])
                fprintf(f, " dev %s", route->oif_name);
        else if (route->oif > 0)
                fprintf(f, " dev if%d", route->oif);
        if (route->protocol)
                fprintf(f, " proto %s", protocol_name(route->protocol, proto, sizeof proto));
        if (route->scope == RT_SCOPE_LINK)
                fputs(" scope link", f);
        if (route->prefsrc[0])
                fprintf(f, " src %s", route->prefsrc);
        if (route->metric)
                fprintf(f, " metric %" PRIu32, route->metric);
        fclose(f);
}

bool cidr_contains(int family, const char *cidr, const char *address) {
        uint8_t net[16], addr[16];
        char prefix[IP_STR_MAX];
        const char *slash = cidr ? strchr(cidr, '/') : NULL;
        unsigned len, bytes;

        if (!slash || (size_t) (slash - cidr) >= sizeof prefix ||
            parse_bounded_uint(slash + 1, family == AF_INET ? 32 : 128, &len) < 0)
                return false;
        memcpy(prefix, cidr, (size_t) (slash - cidr));
        prefix[slash - cidr] = '\0';
        if (inet_pton(family, prefix, net) != 1 || inet_pton(family, address, addr) != 1)
                return false;
        bytes = len / 8;
        if (memcmp(net, addr, bytes) != 0)
                return false;
        if (len % 8 == 0)
                return true;
        return ((net[bytes] ^ addr[bytes]) & (uint8_t) (0xff << (8 - len % 8))) == 0;
}

bool kernel_route_covers(const KernelRoute *route, const char *address) {
        return cidr_contains(route->family, route->destination, address);
}
