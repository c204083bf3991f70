/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "boot-markers.h"
#include "build-config.h"
#include "deferred-takeover.h"
#include "error-codes.h"
#include "file-read.h"
#include "file-save.h"
#include "imds-client.h"
#include "imds-eni.h"
#include "imds-routes.h"
#include "interface-files.h"
#include "kernel-cmdline.h"
#include "legacy-files.h"
#include "package-enabled.h"
#include "log.h"
#include "netctl-drift.h"
#include "netctl-status.h"
#include "netlink.h"
#include "networkd-conf.h"
#include "networkd-describe.h"
#include "networkd.h"
#include "strv.h"
#include "systemd-unit-state.h"
#include "unit-name.h"

#define BUS_CALL_TIMEOUT_USEC (2 * USEC_PER_SEC)
#define GENERATED_FILE_MAX (64 * 1024)


static uint64_t realtime_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static uint64_t bus_timeout(const NetctlOptions *o) {
        uint64_t now = now_usec();

        if (now >= o->bus_deadline_usec)
                return 1;   /* sd-bus: 0 would mean its default of 25 s */
        return o->bus_deadline_usec - now < BUS_CALL_TIMEOUT_USEC ? o->bus_deadline_usec - now
                                                                  : BUS_CALL_TIMEOUT_USEC;
}

Unmanaged netctl_unmanaged_reason(const Config *config, bool enabled, const char *ifname, const char *mac,
                                  const char *driver, char **ret_detail) {
        char *detail = NULL;
        Unmanaged u = MANAGED;

        if (!enabled)
                u = UNMANAGED_DISABLED;
        else if (!driver || !driver[0] || !config_driver_allowed(config, driver)) {
                u = UNMANAGED_NOT_ENI_DRIVER;
                if (asprintf(&detail, "driver %s not in Drivers=", driver && driver[0] ? driver : "(none)") < 0)
                        detail = NULL;
        } else if (config_interface_excluded(config, ifname, NULL)) {
                u = UNMANAGED_EXCLUDED;
                detail = strdup("ExcludeInterfaces=");
        } else if (config_interface_excluded(config, NULL, mac)) {
                u = UNMANAGED_EXCLUDED;
                detail = strdup("ExcludeMACs=");
        }
        *ret_detail = detail;
        return u;
}

