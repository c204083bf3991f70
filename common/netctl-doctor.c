/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <glob.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf-files.h"
#include "error-codes.h"
#include "host-root.h"
#include "imds-client.h"
#include "imds-routes.h"
#include "ini-read.h"
#include "log.h"
#include "netctl-doctor.h"
#include "netctl-drift.h"
#include "network-match.h"
#include "strv.h"
#include "unit-name.h"

#define BUS_TIMEOUT_USEC (2 * USEC_PER_SEC)
#define IMDS_PROBE_USEC (10 * USEC_PER_SEC)
#define TABLE_MIN 10000U    /* 10000 + 100 × card + device, SPEC §4 */
#define TABLE_MAX 13199U
#define LIST_SHOWN 4        /* rules or routes quoted in one finding */

static const char *const check_names[_DOCTOR_CHECK_MAX] = {
        [DOCTOR_NETWORK_FILES] = "network-files",   [DOCTOR_OTHER_MANAGERS] = "other-managers",
        [DOCTOR_NETWORKD_SETTINGS] = "networkd-settings", [DOCTOR_COLLISIONS] = "collisions",
        [DOCTOR_IMDS] = "imds",                     [DOCTOR_UNITS] = "units",
};

const char *doctor_check_to_string(DoctorCheckId id) {
        return id >= 0 && id < _DOCTOR_CHECK_MAX ? check_names[id] : NULL;
}

const char *doctor_result_to_string(DoctorResult r) {
        return r == DOCTOR_OK ? "ok" : r == DOCTOR_FOUND ? "found" : "skipped";
}

void netctl_doctor_done(NetctlDoctor *d) {
        for (int k = 0; k < _DOCTOR_CHECK_MAX; k++)
                free(d->checks[k].detail);
        finding_list_done(&d->findings);
        *d = (NetctlDoctor) {};
}

size_t netctl_doctor_problems(const NetctlDoctor *d) {
        return finding_list_problems(&d->findings);
}

static const NetctlInterface *interface_by_index(const NetctlStatus *s, int ifindex) {
        for (size_t k = 0; k < s->n_interfaces; k++)
                if (s->interfaces[k].ifindex == ifindex)
                        return &s->interfaces[k];
        return NULL;
}

static const LinkInfo *link_by_index(const NetctlStatus *s, int ifindex) {
        for (size_t k = 0; k < s->kernel.n_links; k++)
                if (s->kernel.links[k].ifindex == ifindex)
                        return &s->kernel.links[k];
        return NULL;
}

static bool link_named(const NetctlStatus *s, const char *prefix) {
        for (size_t k = 0; k < s->kernel.n_links; k++)
                if (strncmp(s->kernel.links[k].ifname, prefix, strlen(prefix)) == 0)
                        return true;
        return false;
}

/* An ENI's table (the priority of its rules) when known: from its IMDS view, or else from
 * its altname device-number-D[.C] (doctor does not ask IMDS for every ENI). */
static bool interface_table(const NetctlInterface *i, unsigned *ret) {
        unsigned d, c = 0;

        if (netctl_interface_numbers(i, ret, NULL))
                return true;
        STRV_FOREACH(a, i->kernel.altnames) {
                char rest;

                if (sscanf(*a, "device-number-%u.%u%c", &d, &c, &rest) == 2 ||
                    (c = 0, sscanf(*a, "device-number-%u%c", &d, &rest) == 1)) {
                        if (d > 99 || c > 31)
                                return false;
                        *ret = TABLE_MIN + 100 * c + d;
                        return true;
                }
        }
        return false;
}

/* --- network-files -------------------------------------------------------------------- */

static const char *const network_dirs[] = { "/etc/systemd/network", "/run/systemd/network",
                                            "/usr/local/lib/systemd/network", "/usr/lib/systemd/network",
                                            "/lib/systemd/network" };

