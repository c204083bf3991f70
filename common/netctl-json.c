/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "build-config.h"
#include "error-codes.h"
#include "netctl-json.h"
#include "strv.h"

/* Helpers for the documents of the schema (status, plan, doctor). */
static json_t *netctl_json_string_or_null(const char *s) {
        return s ? json_string(s) : json_null();
}

static json_t *netctl_json_strv(char *const *l) {
        json_t *a = json_array();

        STRV_FOREACH(s, l)
                if (!a || json_array_append_new(a, json_string(*s)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static json_t *netctl_json_time_or_null(uint64_t realtime_usec) {
        char buf[32];

        if (realtime_usec == 0)
                return json_null();
        netctl_format_time(realtime_usec, buf);
        return json_string(buf);
}

static json_t *json_age_or_null(const NetctlStatus *s, uint64_t realtime_usec) {
        return realtime_usec ? json_integer((json_int_t) netctl_age_sec(s->host.now_usec, realtime_usec)) : json_null();
}

static const char *netctl_family_to_string(int family) {
        return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : "other";
}

static const char *protocol_to_string(uint8_t p) {
        switch (p) {
        case RTPROT_KERNEL:
                return "kernel";
        case RTPROT_BOOT:
                return "boot";
        case RTPROT_STATIC:
                return "static";
        case RTPROT_RA:
                return "ra";
        case RTPROT_DHCP:
                return "dhcp";
        case RTPROT_UNSPEC:
                return "unspec";
        default:
                return "other";
        }
}

/* json_pack() with "o" steals references even on failure; NULL members fail the pack. */
#define PACK_OR_ENOMEM(var, ...)                       \
        do {                                           \
                (var) = json_pack(__VA_ARGS__);        \
                if (!(var))                            \
                        return -ENOMEM;                \
        } while (0)

/* One finding: {id, severity, interface, summary, expected, found, remedy}. */
static int netctl_finding_to_json(const Finding *f, json_t **ret) {
        json_t *j;

        PACK_OR_ENOMEM(j, "{s:s, s:s, s:o, s:s, s:o, s:o, s:o}", "id", f->id, "severity",
                       finding_severity_to_string(f->severity), "interface", netctl_json_string_or_null(f->interface),
                       "summary", f->summary, "expected", netctl_json_string_or_null(f->expected), "found",
                       netctl_json_string_or_null(f->found), "remedy", netctl_json_string_or_null(f->remedy));
        *ret = j;
        return 0;
}

int netctl_findings_to_json(const FindingList *l, json_t **ret) {
        json_auto_t *a = json_array();

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < l->n; i++) {
                json_t *f;
                int r = netctl_finding_to_json(&l->items[i], &f);

                if (r < 0)
                        return r;
                if (json_array_append_new(a, f) < 0)
                        return -ENOMEM;
        }
        *ret = json_incref(a);
        return 0;
}

static int host_to_json(const NetctlStatus *s, json_t **ret) {
        const NetctlHost *h = &s->host;
        json_t *j;

        PACK_OR_ENOMEM(j,
                       "{s:s, s:b, s:o, s:o, s:o, s:s, s:o, s:o, s:{s:b, s:o, s:b, s:o, s:b, s:o}, s:{s:b}, s:I, "
                       "s:{s:o, s:o, s:i, s:o}}",
                       "version", EC2NET_VERSION, "enabled", h->enabled, "disabled_by",
                       netctl_json_string_or_null(h->disabled_by), "config_files", netctl_json_strv(h->config_files),
                       "config_warnings", netctl_json_strv(h->config_warnings), "file_prefix", EC2NET_FILE_PREFIX,
                       "network_dir", netctl_json_string_or_null(h->network_dir), "runtime_dir",
                       netctl_json_string_or_null(h->runtime_dir),
                       "networkd", "reachable", h->networkd_known, "version",
                       netctl_json_string_or_null(h->networkd_version),
                       "manage_foreign_routing_policy_rules", h->manage_foreign_rules,
                       "manage_foreign_routing_policy_rules_source",
                       netctl_json_string_or_null(h->manage_foreign_rules_source),
                       "manage_foreign_routes", h->manage_foreign_routes,
                       "manage_foreign_routes_source", netctl_json_string_or_null(h->manage_foreign_routes_source),
                       "systemd", "reachable", h->systemd_known,
                       "reloads_pending", (json_int_t) h->reloads_pending,
                       "imds", "endpoint", netctl_json_string_or_null(h->imds_endpoint), "interface",
                       netctl_json_string_or_null(h->imds_interface), "requests", (int) h->imds_requests, "error",
                       netctl_json_string_or_null(h->imds_error ? error_to_string(h->imds_error) : NULL));
        *ret = j;
        return 0;
}

static int imds_to_json(const NetctlStatus *s, const NetctlInterface *i, json_t **ret) {
        const Eni *eni = netctl_interface_eni(i);
        static const char *const sources[] = {
                [IMDS_VIEW_NONE] = NULL, [IMDS_VIEW_FRESH] = "imds", [IMDS_VIEW_SAVED] = "saved" };
        json_t *j;

        PACK_OR_ENOMEM(j, "{s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                       "source", netctl_json_string_or_null(sources[i->imds.source]),
                       "time", netctl_json_time_or_null(i->imds.time_usec),
                       "age_sec", json_age_or_null(s, i->imds.time_usec),
                       "error", netctl_json_string_or_null(i->imds.error ? error_to_string(i->imds.error) : NULL),
                       "requests", (int) i->imds.requests,
                       "ipv4s", eni ? netctl_json_strv(eni->ipv4s) : json_null(),
                       "ipv6s", eni ? netctl_json_strv(eni->ipv6s) : json_null(),
                       "ipv4_prefixes", eni ? netctl_json_strv(eni->ipv4_prefixes) : json_null(),
                       "ipv6_prefixes", eni ? netctl_json_strv(eni->ipv6_prefixes) : json_null(),
                       "subnet_ipv4_cidr", netctl_json_string_or_null(eni ? eni->subnet_ipv4_cidr : NULL),
                       "subnet_ipv6_cidrs", eni ? netctl_json_strv(eni->subnet_ipv6_cidrs) : json_null(),
                       "has_ipv4", eni ? json_boolean(i->imds.state.has_ipv4) : json_null(),
                       "has_ipv6", eni ? json_boolean(i->imds.state.has_ipv6) : json_null());
        *ret = j;
        return 0;
}

static int files_to_json(const NetctlInterface *i, json_t **ret) {
        json_auto_t *a = json_array();

        if (!a)
                return -ENOMEM;
        for (int k = 0; k < _IFACE_FILE_MAX; k++) {
                const NetctlFile *f = &i->files[k];
                bool known = f->expected_known && !f->read_error;
                bool in_sync = known && !f->expected == !f->found && streq(strempty(f->expected), strempty(f->found));
                json_t *o;

                /* Files that neither exist nor should: nothing to say. */
                if (!f->found && !f->read_error && (!f->expected_known || !f->expected))
                        continue;
                PACK_OR_ENOMEM(o, "{s:s, s:b, s:o, s:o}", "name", f->name, "present", f->found || f->read_error,
                               "expected", known ? json_boolean(f->expected != NULL) : json_null(), "in_sync",
                               known ? json_boolean(in_sync) : json_null());
                if (json_array_append_new(a, o) < 0)
                        return -ENOMEM;
        }
        *ret = json_incref(a);
        return 0;
}

static int kernel_to_json(const NetctlInterface *i, json_t **ret) {
        json_auto_t *rules = json_array(), *routes = json_array(), *addresses = json_array();
        char text[256];
        json_t *j, *o;

        if (!rules || !routes || !addresses)
                return -ENOMEM;
        for (size_t k = 0; k < i->kernel.n_rules; k++) {
                const KernelRule *r = &i->kernel.rules[k];

                kernel_rule_format(r, text, sizeof text);
                PACK_OR_ENOMEM(o, "{s:s, s:I, s:o, s:I, s:s, s:s}", "family", netctl_family_to_string(r->family),
                               "priority", (json_int_t) r->priority, "from",
                               netctl_json_string_or_null(r->from[0] ? r->from : NULL), "table", (json_int_t) r->table,
                               "protocol", protocol_to_string(r->protocol), "text", text);
                if (json_array_append_new(rules, o) < 0)
                        return -ENOMEM;
        }
        for (size_t k = 0; k < i->kernel.n_routes; k++) {
                const KernelRoute *r = &i->kernel.routes[k];

                kernel_route_format(r, text, sizeof text);
                PACK_OR_ENOMEM(o, "{s:s, s:I, s:s, s:o, s:o, s:I, s:s, s:s}", "family",
                               netctl_family_to_string(r->family), "table", (json_int_t) r->table, "destination",
                               r->destination, "gateway", netctl_json_string_or_null(r->gateway[0] ? r->gateway : NULL),
                               "device", netctl_json_string_or_null(r->oif_name[0] ? r->oif_name : NULL), "metric",
                               (json_int_t) r->metric, "protocol", protocol_to_string(r->protocol), "text", text);
                if (json_array_append_new(routes, o) < 0)
                        return -ENOMEM;
        }
        for (size_t k = 0; k < i->kernel.n_addresses; k++) {
                const KernelAddress *a = &i->kernel.addresses[k];

                PACK_OR_ENOMEM(o, "{s:s, s:s, s:i, s:s}", "family", netctl_family_to_string(a->family), "address",
                               a->address, "prefix_length", (int) a->prefixlen, "scope",
                               a->scope == RT_SCOPE_UNIVERSE ? "global" : a->scope == RT_SCOPE_LINK ? "link" :
                               a->scope == RT_SCOPE_HOST ? "host" : "other");
                if (json_array_append_new(addresses, o) < 0)
                        return -ENOMEM;
        }
        PACK_OR_ENOMEM(j, "{s:O, s:O, s:O, s:o}", "rules", rules, "routes", routes, "addresses", addresses, "altnames",
                       netctl_json_strv(i->kernel.altnames));
        *ret = j;
        return 0;
}

static int last_run_to_json(const NetctlStatus *s, const NetctlInterface *i, json_t **ret) {
        json_t *j;

        if (!i->have_run) {
                *ret = json_null();
                return 0;
        }
        PACK_OR_ENOMEM(j, "{s:s, s:o, s:o, s:s, s:o, s:i, s:b, s:i, s:o}", "action", i->run.action, "time",
                       netctl_json_time_or_null(i->run.time_usec), "age_sec", json_age_or_null(s, i->run.time_usec),
                       "result", i->run.error ? "failed" : "ok", "error",
                       netctl_json_string_or_null(i->run.error ? i->run.error_text : NULL), "exit_status",
                       i->run.exit_status, "changed", i->run.changed, "imds_requests", (int) i->run.imds_requests,
                       "last_success_time", netctl_json_time_or_null(i->run.last_success_usec));
        *ret = j;
        return 0;
}

static int interface_to_json(const NetctlStatus *s, const NetctlInterface *i, json_t **ret) {
        const Eni *eni = netctl_interface_eni(i);
        json_t *imds = NULL, *files = NULL, *kernel = NULL, *run = NULL, *findings = NULL, *j;
        unsigned table = 0, metric = 0;
        bool numbers = netctl_interface_numbers(i, &table, &metric);
        int r;

        if ((r = imds_to_json(s, i, &imds)) < 0 || (r = files_to_json(i, &files)) < 0 ||
            (r = kernel_to_json(i, &kernel)) < 0 || (r = last_run_to_json(s, i, &run)) < 0 ||
            (r = netctl_findings_to_json(&i->findings, &findings)) < 0) {
                json_decref(imds);
                json_decref(files);
                json_decref(kernel);
                json_decref(run);
                return r;
        }
        PACK_OR_ENOMEM(j,
                       "{s:s, s:i, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
                       "s:o, s:o, s:{s:b, s:o, s:o, s:o, s:o}, s:o, s:o, s:o, s:o}",
                       "name", i->name, "ifindex", i->ifindex,
                       "mac", netctl_json_string_or_null(i->mac[0] ? i->mac : NULL),
                       "driver", netctl_json_string_or_null(i->driver[0] ? i->driver : NULL),
                       "managed", i->unmanaged == MANAGED,
                       "unmanaged_reason", netctl_json_string_or_null(unmanaged_to_string(i->unmanaged)),
                       "unmanaged_detail", netctl_json_string_or_null(i->unmanaged_detail),
                       "eni_id", netctl_json_string_or_null(eni && eni->interface_id[0] ? eni->interface_id : NULL),
                       "device_number", eni ? json_integer(eni->device_number) : json_null(),
                       "network_card", eni && eni->network_card != NETWORK_CARD_NONE ? json_integer(eni->network_card)
                                                                                      : json_null(),
                       "primary", eni ? json_boolean(eni->primary || eni_is_primary_device(eni)) : json_null(),
                       "table", numbers ? json_integer(table) : json_null(),
                       "priority", numbers ? json_integer(table) : json_null(),
                       "metric", numbers ? json_integer(metric) : json_null(),
                       "imds", imds, "files", files,
                       "networkd", "known", i->networkd.known,
                       "network_file", netctl_json_string_or_null(i->networkd.network_file),
                       "dropin_files", i->networkd.dropin_files ? netctl_json_strv(i->networkd.dropin_files)
                                                                : json_null(),
                       "administrative_state", netctl_json_string_or_null(i->networkd.admin_state),
                       "operational_state", netctl_json_string_or_null(i->networkd.oper_state),
                       "kernel", kernel, "last_run", run,
                       "refresh_timer", i->timer.known
                                ? json_pack("{s:o, s:o}", "active_state",
                                            netctl_json_string_or_null(i->timer.active_state), "next_time",
                                            netctl_json_time_or_null(i->timer.next_usec))
                                : json_null(),
                       "findings", findings);
        *ret = j;
        return 0;
}

int netctl_status_to_json(const NetctlStatus *s, json_t **ret) {
        json_auto_t *interfaces = json_array();
        json_t *host = NULL, *findings = NULL, *j;
        size_t n_findings = s->findings.n, problems = netctl_status_problems(s);
        int r;

        if (!interfaces)
                return -ENOMEM;
        for (size_t k = 0; k < s->n_interfaces; k++) {
                json_t *o;

                r = interface_to_json(s, &s->interfaces[k], &o);
                if (r < 0)
                        return r;
                if (json_array_append_new(interfaces, o) < 0)
                        return -ENOMEM;
                n_findings += s->interfaces[k].findings.n;
        }
        r = host_to_json(s, &host);
        if (r < 0)
                return r;
        r = netctl_findings_to_json(&s->findings, &findings);
        if (r < 0) {
                json_decref(host);
                return r;
        }
        PACK_OR_ENOMEM(j, "{s:s, s:s, s:o, s:b, s:o, s:O, s:o, s:{s:I, s:I, s:I, s:b}}", "schema", NETCTL_SCHEMA,
                       "command", "status", "time", netctl_json_time_or_null(s->host.now_usec), "offline",
                       s->host.offline, "host", host, "interfaces", interfaces, "findings", findings, "summary",
                       "interfaces", (json_int_t) s->n_interfaces, "findings", (json_int_t) n_findings, "problems",
                       (json_int_t) problems, "in_sync", problems == 0);
        *ret = j;
        return 0;
}

static int plan_interface_to_json(const PlanInterface *i, json_t **ret) {
        json_auto_t *files = json_array();
        json_t *findings = NULL, *j;
        int r;

        if (!files)
                return -ENOMEM;
        for (size_t k = 0; k < i->n_files; k++) {
                const PlanFile *f = &i->files[k];
                json_t *o;

                PACK_OR_ENOMEM(o, "{s:s, s:s, s:i, s:i, s:s}", "name", f->name, "change",
                               plan_file_change_to_string(f->change), "added", (int) f->added, "removed",
                               (int) f->removed, "diff", f->diff);
                if (json_array_append_new(files, o) < 0)
                        return -ENOMEM;
        }
        r = netctl_findings_to_json(&i->not_fixed, &findings);
        if (r < 0)
                return r;
        PACK_OR_ENOMEM(j, "{s:s, s:b, s:o, s:o, s:O, s:{s:o, s:o}, s:{s:o, s:o}, s:{s:o}, s:b, s:o}", "name", i->name,
                       "managed", i->managed, "action", netctl_json_string_or_null(i->action), "reason",
                       netctl_json_string_or_null(i->reason), "files", files,
                       "rules", "add", netctl_json_strv(i->rules_add), "remove", netctl_json_strv(i->rules_remove),
                       "addresses", "add", netctl_json_strv(i->addresses_add), "remove",
                       netctl_json_strv(i->addresses_remove),
                       "altnames", "add", netctl_json_strv(i->altnames_add),
                       "reconfigure", i->reconfigure, "findings", findings);
        *ret = j;
        return 0;
}

int netctl_plan_to_json(const NetctlPlan *p, json_t **ret) {
        json_auto_t *interfaces = json_array();
        json_t *findings = NULL, *j;
        size_t changes = netctl_plan_changes(p), problems = netctl_plan_problems(p);
        int r;

        if (!interfaces)
                return -ENOMEM;
        for (size_t k = 0; k < p->n_interfaces; k++) {
                json_t *o;

                r = plan_interface_to_json(&p->interfaces[k], &o);
                if (r < 0)
                        return r;
                if (json_array_append_new(interfaces, o) < 0)
                        return -ENOMEM;
        }
        r = netctl_findings_to_json(&p->findings, &findings);
        if (r < 0)
                return r;
        PACK_OR_ENOMEM(j, "{s:s, s:s, s:o, s:{s:b, s:I, s:o, s:o, s:o}, s:O, s:o, s:{s:I, s:I, s:b}}", "schema",
                       NETCTL_SCHEMA, "command", "plan", "time", netctl_json_time_or_null(p->now_usec),
                       "networkd", "reload", p->reload, "reloads_pending", (json_int_t) p->reloads_pending,
                       "reconfigure", netctl_json_strv(p->reconfigure),
                       "remove_foreign_rules", netctl_json_strv(p->foreign_rules_removed),
                       "remove_foreign_routes", netctl_json_strv(p->foreign_routes_removed),
                       "interfaces", interfaces, "findings", findings,
                       "summary", "changes", (json_int_t) changes, "problems", (json_int_t) problems,
                       "nothing_to_do", changes == 0 && problems == 0);
        *ret = j;
        return 0;
}

int netctl_doctor_to_json(const NetctlDoctor *d, json_t **ret) {
        json_auto_t *checks = json_array();
        json_t *findings = NULL, *j;
        size_t problems = netctl_doctor_problems(d);
        int r;

        if (!checks)
                return -ENOMEM;
        for (int k = 0; k < _DOCTOR_CHECK_MAX; k++) {
                json_t *o;

                PACK_OR_ENOMEM(o, "{s:s, s:s, s:o}", "id", doctor_check_to_string(k), "result",
                               doctor_result_to_string(d->checks[k].result), "detail",
                               netctl_json_string_or_null(d->checks[k].detail));
                if (json_array_append_new(checks, o) < 0)
                        return -ENOMEM;
        }
        r = netctl_findings_to_json(&d->findings, &findings);
        if (r < 0)
                return r;
        PACK_OR_ENOMEM(j, "{s:s, s:s, s:o, s:O, s:o, s:{s:I, s:I, s:b}}", "schema", NETCTL_SCHEMA, "command",
                       "doctor", "time", netctl_json_time_or_null(d->now_usec), "checks", checks, "findings", findings,
                       "summary", "findings", (json_int_t) d->findings.n, "problems", (json_int_t) problems,
                       "healthy", problems == 0);
        *ret = j;
        return 0;
}

int netctl_json_dump(FILE *f, const json_t *j, bool pretty) {
        if (json_dumpf(j, f, pretty ? JSON_INDENT(2) : JSON_COMPACT) < 0)
                return -EIO;
        fputc('\n', f);
        return ferror(f) ? -EIO : 0;
}