static int read_files(const NetctlOptions *o, NetctlInterface *i) {
        _cleanup_close_ int dir_fd = open(o->network_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        for (int k = 0; k < _IFACE_FILE_MAX; k++) {
                NetctlFile *f = &i->files[k];
                int r;

                r = interface_file_name(i->name, k, f->name, sizeof f->name);
                if (r < 0)
                        return r;
                if (dir_fd < 0)
                        continue;
                r = read_file_at(dir_fd, f->name, GENERATED_FILE_MAX, &f->found, NULL);
                if (r == -ENOENT || r == -ENOTDIR)
                        continue;
                if (r < 0) {
                        f->read_error = r;
                        i->have_files = true;
                        continue;
                }
                i->have_files = true;
        }
        return 0;
}

static int render_expected(const NetctlOptions *o, NetctlInterface *i) {
        _cleanup_(rendered_interface_done) RenderedInterface rendered = {};
        LinkAddresses now = {};
        int r;

        if (i->imds.source == IMDS_VIEW_NONE || !netctl_interface_is_ours(i))
                return 0;
        /* As a refresh: the addresses the link holds now, added to what was seen before. */
        if (link_get_addresses(i->ifindex, &now) >= 0)
                interface_state_note_addresses(&i->imds.state, &now);
        r = interface_state_render(&i->imds.state, o->config, i->name, &rendered);
        if (r < 0)
                return r;
        for (int k = 0; k < _IFACE_FILE_MAX; k++) {
                i->files[k].expected = TAKE_PTR(rendered.content[k]);
                i->files[k].expected_known = true;
        }
        return 0;
}

static int kernel_view(const NetctlKernelSnapshot *snap, const LinkInfo *link, NetctlInterface *i) {
        unsigned table;
        bool numbers = netctl_interface_numbers(i, &table, NULL);

        i->kernel.altnames = strv_copy(link->altnames);
        if (!i->kernel.altnames)
                return -ENOMEM;
        for (size_t k = 0; numbers && k < snap->n_rules; k++)
                if (snap->rules[k].priority == table) {
                        KernelRule *a = realloc(i->kernel.rules, (i->kernel.n_rules + 1) * sizeof *a);

                        if (!a)
                                return -ENOMEM;
                        i->kernel.rules = a;
                        a[i->kernel.n_rules++] = snap->rules[k];
                }
        for (size_t k = 0; numbers && k < snap->n_routes; k++)
                if (snap->routes[k].table == table) {
                        KernelRoute *a = realloc(i->kernel.routes, (i->kernel.n_routes + 1) * sizeof *a);

                        if (!a)
                                return -ENOMEM;
                        i->kernel.routes = a;
                        a[i->kernel.n_routes++] = snap->routes[k];
                }
        for (size_t k = 0; k < snap->n_addresses; k++)
                if (snap->addresses[k].ifindex == i->ifindex) {
                        KernelAddress *a = realloc(i->kernel.addresses, (i->kernel.n_addresses + 1) * sizeof *a);

                        if (!a)
                                return -ENOMEM;
                        i->kernel.addresses = a;
                        a[i->kernel.n_addresses++] = snap->addresses[k];
                }
        return 0;
}

static int networkd_view(const NetctlOptions *o, const NetctlStatus *s, NetctlInterface *i) {
        NetworkdLinkView v = {};
        int r;

        if (!o->bus || !s->host.networkd_known)
                return 0;
        r = networkd_describe_link(o->bus, i->ifindex, bus_timeout(o), &v);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                i->networkd.error = r;
                return 0;
        }
        i->networkd = (NetctlNetworkdView) {
                .known = true,
                .network_file = v.network_file,
                .dropin_files = v.dropin_files,
                .admin_state = v.admin_state,
                .oper_state = v.oper_state,
        };
        if (i->unmanaged == MANAGED && v.network_file && !netctl_network_file_is_ours(i->name, v.network_file)) {
                i->unmanaged = UNMANAGED_SHADOWED;
                free(i->unmanaged_detail);
                i->unmanaged_detail = strdup(v.network_file);
                if (!i->unmanaged_detail)
                        return -ENOMEM;
        }
        return 0;
}

static void timer_view(const NetctlOptions *o, const NetctlStatus *s, NetctlInterface *i) {
        char unit[128];
        UnitState st;

        if (!o->bus || !s->host.systemd_known ||
            unit_name_for_interface("refresh-policy-routes", i->name, ".timer", unit, sizeof unit) < 0 ||
            systemd_unit_state(o->bus, unit, bus_timeout(o), &st) < 0)
                return;
        i->timer.known = true;
        i->timer.active_state = strdup(st.active_state);
        i->timer.next_usec = st.next_elapse_usec;
}

/* The IMDS part of a run: one client (one token, one connection) for every interface, the
 * routes and budget of a refresh. */
typedef struct ImdsRun {
        ImdsClient *client;
        char primary_mac[MAC_STR_MAX];
        int error;                /* a failure that ends asking: IMDS gave no answer */
} ImdsRun;

static void imds_run_done(ImdsRun *r) {
        imds_client_free(r->client);
        *r = (ImdsRun) {};
}

static int imds_run_start(const NetctlOptions *o, const NetctlStatus *s, ImdsRun *ret) {
        _cleanup_strv_free_ char **candidates = NULL, **routes = NULL;
        int r;

        /* Through the ENIs themselves (each only when it holds IPv4), then the default route,
         * as the seed stage does for several interfaces. */
        for (size_t k = 0; k < s->n_interfaces; k++)
                if (s->interfaces[k].unmanaged == MANAGED && strv_extend(&candidates, s->interfaces[k].name) < 0)
                        return -ENOMEM;
        r = imds_routes_build(candidates, NULL, &routes);
        if (r < 0)
                return r;
        ImdsOptions io = {
                .endpoints = o->config->imds_endpoints,
                .interfaces = routes,
                .token_cache_dir = o->runtime_dir,
                .token_cache_read_only = true,
                .deadline_usec = o->imds_deadline_usec,
                .max_attempts = o->imds_max_attempts,
        };
        return imds_client_new(&io, &ret->client);
}