int doctor_check_network_files(const NetctlStatus *s, const char *network_dir, FindingList *out) {
        _cleanup_strv_free_ char **dirs = NULL, **files = NULL;
        int r;

        for (size_t k = 0; k < ELEMENTSOF(network_dirs); k++) {
                char path[PATH_MAX];

                /* Our own directory is where the product writes, whatever the root. */
                if (streq(network_dirs[k], "/run/systemd/network"))
                        r = strv_extend(&dirs, network_dir);
                else
                        r = host_path(network_dirs[k], path, sizeof path) < 0 ? 0 : strv_extend(&dirs, path);
                if (r < 0)
                        return r;
        }
        r = conf_files_list(dirs, ".network", &files);
        if (r < 0)
                return r;

        for (size_t k = 0; k < s->n_interfaces; k++) {
                const NetctlInterface *i = &s->interfaces[k];
                MatchLink link = {
                        .name = i->name, .altnames = i->kernel.altnames, .mac = i->mac,
                        .driver = i->driver, .type = "ether", .kind = "",
                };

                if (!netctl_interface_is_ours(i))
                        continue;
                /* networkd applies the first file, in name order, that matches. */
                STRV_FOREACH(f, files) {
                        _cleanup_(network_match_done) NetworkMatch m = {};
                        bool masked = false;
                        MatchResult result;
                        char remedy[PATH_MAX + 128];
                        const char *applied = i->networkd.known ? i->networkd.network_file : NULL;

                        if (network_match_parse_with_dropins(*f, dirs, &m, &masked) < 0 || masked)
                                continue;
                        result = network_match_link(&m, &link);
                        if (result == MATCH_NO)
                                continue;
                        if (netctl_network_file_is_ours(i->name, *f))
                                break;   /* ours (or the administrator's of the same name) wins */
                        snprintf(remedy, sizeof remedy,
                                 "Remove %s, or make its [Match] not match %s (netplan: match by name), or "
                                 "exclude %s from amazon-ec2-net-utils (ExcludeInterfaces=)", *f, i->name,
                                 i->name);
                        r = finding_add(out, "network-file-shadowing",
                                        result == MATCH_YES ? SEVERITY_ERROR : SEVERITY_WARNING, i->name, NULL, *f,
                                        remedy, "%s %s %s before the generated configuration: %s%s.", *f,
                                        result == MATCH_YES ? "matches" : "may match (conditions on the host)",
                                        i->name,
                                        applied && streq(applied, *f) ? "networkd applies it now"
                                        : "networkd will apply it at its next reload or restart",
                                        ", so policy routing for it does not apply");
                        if (r < 0)
                                return r;
                        break;
                }
                /* networkd applies a file we did not see (another directory, a stale load). */
                if (i->networkd.known && i->networkd.network_file &&
                    !netctl_network_file_is_ours(i->name, i->networkd.network_file) &&
                    !strv_contains(files, i->networkd.network_file)) {
                        r = finding_add(out, "network-file-shadowing", SEVERITY_ERROR, i->name, NULL,
                                        i->networkd.network_file, "networkctl reload",
                                        "networkd applies %s to %s, not the generated configuration.",
                                        i->networkd.network_file, i->name);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* --- other-managers ------------------------------------------------------------------- */

static const char *const udev_rule_dirs[] = { "/etc/udev/rules.d", "/run/udev/rules.d", "/usr/local/lib/udev/rules.d",
                                              "/usr/lib/udev/rules.d", "/lib/udev/rules.d" };

static int udev_rules(char ***ret) {
        _cleanup_strv_free_ char **dirs = NULL;

        for (size_t k = 0; k < ELEMENTSOF(udev_rule_dirs); k++) {
                char path[PATH_MAX];

                if (host_path(udev_rule_dirs[k], path, sizeof path) >= 0 && strv_extend(&dirs, path) < 0)
                        return -ENOMEM;
        }
        return conf_files_list(dirs, ".rules", ret);
}

static bool active_file(const char *path) {
        return access(path, F_OK) == 0 && ini_file_is_masked(path) == 0;
}

/* The names of the systemd units enabled by a .wants/ symlink under /etc/systemd/system. */
static bool unit_enabled_by_file(const char *unit) {
        char pattern[PATH_MAX], rel[256];
        glob_t g = {};
        bool found;

        snprintf(rel, sizeof rel, "/etc/systemd/system/*.wants/%s", unit);
        if (host_path(rel, pattern, sizeof pattern) < 0)
                return false;
        found = glob(pattern, GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
        globfree(&g);
        return found;
}

int doctor_check_other_manager_files(const NetctlStatus *s, FindingList *out) {
        _cleanup_strv_free_ char **rules = NULL;
        int r;

        r = udev_rules(&rules);
        if (r < 0)
                return r;
        STRV_FOREACH(f, rules) {
                const char *base = strrchr(*f, '/') + 1;

                if (!active_file(*f))
                        continue;
                if (strstr(base, "cloud-init-hook-hotplug"))
                        r = finding_add(out, "cloud-init-hotplug", SEVERITY_WARNING, NULL, NULL, *f,
                                        "Turn cloud-init's hotplug off (updates: network: when: [boot]) or exclude "
                                        "the ENIs it manages from amazon-ec2-net-utils",
                                        "cloud-init's hotplug hook (%s) reconfigures the network when an ENI is "
                                        "attached, at the same time as amazon-ec2-net-utils.", *f);
                else if (streq(base, "75-cloud-ifupdown.rules"))
                        r = finding_add(out, "ifupdown-hotplug", SEVERITY_WARNING, NULL, NULL, *f,
                                        "Divert or remove it (2.x's package diverts it to 75-cloud-ifupdown.rules.distrib)",
                                        "Debian's %s brings hot-plugged ENIs up with ifupdown, beside "
                                        "systemd-networkd.", *f);
                else
                        continue;
                if (r < 0)
                        return r;
        }
        if (unit_enabled_by_file("nm-cloud-setup.timer") || unit_enabled_by_file("nm-cloud-setup.service")) {
                r = finding_add(out, "nm-cloud-setup", SEVERITY_WARNING, NULL, "disabled", "enabled",
                                "systemctl disable --now nm-cloud-setup.timer nm-cloud-setup.service",
                                "nm-cloud-setup is enabled: it configures policy routing for the ENIs itself, "
                                "against the same tables and rules.");
                if (r < 0)
                        return r;
        }
        (void) s;
        return 0;
}

/* Routes of other agents through ENIs, in tables that are neither the kernel's nor ours:
 * the Amazon VPC CNI (tables 2, 3, ... per ENI, rules at 512 and 1536), Cilium's ENI mode
 * (tables of its own, its cilium_host link). */
int doctor_check_foreign_policy_routing(const NetctlStatus *s, FindingList *out) {
        const char *agent = link_named(s, "cilium_") ? "Cilium (ENI mode)" : NULL;
        int r;

        for (size_t k = 0; !agent && k < s->kernel.n_rules; k++)
                if (IN_SET((int) s->kernel.rules[k].priority, 512, 1536) &&
                    s->kernel.rules[k].protocol != RTPROT_STATIC)
                        agent = "the Amazon VPC CNI (aws-node)";
        if (!agent)
                agent = "another agent";

        for (size_t k = 0; k < s->n_interfaces; k++) {
                const NetctlInterface *i = &s->interfaces[k];
                _cleanup_free_ char *tables = NULL;
                unsigned seen[LIST_SHOWN];
                char remedy[256];
                size_t n = 0;

                for (size_t q = 0; q < s->kernel.n_routes && n < LIST_SHOWN; q++) {
                        const KernelRoute *rt = &s->kernel.routes[q];
                        bool dup = false;
                        char *t = NULL;

                        if (rt->oif != i->ifindex || IN_SET((int) rt->table, 0, RT_TABLE_DEFAULT, RT_TABLE_MAIN,
                                                               RT_TABLE_LOCAL) ||
                            (rt->table >= TABLE_MIN && rt->table <= TABLE_MAX))
                                continue;
                        for (size_t x = 0; x < n; x++)
                                dup = dup || seen[x] == rt->table;
                        if (dup)
                                continue;
                        seen[n++] = rt->table;
                        if (asprintf(&t, "%s%stable %u", strempty(tables), tables ? ", " : "", rt->table) < 0)
                                return -ENOMEM;
                        free(tables);
                        tables = t;
                }
                if (n == 0)
                        continue;
                if (netctl_interface_is_ours(i)) {
                        snprintf(remedy, sizeof remedy,
                                 "Hand %s to it: ExcludeInterfaces=%s (or ExcludeMACs=%s) in "
                                 "/etc/amazon-ec2-net-utils.conf.d/", i->name, i->name, i->mac);
                        r = finding_add(out, "foreign-routing-on-eni", SEVERITY_WARNING, i->name, "none", tables,
                                        remedy,
                                        "%s routes through %s (%s) while amazon-ec2-net-utils manages it too.",
                                        agent, i->name, tables);
                } else
                        r = finding_add(out, "foreign-routing-on-eni", SEVERITY_INFO, i->name, NULL, tables, NULL,
                                        "%s routes through %s (%s), which is handed to it (%s).", agent, i->name,
                                        tables, strna(unmanaged_to_string(i->unmanaged)));
                if (r < 0)
                        return r;
        }
        return 0;
}

#define NM_SERVICE "org.freedesktop.NetworkManager"

static int bus_name_has_owner(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int has = 0, r;

        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "NameHasOwner", &error, &reply, "s", name);
        if (r >= 0)
                r = sd_bus_message_read(reply, "b", &has);
        return r < 0 ? r : has;
}

/* Whether NetworkManager manages the device (GetDeviceByIpIface, Device.Managed). */
static int networkmanager_manages(sd_bus *bus, const char *ifname) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL, *prop = NULL;
        const char *path;
        int managed = 0, r;

        r = sd_bus_call_method(bus, NM_SERVICE, "/org/freedesktop/NetworkManager", NM_SERVICE, "GetDeviceByIpIface",
                               &error, &reply, "s", ifname);
        if (r < 0)
                return 0;   /* NetworkManager does not know the device */
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, NM_SERVICE, path, "org.freedesktop.DBus.Properties", "Get", &error, &prop, "ss",
                               NM_SERVICE ".Device", "Managed");
        if (r >= 0)
                r = sd_bus_message_read(prop, "v", "b", &managed);
        return r < 0 ? r : managed;
}

static int check_networkmanager(const NetctlOptions *o, const NetctlStatus *s, FindingList *out) {
        int r;

        if (!o->bus || bus_name_has_owner(o->bus, NM_SERVICE) <= 0)
                return 0;
        for (size_t k = 0; k < s->n_interfaces; k++) {
                const NetctlInterface *i = &s->interfaces[k];
                char remedy[256];

                if (!netctl_interface_is_ours(i) || networkmanager_manages(o->bus, i->name) <= 0)
                        continue;
                snprintf(remedy, sizeof remedy,
                         "nmcli device set %s managed no (and unmanaged-devices=interface-name:%s in "
                         "NetworkManager.conf), or exclude it from amazon-ec2-net-utils", i->name, i->name);
                r = finding_add(out, "networkmanager-manages-eni", SEVERITY_ERROR, i->name, "unmanaged", "managed",
                                remedy, "NetworkManager manages %s as well as systemd-networkd.", i->name);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* --- networkd-settings ---------------------------------------------------------------- */

static bool rule_is_foreign(const KernelRule *r) {
        return r->protocol != RTPROT_KERNEL && r->protocol != RTPROT_STATIC;
}

static bool route_is_foreign(const KernelRoute *r) {
        return !IN_SET(r->protocol, RTPROT_KERNEL, RTPROT_STATIC, RTPROT_RA, RTPROT_DHCP, RTPROT_REDIRECT) &&
               r->table != RT_TABLE_LOCAL && r->type == RTN_UNICAST;
}

static int quoted_rules(const NetctlStatus *s, bool (*pick)(const NetctlStatus *, const KernelRule *),
                        size_t *ret_n, char **ret) {
        char *text = NULL;
        size_t n = 0;

        for (size_t k = 0; k < s->kernel.n_rules; k++) {
                char line[256], *t = NULL;

                if (!pick(s, &s->kernel.rules[k]))
                        continue;
                if (n++ >= LIST_SHOWN)
                        continue;
                kernel_rule_format(&s->kernel.rules[k], line, sizeof line);
                if (asprintf(&t, "%s%s%s", strempty(text), text ? "; " : "", line) < 0) {
                        free(text);
                        return -ENOMEM;
                }
                free(text);
                text = t;
        }
        *ret_n = n;
        *ret = text;
        return 0;
}

static bool pick_foreign(const NetctlStatus *s, const KernelRule *r) {
        return rule_is_foreign(r);
}

/* A rule in our priority range whose table belongs to no ENI present: left by a removed
 * ENI (2.x, or networkd keeping it with ManageForeignRoutingPolicyRules=no). */
static bool pick_stale(const NetctlStatus *s, const KernelRule *r) {
        if (r->priority < TABLE_MIN || r->priority > TABLE_MAX || r->action != FR_ACT_TO_TBL ||
            r->table != r->priority)
                return false;
        for (size_t k = 0; k < s->n_interfaces; k++) {
                unsigned t;

                if (interface_table(&s->interfaces[k], &t) && t == r->table)
                        return false;
        }
        return true;
}

int doctor_check_networkd_settings(const NetctlStatus *s, FindingList *out) {
        _cleanup_free_ char *foreign = NULL, *stale = NULL, *routes = NULL;
        const NetctlHost *h = &s->host;
        char source[PATH_MAX + 64];
        size_t n_foreign = 0, n_stale = 0, n_routes = 0;
        int r;

        r = quoted_rules(s, pick_foreign, &n_foreign, &foreign);
        if (r >= 0)
                r = quoted_rules(s, pick_stale, &n_stale, &stale);
        if (r < 0)
                return r;
        for (size_t k = 0; k < s->kernel.n_routes; k++) {
                const KernelRoute *rt = &s->kernel.routes[k];
                char line[256], *t = NULL;

                if (!route_is_foreign(rt) || !interface_by_index(s, rt->oif))
                        continue;
                if (n_routes++ >= LIST_SHOWN)
                        continue;
                kernel_route_format(rt, line, sizeof line);
                if (asprintf(&t, "%s%s%s (table %u)", strempty(routes), routes ? "; " : "", line, rt->table) < 0)
                        return -ENOMEM;
                free(routes);
                routes = t;
        }

        snprintf(source, sizeof source, "ManageForeignRoutingPolicyRules=%s (%s)",
                 h->manage_foreign_rules ? "yes" : "no",
                 h->manage_foreign_rules_source ? h->manage_foreign_rules_source : "the default");
        if (n_foreign > 0 && h->manage_foreign_rules) {
                r = finding_add(out, "networkd-drops-foreign-rules", SEVERITY_WARNING, NULL,
                                "ManageForeignRoutingPolicyRules=no", source,
                                "[Network] ManageForeignRoutingPolicyRules=no in /etc/systemd/networkd.conf.d/",
                                "%zu policy rule(s) not made by networkd (%s) are removed each time networkd "
                                "configures a link, as after every refresh that changes a file.", n_foreign,
                                foreign);
                if (r < 0)
                        return r;
        }
        if (!h->manage_foreign_rules) {
                r = finding_add(out, "networkd-keeps-foreign-rules", SEVERITY_INFO, NULL, NULL, source, NULL,
                                "networkd leaves rules it did not make: rules of removed ENIs (2.x's, or made "
                                "by hand) are not cleaned up by it.");
                if (r < 0)
                        return r;
        }
        if (n_stale > 0) {
                r = finding_add(out, "stale-rules", SEVERITY_WARNING, NULL, NULL, stale,
                                "ip rule del priority N table N for each",
                                "%zu rule(s) at the priority of an ENI table no present ENI has: %s.", n_stale,
                                stale);
                if (r < 0)
                        return r;
        }
        snprintf(source, sizeof source, "ManageForeignRoutes=%s (%s)", h->manage_foreign_routes ? "yes" : "no",
                 h->manage_foreign_routes_source ? h->manage_foreign_routes_source : "the default");
        if (n_routes > 0 && h->manage_foreign_routes) {
                r = finding_add(out, "networkd-drops-foreign-routes", SEVERITY_WARNING, NULL, "ManageForeignRoutes=no",
                                source, "[Network] ManageForeignRoutes=no in /etc/systemd/networkd.conf.d/",
                                "%zu route(s) through ENIs not made by networkd (%s) are removed when networkd "
                                "reconfigures their link.", n_routes, routes);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* --- collisions ----------------------------------------------------------------------- */

int doctor_check_collisions(const NetctlStatus *s, FindingList *out) {
        int r;

        for (size_t k = 0; k < s->n_interfaces; k++) {
                const NetctlInterface *i = &s->interfaces[k];
                char text[256], want[64];
                unsigned table;

                if (!netctl_interface_is_ours(i) || !interface_table(i, &table))
                        continue;
                snprintf(want, sizeof want, "only %s's rules at priority %u", i->name, table);
                for (size_t q = 0; q < s->kernel.n_rules; q++) {
                        const KernelRule *rule = &s->kernel.rules[q];

                        kernel_rule_format(rule, text, sizeof text);
                        if (rule->priority == table && (rule->action != FR_ACT_TO_TBL || rule->table != table))
                                r = finding_add(out, "priority-collision", SEVERITY_ERROR, i->name, want, text,
                                                "Move the other agent's rules to priorities outside 10000-13199",
                                                "A rule not ours sits at priority %u, %s's: %s.", table, i->name,
                                                text);
                        else if (rule->priority != table && rule->action == FR_ACT_TO_TBL && rule->table == table)
                                r = finding_add(out, "table-collision", SEVERITY_WARNING, i->name, want, text,
                                                "Give the other agent tables outside 10000-13199",
                                                "A rule at another priority looks up %s's table %u: %s.", i->name,
                                                table, text);
                        else
                                continue;
                        if (r < 0)
                                return r;
                }
                for (size_t q = 0; q < s->kernel.n_routes; q++) {
                        const KernelRoute *rt = &s->kernel.routes[q];
                        const LinkInfo *other;

                        if (rt->table != table || rt->oif <= 0 || rt->oif == i->ifindex)
                                continue;
                        other = link_by_index(s, rt->oif);
                        kernel_route_format(rt, text, sizeof text);
                        r = finding_add(out, "table-collision", SEVERITY_ERROR, i->name, want, text,
                                        "Give the other agent tables outside 10000-13199",
                                        "Table %u, %s's, holds a route through %s: %s.", table, i->name,
                                        other ? other->ifname : "another link", text);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* --- imds ----------------------------------------------------------------------------- */

static bool route_to_imds(const NetctlStatus *s) {
        for (size_t k = 0; k < s->kernel.n_routes; k++) {
                const KernelRoute *rt = &s->kernel.routes[k];

                if (rt->family == AF_INET && rt->table == RT_TABLE_MAIN && kernel_route_covers(rt, "169.254.169.254"))
                        return true;
        }
        return false;
}

int doctor_imds_finding(const NetctlStatus *s, int r, unsigned requests, FindingList *out) {
        const char *text = error_to_string(r);

        if (r >= 0)
                return 0;
        switch (-r) {
        case EIMDS_DISABLED:
                return finding_add(out, "imds-disabled", SEVERITY_ERROR, NULL, "enabled", "HTTP 403",
                                   "aws ec2 modify-instance-metadata-options --instance-id ID --http-endpoint enabled",
                                   "IMDS is disabled for this instance: no ENI can be configured.");
        case EIMDS_REJECTED:
                if (requests <= 1)
                        return finding_add(out, "imds-v1-only", SEVERITY_ERROR, NULL, "an IMDSv2 token",
                                           "the token request refused",
                                           "Use an endpoint that speaks IMDSv2 (IMDS itself; a proxy in between "
                                           "may not forward PUT)",
                                           "IMDS refused the IMDSv2 token request: it answers IMDSv1 only, which "
                                           "amazon-ec2-net-utils does not use.");
                return finding_add(out, "imds-rejected", SEVERITY_ERROR, NULL, NULL, text, NULL,
                                   "IMDS rejected a request: %s.", text);
        case EIMDS_TIMEOUT:
                return finding_add(out, "imds-timeout", SEVERITY_ERROR, NULL, "an answer", text,
                                   "aws ec2 modify-instance-metadata-options --instance-id ID "
                                   "--http-put-response-hop-limit 2 (in a container or a network namespace)",
                                   "IMDS accepted the connection but did not answer in time: from a container or "
                                   "a network namespace, the token's hop limit (HttpPutResponseHopLimit, 1 by "
                                   "default on some AMIs) drops the answer.");
        case EIMDS_UNREACHABLE:
                if (!route_to_imds(s))
                        return finding_add(out, "imds-no-route", SEVERITY_ERROR, NULL, "a route to 169.254.169.254",
                                           "none in the main table", "Check the primary ENI's DHCP lease (networkctl status)",
                                           "No route leads to IMDS (169.254.169.254).");
                return finding_add(out, "imds-unreachable", SEVERITY_ERROR, NULL, NULL, text,
                                   "Check security software and iptables/nftables rules for 169.254.169.254",
                                   "IMDS could not be reached on any route: %s.", text);
        case EIMDS_BUSY:
                return finding_add(out, "imds-busy", SEVERITY_WARNING, NULL, NULL, text,
                                   "Fewer requests to IMDS from this instance (1024 packets/s per ENI)",
                                   "IMDS is busy (HTTP 429/5xx on every attempt).");
        default:
                return finding_add(out, "imds-error", SEVERITY_ERROR, NULL, NULL, text, NULL,
                                   "IMDS gave no usable answer: %s.", text);
        }
}

static int check_imds(const NetctlOptions *o, const NetctlStatus *s, FindingList *out) {
        _cleanup_strv_free_ char **candidates = NULL, **routes = NULL;
        _cleanup_(imds_client_freep) ImdsClient *c = NULL;
        _cleanup_free_ char *body = NULL;
        int r;

        for (size_t k = 0; k < s->n_interfaces; k++)
                if (netctl_interface_is_ours(&s->interfaces[k]) && strv_extend(&candidates, s->interfaces[k].name) < 0)
                        return -ENOMEM;
        r = imds_routes_build(candidates, NULL, &routes);
        if (r < 0)
                return r;
        /* No cached token: the token request is what the hop limit and IMDSv1-only break. */
        ImdsOptions io = {
                .endpoints = o->config->imds_endpoints,
                .interfaces = routes,
                .deadline_usec = usec_add(now_usec(), IMDS_PROBE_USEC),
                .max_attempts = o->imds_max_attempts,
        };
        r = imds_client_new(&io, &c);
        if (r < 0)
                return r;
        r = imds_get(c, "mac", &body, NULL);
        if (r == -ENOMEM)
                return r;
        return doctor_imds_finding(s, r, imds_client_requests(c), out);
}

/* --- units ---------------------------------------------------------------------------- */

/* "policy-routes@ens6.service" -> "ens6" (\xNN escapes undone). */
static int unit_instance(const char *unit, char *buf, size_t size) {
        const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');
        size_t n = 0;

        if (!at || !dot || dot < at)
                return -EINVAL;
        for (const char *p = at + 1; p < dot && n + 1 < size; p++) {
                unsigned x;

                if (p[0] == '\\' && p[1] == 'x' && p + 3 < dot && sscanf(p + 2, "%2x", &x) == 1) {
                        buf[n++] = (char) x;
                        p += 3;
                } else
                        buf[n++] = *p;
        }
        buf[n] = '\0';
        return 0;
}

int doctor_units_findings(const NetctlStatus *s, const DoctorUnit *units, size_t n, FindingList *out) {
        int r;

        for (size_t k = 0; k < n; k++) {
                const DoctorUnit *u = &units[k];
                const NetctlInterface *i = NULL;
                bool present = false, timer = strstr(u->name, ".timer") != NULL;
                char remedy[2 * sizeof u->name + 64];

                for (size_t q = 0; q < s->n_interfaces; q++)
                        if (streq(s->interfaces[q].name, u->instance))
                                i = &s->interfaces[q];
                for (size_t q = 0; q < s->kernel.n_links; q++)
                        present = present || streq(s->kernel.links[q].ifname, u->instance);

                if (!present) {
                        if (!streq(u->state.active_state, "active") && !streq(u->state.active_state, "activating") &&
                            !streq(u->state.active_state, "failed"))
                                continue;
                        snprintf(remedy, sizeof remedy, "systemctl stop %s%s", u->name,
                                 streq(u->state.active_state, "failed") ? "; systemctl reset-failed" : "");
                        r = finding_add(out, "unit-stale", SEVERITY_WARNING, u->instance, "inactive",
                                        u->state.active_state, remedy,
                                        "%s is %s, but %s is gone.", u->name, u->state.active_state, u->instance);
                } else if (!i || !netctl_interface_is_ours(i) || !s->host.enabled)
                        continue;   /* masked on purpose when the package is disabled */
                else if (streq(u->state.load_state, "masked")) {
                        snprintf(remedy, sizeof remedy, "systemctl unmask %s", u->name);
                        r = finding_add(out, "unit-masked", SEVERITY_ERROR, u->instance, "loaded", "masked", remedy,
                                        "%s is masked: %s is %s.", u->name, u->instance,
                                        timer ? "never refreshed" : "not set up when it appears");
                } else if (streq(u->state.active_state, "failed")) {
                        snprintf(remedy, sizeof remedy, "journalctl -u %s; systemctl restart %s", u->name, u->name);
                        r = finding_add(out, "unit-failed", SEVERITY_ERROR, u->instance, "active", "failed", remedy,
                                        "%s failed.", u->name);
                } else if (timer && i->have_files && !streq(u->state.active_state, "active")) {
                        snprintf(remedy, sizeof remedy, "systemctl start %s", u->name);
                        r = finding_add(out, "refresh-timer-inactive", SEVERITY_WARNING, u->instance, "active",
                                        u->state.active_state, remedy,
                                        "%s is %s: addresses assigned in EC2 do not reach %s.", u->name,
                                        u->state.active_state, u->instance);
                } else
                        continue;
                if (r < 0)
                        return r;
        }
        return 0;
}

static int units_add(DoctorUnit **units, size_t *n, const char *name, const UnitState *st) {
        DoctorUnit *a;

        for (size_t k = 0; k < *n; k++)
                if (streq((*units)[k].name, name))
                        return 0;
        a = realloc(*units, (*n + 1) * sizeof *a);
        if (!a)
                return -ENOMEM;
        *units = a;
        a[*n] = (DoctorUnit) { .state = *st };
        snprintf(a[*n].name, sizeof a[*n].name, "%s", name);
        if (unit_instance(name, a[*n].instance, sizeof a[*n].instance) < 0)
                return 0;
        (*n)++;
        return 0;
}

static int check_units(const NetctlOptions *o, const NetctlStatus *s, FindingList *out) {
        static const char *const patterns[] = { "policy-routes@*.service", "refresh-policy-routes@*.timer",
                                                "refresh-policy-routes@*.service" };
        _cleanup_free_ DoctorUnit *units = NULL;
        size_t n = 0;
        int r;

        /* Those of the ENIs present, loaded if need be, and any other instance loaded. */
        for (size_t k = 0; k < s->n_interfaces; k++)
                for (size_t p = 0; p < 2; p++) {
                        char unit[128];
                        UnitState st;

                        if (unit_name_for_interface(p == 0 ? "policy-routes" : "refresh-policy-routes",
                                                    s->interfaces[k].name, p == 0 ? ".service" : ".timer", unit,
                                                    sizeof unit) < 0 ||
                            systemd_unit_state(o->bus, unit, BUS_TIMEOUT_USEC, &st) < 0)
                                continue;
                        if ((r = units_add(&units, &n, unit, &st)) < 0)
                                return r;
                }
        for (size_t p = 0; p < ELEMENTSOF(patterns); p++) {
                _cleanup_strv_free_ char **names = NULL;

                if (systemd_list_units(o->bus, patterns[p], BUS_TIMEOUT_USEC, &names) < 0)
                        continue;
                STRV_FOREACH(name, names) {
                        UnitState st;

                        if (systemd_unit_state(o->bus, *name, BUS_TIMEOUT_USEC, &st) >= 0 &&
                            (r = units_add(&units, &n, *name, &st)) < 0)
                                return r;
                }
        }
        return doctor_units_findings(s, units, n, out);
}

/* --- all ------------------------------------------------------------------------------ */

static int check_done(NetctlDoctor *d, DoctorCheckId id, size_t before, int r) {
        if (r < 0)
                return r;
        d->checks[id].result = d->findings.n > before ? DOCTOR_FOUND : DOCTOR_OK;
        return 0;
}

static int skip(NetctlDoctor *d, DoctorCheckId id, const char *why) {
        d->checks[id].result = DOCTOR_SKIPPED;
        d->checks[id].detail = strdup(why);
        return d->checks[id].detail ? 0 : -ENOMEM;
}

int netctl_doctor_run(const NetctlOptions *o, const NetctlStatus *s, NetctlDoctor *ret) {
        _cleanup_(netctl_doctor_done) NetctlDoctor d = { .now_usec = s->host.now_usec };
        size_t before;
        int r;

        before = d.findings.n;
        r = check_done(&d, DOCTOR_NETWORK_FILES, before, doctor_check_network_files(s, o->network_dir, &d.findings));
        if (r < 0)
                return r;

        before = d.findings.n;
        r = doctor_check_other_manager_files(s, &d.findings);
        if (r >= 0)
                r = doctor_check_foreign_policy_routing(s, &d.findings);
        if (r >= 0)
                r = check_networkmanager(o, s, &d.findings);
        r = check_done(&d, DOCTOR_OTHER_MANAGERS, before, r);
        if (r < 0)
                return r;

        before = d.findings.n;
        r = check_done(&d, DOCTOR_NETWORKD_SETTINGS, before, doctor_check_networkd_settings(s, &d.findings));
        if (r < 0)
                return r;

        before = d.findings.n;
        r = check_done(&d, DOCTOR_COLLISIONS, before, doctor_check_collisions(s, &d.findings));
        if (r < 0)
                return r;

        before = d.findings.n;
        if (!s->host.enabled)
                r = skip(&d, DOCTOR_IMDS, "the package is disabled");
        else
                r = check_done(&d, DOCTOR_IMDS, before, check_imds(o, s, &d.findings));
        if (r < 0)
                return r;

        before = d.findings.n;
        if (!o->bus || !s->host.systemd_known)
                r = skip(&d, DOCTOR_UNITS, "systemd is not on the bus");
        else
                r = check_done(&d, DOCTOR_UNITS, before, check_units(o, s, &d.findings));
        if (r < 0)
                return r;

        *ret = d;
        d = (NetctlDoctor) {};
        return 0;
}
