/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "file-read.h"
#include "file-save.h"
#include "legacy-routes.h"
#include "log.h"
#include "macro.h"
#include "netlink.h"
#include "validate.h"

#define REMEMBERED_DIR "legacy-routes"
#define STALE_MAX 64

static int remembered_dir_open(const char *runtime_dir, bool create) {
        return file_save_open_subdir(runtime_dir, REMEMBERED_DIR, create);
}

int legacy_routes_remember(const char *runtime_dir, const char *ifname, unsigned metric) {
        _cleanup_close_ int fd = -1;
        char text[32];
        int r;

        if (!ifname_is_valid(ifname) || metric == 0)
                return -EINVAL;
        fd = remembered_dir_open(runtime_dir, true);
        if (fd < 0)
                return fd;
        snprintf(text, sizeof text, "%u\n", metric);
        r = file_save_atomic(fd, ifname, text);
        return r < 0 ? r : 0;
}

void legacy_routes_forget(const char *runtime_dir, const char *ifname) {
        _cleanup_close_ int fd = -1;

        if (!ifname_is_valid(ifname))
                return;
        fd = remembered_dir_open(runtime_dir, false);
        if (fd >= 0)
                (void) file_save_atomic(fd, ifname, NULL);
}

static int remembered_metric(const char *runtime_dir, const char *ifname, unsigned *ret) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        char *nl;
        int r;

        fd = remembered_dir_open(runtime_dir, false);
        if (fd < 0)
                return fd;
        r = read_file_at(fd, ifname, 64, &text, NULL);
        if (r < 0)
                return r;
        nl = strchr(text, '\n');
        if (nl)
                *nl = '\0';
        /* Written by us, read back like anything else from disk. */
        return parse_bounded_uint(text, UINT32_MAX, ret) < 0 || *ret == 0 ? -EBADMSG : 0;
}

/* What identifies a route to RTM_DELROUTE. */
typedef struct StaleRoute {
        struct rtmsg rtm;
        uint32_t table, priority;
        uint8_t dst[16], gateway[16];
        size_t dst_size, gateway_size;
} StaleRoute;

typedef struct RouteScan {
        int ifindex;
        unsigned legacy_metric, our_metric;
        bool ours_seen;
        StaleRoute stale[STALE_MAX];
        size_t n_stale;
} RouteScan;

static bool attribute_u32(const struct rtattr *a, uint32_t *ret) {
        if (!a || RTA_PAYLOAD(a) != sizeof(uint32_t))
                return false;
        memcpy(ret, RTA_DATA(a), sizeof(uint32_t));
        return true;
}

static int copy_address(const struct rtattr *a, uint8_t buf[static 16], size_t *ret_size) {
        if (!a) {
                *ret_size = 0;
                return 0;
        }
        if (RTA_PAYLOAD(a) != 4 && RTA_PAYLOAD(a) != 16)
                return -EBADMSG;
        memcpy(buf, RTA_DATA(a), RTA_PAYLOAD(a));
        *ret_size = RTA_PAYLOAD(a);
        return 0;
}

static int route_scan_reply(const struct nlmsghdr *h, void *userdata) {
        const struct rtattr *tb[RTA_MAX + 1] = {};
        RouteScan *scan = userdata;
        const struct rtmsg *rtm;
        uint32_t oif = 0, priority = 0, table;
        StaleRoute *s;
        int left;

        if (h->nlmsg_type != RTM_NEWROUTE)
                return 0;
        if (h->nlmsg_len < NLMSG_SPACE(sizeof(struct rtmsg)))
                return -EBADMSG;
        rtm = NLMSG_DATA(h);
        left = (int) RTM_PAYLOAD(h);
        for (const struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, left); a = RTA_NEXT(a, left))
                if (a->rta_type <= RTA_MAX)
                        tb[a->rta_type] = a;

        /* Routes networkd makes from a DHCP lease or a router advertisement, on this link. */
        if (!IN_SET(rtm->rtm_protocol, RTPROT_DHCP, RTPROT_RA) || !attribute_u32(tb[RTA_OIF], &oif) ||
            oif != (uint32_t) scan->ifindex)
                return 0;
        (void) attribute_u32(tb[RTA_PRIORITY], &priority);
        if (!attribute_u32(tb[RTA_TABLE], &table))
                table = rtm->rtm_table;
        if (priority == scan->our_metric)
                scan->ours_seen = true;
        if (priority != scan->legacy_metric || scan->n_stale >= STALE_MAX)
                return 0;
        s = &scan->stale[scan->n_stale];
        *s = (StaleRoute) { .rtm = *rtm, .table = table, .priority = priority };
        if (copy_address(tb[RTA_DST], s->dst, &s->dst_size) < 0 ||
            copy_address(tb[RTA_GATEWAY], s->gateway, &s->gateway_size) < 0)
                return -EBADMSG;
        scan->n_stale++;
        return 0;
}