/* What IMDS says now about i, read as a refresh reads it: only the addresses and prefixes
 * when an earlier run saved the rest, else everything (without waiting for propagation). */
static int imds_view_fresh(const NetctlOptions *o, ImdsRun *run, NetctlInterface *i, bool have_state) {
        unsigned before = imds_client_requests(run->client);
        int r;

        if (run->error) {
                i->imds.error = run->error;
                return 0;
        }
        if (have_state)
                r = imds_refresh_interface(run->client, &i->imds.state.eni);
        else {
                if (!run->primary_mac[0] && primary_mac_cache_read(o->runtime_dir, run->primary_mac) < 0) {
                        r = imds_fetch_primary_mac(run->client, run->primary_mac);
                        if (r < 0)
                                run->primary_mac[0] = '\0';
                } else
                        r = 0;
                if (r >= 0) {
                        ImdsFetchOptions fo = {};   /* no propagation wait, no marker written */

                        interface_state_done(&i->imds.state);
                        r = eni_init(&i->imds.state.eni);
                        if (r >= 0)
                                r = imds_fetch_interface(run->client, i->mac, run->primary_mac, &fo,
                                                         &i->imds.state.eni);
                }
        }
        i->imds.requests = imds_client_requests(run->client) - before;
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                i->imds.error = r;
                /* Unreachable, stalled, disabled: the next interface would only wait again. */
                if (error_is_imds_no_answer(r) || r == -EIMDS_DISABLED || r == -EIMDS_REJECTED)
                        run->error = r;
                interface_state_done(&i->imds.state);
                return 0;
        }
        i->imds.source = IMDS_VIEW_FRESH;
        i->imds.time_usec = realtime_usec();
        return 0;
}

static int imds_view(const NetctlOptions *o, ImdsRun *run, NetctlInterface *i) {
        int r;

        if (!netctl_interface_is_ours(i))
                return 0;
        r = interface_state_load(o->runtime_dir, i->name, i->mac, &i->imds.state);
        if (r == -ENOMEM)
                return r;
        if (o->offline) {
                if (r < 0) {
                        i->imds.error = -ENOENT;
                        return 0;
                }
                i->imds.source = IMDS_VIEW_SAVED;
                /* The data is as old as the last run that read IMDS successfully. */
                if (i->have_run && i->run.last_success_usec)
                        i->imds.time_usec = i->run.last_success_usec;
                else
                        (void) interface_state_mtime(o->runtime_dir, i->name, &i->imds.time_usec);
                return 0;
        }
        return imds_view_fresh(o, run, i, r >= 0);
}

static const LinkInfo *find_link(const NetctlKernelSnapshot *snap, const char *name) {
        for (size_t k = 0; k < snap->n_links; k++)
                if (streq(snap->links[k].ifname, name) || strv_contains(snap->links[k].altnames, name))
                        return &snap->links[k];
        return NULL;
}

/* Generated .network files in network_dir for interfaces that are not present (SPEC §8:
 * a removed ENI's configuration left behind): their interface names. */
static int netctl_stale_interfaces(const char *network_dir, const LinkInfo *links, size_t n_links, char ***ret) {
        _cleanup_closedir_ DIR *d = opendir(network_dir);
        _cleanup_strv_free_ char **stale = calloc(1, sizeof(char *));
        const char *prefix = EC2NET_FILE_PREFIX "-";
        struct dirent *de;

        if (!stale)
                return -ENOMEM;
        while (d && (de = readdir(d))) {
                size_t n = strlen(de->d_name), p = strlen(prefix);
                char name[IFNAMSIZ + 1];
                bool present = false;

                if (n <= p + 8 || strncmp(de->d_name, prefix, p) != 0 || !streq(de->d_name + n - 8, ".network") ||
                    n - p - 8 >= sizeof name)
                        continue;
                memcpy(name, de->d_name + p, n - p - 8);
                name[n - p - 8] = '\0';
                if (!ifname_is_valid(name))
                        continue;
                for (size_t k = 0; k < n_links; k++)
                        present = present || streq(links[k].ifname, name);
                if (!present && strv_extend(&stale, name) < 0)
                        return -ENOMEM;
        }
        strv_sort(stale);
        *ret = TAKE_PTR(stale);
        return 0;
}

