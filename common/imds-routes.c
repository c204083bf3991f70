/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "imds-routes.h"
#include "log.h"
#include "netlink.h"
#include "strv.h"

/* Requests bound to the interface can leave only with an address whose subnet it routes (the
 * one DHCP gives): the secondary /32 addresses (noprefixroute) it keeps while networkd renews
 * that one lead nowhere, and each request would wait for its timeout. */
static bool has_subnet_ipv4(const char *ifname) {
        _cleanup_(link_info_done) LinkInfo link = {};
        LinkAddresses a = {};

        return link_get_by_name(ifname, &link) >= 0 && link_get_addresses(link.ifindex, &a) >= 0 &&
               a.has_subnet_ipv4;
}

static int extend_usable(char ***l, char *const *candidates) {
        STRV_FOREACH(i, candidates) {
                int r;

                if (!has_subnet_ipv4(*i)) {
                        log_debug("Not sending IMDS requests through %s: it has no IPv4 address with a subnet route.",
                                  *i);
                        continue;
                }
                r = strv_extend(l, *i);
                if (r < 0)
                        return r;
        }
        return 0;
}

int imds_routes_build(char *const *own, char *const *others, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        int r;

        if (!l)
                return -ENOMEM;
        r = extend_usable(&l, own);
        if (r < 0)
                return r;
        r = strv_extend(&l, "");
        if (r < 0)
                return r;
        r = extend_usable(&l, others);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(l);
        return 0;
}