static int routes_scan(RouteScan *scan) {
        for (unsigned attempt = 0;; attempt++) {
                struct rtmsg rtm = { .rtm_family = AF_UNSPEC };
                _cleanup_close_ int fd = -1;
                NetlinkMessage m;
                int r;

                scan->ours_seen = false;
                scan->n_stale = 0;
                r = netlink_message_init(&m, RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof(rtm));
                if (r < 0)
                        return r;
                r = netlink_open(NULL, 0, &fd);
                if (r < 0)
                        return r;
                r = netlink_call(fd, &m, route_scan_reply, scan, usec_add(now_usec(), NETLINK_REQUEST_TIMEOUT_USEC));
                if (r == -EAGAIN && attempt < 3)
                        continue;   /* a dump interrupted by a change: take a fresh one */
                return r;
        }
}

static int route_delete(int ifindex, const StaleRoute *s) {
        struct rtmsg rtm = s->rtm;
        _cleanup_close_ int fd = -1;
        NetlinkMessage m;
        int r;

        /* The kernel deletes the route that matches what is given: scope "any". */
        rtm.rtm_scope = RT_SCOPE_NOWHERE;
        rtm.rtm_table = s->table < 256 ? (unsigned char) s->table : RT_TABLE_UNSPEC;
        r = netlink_message_init(&m, RTM_DELROUTE, 0, &rtm, sizeof(rtm));
        if (r >= 0)
                r = netlink_message_append_u32(&m, RTA_TABLE, s->table);
        if (r >= 0)
                r = netlink_message_append_u32(&m, RTA_OIF, (uint32_t) ifindex);
        if (r >= 0)
                r = netlink_message_append_u32(&m, RTA_PRIORITY, s->priority);
        if (r >= 0 && s->dst_size > 0)
                r = netlink_message_append(&m, RTA_DST, s->dst, s->dst_size);
        if (r >= 0 && s->gateway_size > 0)
                r = netlink_message_append(&m, RTA_GATEWAY, s->gateway, s->gateway_size);
        if (r < 0)
                return r;
        r = netlink_open(NULL, 0, &fd);
        if (r < 0)
                return r;
        r = netlink_call(fd, &m, NULL, NULL, usec_add(now_usec(), NETLINK_REQUEST_TIMEOUT_USEC));
        return r == -ESRCH ? 0 : r;   /* gone meanwhile */
}

int legacy_routes_sweep(const char *runtime_dir, const char *ifname, int ifindex, unsigned our_metric,
                        unsigned *ret_removed) {
        RouteScan scan = { .ifindex = ifindex, .our_metric = our_metric };
        unsigned removed = 0;
        int r;

        if (!ifname_is_valid(ifname) || ifindex <= 0)
                return -EINVAL;
        r = remembered_metric(runtime_dir, ifname, &scan.legacy_metric);
        if (r == -ENOENT)
                goto done;
        if (r < 0)
                return r;
        if (scan.legacy_metric == our_metric) {
                legacy_routes_forget(runtime_dir, ifname);   /* nothing to tell apart */
                goto done;
        }
        r = routes_scan(&scan);
        if (r < 0)
                return log_debug_errno(r, "Failed to list the routes of %s: %m", ifname);
        /* Until networkd has applied ours, 2.x's routes may still be its current ones. */
        if (!scan.ours_seen)
                goto done;
        for (size_t i = 0; i < scan.n_stale; i++) {
                r = route_delete(ifindex, &scan.stale[i]);
                if (r < 0)
                        return log_debug_errno(r, "Failed to remove a route 2.x's configuration left on %s: %m",
                                               ifname);
                removed++;
        }
        log_debug("Removed %u routes 2.x's configuration left on %s (metric %u).", removed, ifname,
                  scan.legacy_metric);
        legacy_routes_forget(runtime_dir, ifname);
done:
        if (ret_removed)
                *ret_removed = removed;
        return 0;
}