static int host_view(const NetctlOptions *o, NetctlStatus *s) {
        NetctlHost *h = &s->host;
        const char *reason = NULL;

        h->offline = o->offline;
        h->now_usec = realtime_usec();
        h->enabled = package_enabled(o->config, &reason) > 0;
        if (!h->enabled && reason && !(h->disabled_by = strdup(reason)))
                return -ENOMEM;
        h->config_files = strv_copy(o->config->files);
        h->config_warnings = strv_copy(o->config->warnings);
        h->network_dir = strdup(o->network_dir);
        h->runtime_dir = strdup(o->runtime_dir);
        if (!h->config_files || !h->config_warnings || !h->network_dir || !h->runtime_dir)
                return -ENOMEM;
        (void) networkd_reloads_pending(o->runtime_dir, &h->reloads_pending);
        {
                NetworkdSettings ns;

                if (networkd_settings_load(&ns) < 0)
                        networkd_settings_init(&ns);
                h->manage_foreign_rules = ns.manage_foreign_rules;
                h->manage_foreign_routes = ns.manage_foreign_routes;
                if ((ns.manage_foreign_rules_source[0] &&
                     !(h->manage_foreign_rules_source = strdup(ns.manage_foreign_rules_source))) ||
                    (ns.manage_foreign_routes_source[0] &&
                     !(h->manage_foreign_routes_source = strdup(ns.manage_foreign_routes_source))))
                        return -ENOMEM;
        }
        if (o->bus) {
                h->networkd_known = networkd_on_bus(o->bus) > 0;
                h->systemd_known = systemd_version(o->bus, bus_timeout(o), &h->networkd_version) >= 0;
        }
        if (!h->networkd_known)
                return finding_add(&s->findings, "networkd-unreachable", SEVERITY_ERROR, NULL, NULL, NULL,
                                   "systemctl status systemd-networkd",
                                   "systemd-networkd is not on the system bus: its view of the links is unknown.");
        if (h->reloads_pending)
                return finding_add(&s->findings, "reload-pending", SEVERITY_WARNING, NULL, "0", NULL,
                                   "setup-policy-routes IFACE refresh (any ENI) performs it",
                                   "%" PRIu64 " networkd reload(s) were left pending by a run that did not finish: "
                                   "networkd may not have read the current files.", h->reloads_pending);
        return 0;
}

/* Left on 2.x's files after an upgrade (deferred-takeover.h), and networkd runs it on them
 * (or cannot say): otherwise networkd's view is checked against ours as for any ENI. */
static bool on_2x_files(const NetctlOptions *o, const NetctlInterface *i) {
        unsigned metric;

        return deferred_takeover_is_marked(o->runtime_dir, i->name) > 0 &&
               legacy_files_route_metric(o->network_dir, i->name, &metric) > 0 &&
               (!i->networkd.known || legacy_files_is_network_file(o->network_dir, i->name, i->networkd.network_file));
}

static int add_interface(const NetctlOptions *o, NetctlStatus *s, const LinkInfo *link, const char *driver) {
        NetctlInterface *i = netctl_status_add_interface(s);

        if (!i)
                return -ENOMEM;
        snprintf(i->name, sizeof i->name, "%s", link->ifname);
        i->ifindex = link->ifindex;
        snprintf(i->mac, sizeof i->mac, "%s", link->mac);
        snprintf(i->driver, sizeof i->driver, "%s", driver);
        i->unmanaged = netctl_unmanaged_reason(o->config, s->host.enabled, i->name, i->mac, driver,
                                               &i->unmanaged_detail);
        i->have_run = run_record_load(o->runtime_dir, i->name, &i->run) >= 0;
        return read_files(o, i);
}

