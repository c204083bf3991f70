/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* A hand-built ec2-netctl model for the unit tests of the comparison and the rendering:
 * ens6, device 1 of a single-card instance, IPv4 only (10.0.2.20 primary, 10.0.2.21
 * secondary), subnet 10.0.2.0/24, with every view in sync. Tests then break one view. */

#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "build-config.h"
#include "config.h"
#include "netctl-model.h"
#include "strv.h"

static inline KernelRule fixture_rule(const char *from, unsigned priority, unsigned table) {
        KernelRule r = { .family = strchr(from, ':') ? AF_INET6 : AF_INET, .priority = priority, .table = table,
                         .action = FR_ACT_TO_TBL, .protocol = RTPROT_STATIC };

        snprintf(r.from, sizeof r.from, "%s", from);
        return r;
}

static inline void fixture_add_rule(NetctlInterface *i, KernelRule r) {
        i->kernel.rules = realloc(i->kernel.rules, (i->kernel.n_rules + 1) * sizeof(KernelRule));
        i->kernel.rules[i->kernel.n_rules++] = r;
}

static inline void fixture_add_route(NetctlInterface *i, int family, const char *dst, const char *gw, unsigned table,
                                     unsigned metric, uint8_t protocol) {
        KernelRoute r = { .family = family, .table = table, .oif = i->ifindex, .metric = metric,
                          .protocol = protocol, .type = RTN_UNICAST, .scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK };

        snprintf(r.destination, sizeof r.destination, "%s", dst);
        snprintf(r.gateway, sizeof r.gateway, "%s", gw ? gw : "");
        snprintf(r.oif_name, sizeof r.oif_name, "%s", i->name);
        i->kernel.routes = realloc(i->kernel.routes, (i->kernel.n_routes + 1) * sizeof(KernelRoute));
        i->kernel.routes[i->kernel.n_routes++] = r;
}

static inline void fixture_add_address(NetctlInterface *i, int family, const char *a, unsigned len, uint8_t scope) {
        KernelAddress x = { .family = family, .ifindex = i->ifindex, .prefixlen = len, .scope = scope };

        snprintf(x.address, sizeof x.address, "%s", a);
        i->kernel.addresses = realloc(i->kernel.addresses, (i->kernel.n_addresses + 1) * sizeof(KernelAddress));
        i->kernel.addresses[i->kernel.n_addresses++] = x;
}

/* Renders what a refresh writes from the interface's IMDS view into files[].expected. */
static inline void fixture_render(NetctlInterface *i, const Config *c) {
        RenderedInterface r = {};

        if (interface_state_render(&i->imds.state, c, i->name, &r) < 0)
                abort();
        for (int k = 0; k < _IFACE_FILE_MAX; k++) {
                free(i->files[k].expected);
                i->files[k].expected = r.content[k];
                i->files[k].expected_known = true;
                if (interface_file_name(i->name, k, i->files[k].name, sizeof i->files[k].name) < 0)
                        abort();
        }
}

/* The files on disk become what a refresh writes now. */
static inline void fixture_write_files(NetctlInterface *i) {
        for (int k = 0; k < _IFACE_FILE_MAX; k++) {
                free(i->files[k].found);
                i->files[k].found = i->files[k].expected ? strdup(i->files[k].expected) : NULL;
        }
        i->have_files = true;
}

static inline void fixture_interface(NetctlInterface *i, const Config *c) {
        Eni *eni = &i->imds.state.eni;

        snprintf(i->name, sizeof i->name, "ens6");
        i->ifindex = 6;
        snprintf(i->mac, sizeof i->mac, "0e:00:00:00:00:06");
        snprintf(i->driver, sizeof i->driver, "ena");
        i->unmanaged = MANAGED;
        if (eni_init(eni) < 0)
                abort();
        snprintf(eni->mac, sizeof eni->mac, "0e:00:00:00:00:06");
        snprintf(eni->interface_id, sizeof eni->interface_id, "eni-0a0000000000000a6");
        eni->device_number = 1;
        eni->network_card = NETWORK_CARD_NONE;
        strv_extend(&eni->ipv4s, "10.0.2.20");
        strv_extend(&eni->ipv4s, "10.0.2.21");
        eni->subnet_ipv4_cidr = strdup("10.0.2.0/24");
        i->imds.state.has_ipv4 = true;
        i->imds.source = IMDS_VIEW_FRESH;
        i->imds.time_usec = 1764630000ULL * 1000000ULL;
        i->imds.requests = 2;
        fixture_render(i, c);
        fixture_write_files(i);

        i->networkd = (NetctlNetworkdView) {
                .known = true,
                .network_file = strdup("/run/systemd/network/" EC2NET_FILE_PREFIX "-ens6.network"),
                .admin_state = strdup("configured"),
                .oper_state = strdup("routable"),
        };
        fixture_add_rule(i, fixture_rule("10.0.2.20/32", 10001, 10001));
        fixture_add_rule(i, fixture_rule("10.0.2.21/32", 10001, 10001));
        fixture_add_route(i, AF_INET, "0.0.0.0/0", "10.0.2.1", 10001, 513, RTPROT_DHCP);
        fixture_add_route(i, AF_INET, "10.0.2.0/24", NULL, 10001, 0, RTPROT_STATIC);
        fixture_add_address(i, AF_INET, "10.0.2.21", 32, RT_SCOPE_UNIVERSE);
        fixture_add_address(i, AF_INET, "10.0.2.20", 24, RT_SCOPE_UNIVERSE);
        fixture_add_address(i, AF_INET6, "fe80::c00:ff:fe00:6", 64, RT_SCOPE_LINK);
        i->kernel.altnames = calloc(1, sizeof(char *));
        strv_extend(&i->kernel.altnames, "eni-0a0000000000000a6");
        strv_extend(&i->kernel.altnames, "device-number-1");
}

/* Findings of the interface with this id. */
static inline size_t fixture_count(const NetctlInterface *i, const char *id) {
        size_t n = 0;

        for (size_t k = 0; k < i->findings.n; k++)
                n += streq(i->findings.items[k].id, id);
        return n;
}

static inline const Finding *fixture_find(const NetctlInterface *i, const char *id) {
        for (size_t k = 0; k < i->findings.n; k++)
                if (streq(i->findings.items[k].id, id))
                        return &i->findings.items[k];
        return NULL;
}