static int select_interfaces(const NetctlOptions *o, const NetctlKernelSnapshot *snap, NetctlStatus *s,
                             const char **ret_missing) {
        int r;

        if (o->interfaces && o->interfaces[0]) {
                STRV_FOREACH(n, o->interfaces) {
                        const LinkInfo *link = find_link(snap, *n);
                        char driver[32] = "";
                        bool dup = false;

                        if (!link) {
                                *ret_missing = *n;
                                return -ENODEV;
                        }
                        for (size_t k = 0; k < s->n_interfaces; k++)
                                dup = dup || s->interfaces[k].ifindex == link->ifindex;
                        if (dup)
                                continue;
                        (void) link_get_driver(link->ifname, driver, sizeof driver);
                        r = add_interface(o, s, link, driver);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        for (size_t k = 0; k < snap->n_links; k++) {
                const LinkInfo *link = &snap->links[k];
                char driver[32] = "";
                bool ours;

                if (!link->mac[0] || !ifname_is_valid(link->ifname))
                        continue;
                (void) link_get_driver(link->ifname, driver, sizeof driver);
                ours = interface_files_exist(o->network_dir, link->ifname) > 0;
                if (!config_driver_allowed(o->config, driver) && !ours)
                        continue;
                r = add_interface(o, s, link, driver);
                if (r < 0)
                        return r;
        }
        return 0;
}

int netctl_status_collect(const NetctlOptions *o, NetctlStatus *ret, const char **ret_missing) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        _cleanup_(imds_run_done) ImdsRun run = {};
        _cleanup_strv_free_ char **stale = NULL;
        NetctlKernelSnapshot *snap = &s.kernel;
        int r;

        r = host_view(o, &s);
        if (r < 0)
                return r;
        if ((r = netlink_dump_links(&snap->links, &snap->n_links)) < 0 ||
            (r = netlink_dump_rules(AF_UNSPEC, NETLINK_DUMP_ANY, &snap->rules, &snap->n_rules)) < 0 ||
            (r = netlink_dump_routes(AF_UNSPEC, NETLINK_DUMP_ANY, &snap->routes, &snap->n_routes)) < 0 ||
            (r = netlink_dump_addresses(0, &snap->addresses, &snap->n_addresses)) < 0)
                return r;
        r = select_interfaces(o, snap, &s, ret_missing);
        if (r < 0)
                return r;

        if (!o->offline && s.host.enabled) {
                r = imds_run_start(o, &s, &run);
                if (r < 0)
                        return r;
        }
        for (size_t k = 0; k < s.n_interfaces; k++) {
                NetctlInterface *i = &s.interfaces[k];
                const LinkInfo *link = find_link(snap, i->name);

                if ((r = networkd_view(o, &s, i)) < 0 || (r = imds_view(o, &run, i)) < 0 ||
                    (r = render_expected(o, i)) < 0 || (link && (r = kernel_view(snap, link, i)) < 0))
                        return r;
                timer_view(o, &s, i);
                i->on_2x_files = on_2x_files(o, i);
                r = netctl_drift_check(i);
                if (r < 0)
                        return r;
        }
        if (run.client) {
                const ImdsRoute *route = imds_client_answered_route(run.client);
                const char *e = route ? route->endpoint : NULL, *itf = route ? route->interface : NULL;

                s.host.imds_requests = imds_client_requests(run.client);
                s.host.imds_error = run.error;
                if ((e && !(s.host.imds_endpoint = strdup(e))) || (itf && !(s.host.imds_interface = strdup(itf))))
                        return -ENOMEM;
                for (size_t k = 0; !s.host.imds_error && k < s.n_interfaces; k++)
                        s.host.imds_error = s.interfaces[k].imds.error;
        }

        r = netctl_stale_interfaces(o->network_dir, snap->links, snap->n_links, &stale);
        if (r < 0)
                return r;
        STRV_FOREACH(n, stale) {
                char remedy[64];

                snprintf(remedy, sizeof remedy, "setup-policy-routes %s remove", *n);
                r = finding_add(&s.findings, "stale-files", SEVERITY_WARNING, NULL, "absent", *n, remedy,
                                "Generated configuration is left for %s, which is not present: it would apply "
                                "to an interface that takes that name.", *n);
                if (r < 0)
                        return r;
        }
        *ret = s;
        s = (NetctlStatus) {};
        return 0;
}
