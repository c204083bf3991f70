/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <inttypes.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "build-config.h"
#include "error-codes.h"
#include "netctl-table.h"
#include "strv.h"

#define ANSI_RED "\033[0;31m"
#define ANSI_YELLOW "\033[0;33m"
#define ANSI_GREEN "\033[0;32m"
#define ANSI_GREY "\033[0;90m"
#define ANSI_RESET "\033[0m"

const char *netctl_colour(FindingSeverity s, bool colour) {
        if (!colour)
                return "";
        return s == SEVERITY_ERROR ? ANSI_RED : s == SEVERITY_WARNING ? ANSI_YELLOW : ANSI_GREY;
}

static const char *netctl_colour_reset(bool colour) {
        return colour ? ANSI_RESET : "";
}

static const char *ok_colour(bool colour) {
        return colour ? ANSI_GREEN : "";
}

/* "12 s", "5 min", "3 h", "2 d" */
static void netctl_format_age(uint64_t sec, char buf[static 32]) {
        if (sec < 120)
                snprintf(buf, 32, "%" PRIu64 " s", sec);
        else if (sec < 2 * 3600)
                snprintf(buf, 32, "%" PRIu64 " min", sec / 60);
        else if (sec < 2 * 86400)
                snprintf(buf, 32, "%" PRIu64 " h", sec / 3600);
        else
                snprintf(buf, 32, "%" PRIu64 " d", sec / 86400);
}

static const char *severity_mark(FindingSeverity s) {
        return s == SEVERITY_ERROR ? "✗" : s == SEVERITY_WARNING ? "!" : "·";
}

/* The findings, one block each ("✗ ens6 rule-missing: ...", expected, found, what to do). */
static void netctl_findings_dump(FILE *f, const FindingList *l, bool colour) {
        for (size_t k = 0; k < l->n; k++) {
                const Finding *x = &l->items[k];

                fprintf(f, "%s%s %s%s%s%s: %s\n", netctl_colour(x->severity, colour), severity_mark(x->severity),
                        x->interface ? x->interface : "", x->interface ? " " : "", x->id, netctl_colour_reset(colour),
                        x->summary);
                if (x->expected || x->found) {
                        fprintf(f, "    expected: %s\n", x->expected ? x->expected : "-");
                        fprintf(f, "    found:    %s\n", x->found ? x->found : "-");
                }
                if (x->remedy)
                        fprintf(f, "    fix:      %s\n", x->remedy);
        }
}

/* The worst severity among the interface's findings, or -1 for none that counts. */
static int worst(const FindingList *l) {
        int w = -1;

        for (size_t k = 0; k < l->n; k++)
                if (l->items[k].severity >= SEVERITY_WARNING && (int) l->items[k].severity > w)
                        w = (int) l->items[k].severity;
        return w;
}

static void host_dump(FILE *f, const NetctlStatus *s) {
        const NetctlHost *h = &s->host;

        fprintf(f, "amazon-ec2-net-utils %s: %s%s%s; systemd-networkd %s%s%s\n", EC2NET_VERSION,
                h->enabled ? "enabled" : "disabled", h->enabled ? "" : " by ", h->enabled ? "" : strna(h->disabled_by),
                !h->networkd_known ? "not reachable" : h->networkd_version ? "" : "running",
                h->networkd_version ? h->networkd_version : "",
                h->reloads_pending ? ", a reload is pending" : "");
        fputs("Configuration: ", f);
        if (!h->config_files || !h->config_files[0])
                fputs("built-in defaults", f);
        STRV_FOREACH(c, h->config_files)
                fprintf(f, "%s%s", c == h->config_files ? "" : ", ", *c);
        fputc('\n', f);
        STRV_FOREACH(w, h->config_warnings)
                fprintf(f, "  warning: %s\n", *w);
        if (h->offline)
                fputs("IMDS: not asked (--offline): what the last runs saved\n", f);
        else if (h->imds_endpoint)
                fprintf(f, "IMDS: %s via %s, %u requests%s%s\n", h->imds_endpoint,
                        h->imds_interface && h->imds_interface[0] ? h->imds_interface : "the default route",
                        h->imds_requests, h->imds_error ? "; " : "",
                        h->imds_error ? error_to_string(h->imds_error) : "");
        else if (h->imds_error)
                fprintf(f, "IMDS: %s (%u requests)\n", error_to_string(h->imds_error), h->imds_requests);
}

static void imds_summary(const NetctlStatus *s, const NetctlInterface *i, char *buf, size_t size) {
        char age[32];

        switch (i->imds.source) {
        case IMDS_VIEW_FRESH:
                snprintf(buf, size, "fresh, %u requests", i->imds.requests);
                break;
        case IMDS_VIEW_SAVED:
                if (i->imds.time_usec) {
                        netctl_format_age(netctl_age_sec(s->host.now_usec, i->imds.time_usec), age);
                        snprintf(buf, size, "saved %s ago", age);
                } else
                        snprintf(buf, size, "saved");
                break;
        default:
                snprintf(buf, size, "none: %s",
                         i->imds.error == -ENOENT ? "nothing saved" : error_to_string(i->imds.error));
        }
}

static void run_summary(const NetctlStatus *s, const NetctlInterface *i, char *buf, size_t size) {
        char age[32];

        if (!i->have_run) {
                snprintf(buf, size, "-");
                return;
        }
        netctl_format_age(netctl_age_sec(s->host.now_usec, i->run.time_usec), age);
        snprintf(buf, size, "%s %s ago %s", i->run.action, age, i->run.error ? "failed" : "ok");
}

static void table_dump(FILE *f, const NetctlStatus *s, bool colour) {
        fprintf(f, "%3s %-10s %-17s %-22s %4s %6s %6s %-9s %-11s %-22s %s\n", "IDX", "IFACE", "MAC", "ENI", "DEV",
                "TABLE", "METRIC", "MANAGED", "NETWORKD", "LAST RUN", "STATE");
        for (size_t k = 0; k < s->n_interfaces; k++) {
                const NetctlInterface *i = &s->interfaces[k];
                const Eni *eni = netctl_interface_eni(i);
                unsigned table = 0, metric = 0;
                char dev[16] = "-", tbl[16] = "-", met[16] = "-", run[64];
                int w = worst(&i->findings);

                if (netctl_interface_numbers(i, &table, &metric)) {
                        snprintf(tbl, sizeof tbl, "%u", table);
                        snprintf(met, sizeof met, "%u", metric);
                }
                if (eni && eni->network_card != NETWORK_CARD_NONE)
                        snprintf(dev, sizeof dev, "%u.%d", eni->device_number, eni->network_card);
                else if (eni)
                        snprintf(dev, sizeof dev, "%u", eni->device_number);
                run_summary(s, i, run, sizeof run);
                fprintf(f, "%3d %-10s %-17s %-22s %4s %6s %6s %-9s %-11s %-22s %s%s%s\n", i->ifindex, i->name,
                        i->mac[0] ? i->mac : "-", eni && eni->interface_id[0] ? eni->interface_id : "-", dev, tbl, met,
                        i->unmanaged == MANAGED ? "yes" : unmanaged_to_string(i->unmanaged),
                        i->networkd.known ? strna(i->networkd.admin_state) : "?", run,
                        w < 0 ? ok_colour(colour) : netctl_colour((FindingSeverity) w, colour),
                        w < 0 ? "in sync" : w == SEVERITY_ERROR ? "drift" : "warning",
                        netctl_colour_reset(colour));
        }
}

static void field(FILE *f, const char *name) {
        fprintf(f, "%16s: ", name);
}

static void continuation(FILE *f) {
        fprintf(f, "%18s", "");
}

static void list_line(FILE *f, const char *label, char *const *l) {
        fprintf(f, "%s", label);
        if (!l || !l[0])
                fprintf(f, "%s-", label[0] ? " " : "");
        STRV_FOREACH(x, l)
                fprintf(f, "%s%s", label[0] || x != l ? " " : "", *x);
        fputc('\n', f);
}

static void interface_dump(FILE *f, const NetctlStatus *s, const NetctlInterface *i, bool colour) {
        const Eni *eni = netctl_interface_eni(i);
        unsigned table = 0, metric = 0;
        char buf[256], age[32];
        int w = worst(&i->findings);

        fprintf(f, "%s●%s %d: %s\n", w < 0 ? ok_colour(colour) : netctl_colour((FindingSeverity) w, colour),
                netctl_colour_reset(colour), i->ifindex, i->name);
        field(f, "MAC");
        fprintf(f, "%s%s%s%s\n", i->mac[0] ? i->mac : "-", i->driver[0] ? " (driver " : "", i->driver,
                i->driver[0] ? ")" : "");
        if (eni) {
                field(f, "ENI");
                fprintf(f, "%s, device %u, ", eni->interface_id[0] ? eni->interface_id : "(no interface-id)",
                        eni->device_number);
                if (eni->network_card == NETWORK_CARD_NONE)
                        fputs("no network cards", f);
                else
                        fprintf(f, "network card %d", eni->network_card);
                fprintf(f, "%s\n", eni->primary || eni_is_primary_device(eni) ? ", primary" : "");
        }
        if (netctl_interface_numbers(i, &table, &metric)) {
                field(f, "Table/priority");
                fprintf(f, "%u, metric %u\n", table, metric);
        }
        field(f, "Managed");
        if (i->unmanaged == MANAGED)
                fputs("yes\n", f);
        else
                fprintf(f, "no: %s%s%s\n", unmanaged_to_string(i->unmanaged), i->unmanaged_detail ? ", " : "",
                        strempty(i->unmanaged_detail));

        imds_summary(s, i, buf, sizeof buf);
        field(f, "IMDS");
        fprintf(f, "%s\n", buf);
        if (eni) {
                continuation(f);
                list_line(f, "IPv4", eni->ipv4s);
                continuation(f);
                list_line(f, "IPv6", eni->ipv6s);
                continuation(f);
                fputs("prefixes", f);
                if (!eni->ipv4_prefixes[0] && !eni->ipv6_prefixes[0])
                        fputs(" -", f);
                STRV_FOREACH(p, eni->ipv4_prefixes)
                        fprintf(f, " %s", *p);
                STRV_FOREACH(p, eni->ipv6_prefixes)
                        fprintf(f, " %s", *p);
                fputc('\n', f);
                continuation(f);
                fprintf(f, "subnets %s", eni->subnet_ipv4_cidr ? eni->subnet_ipv4_cidr : "-");
                STRV_FOREACH(c, eni->subnet_ipv6_cidrs)
                        fprintf(f, " %s", *c);
                fputc('\n', f);
        }

        field(f, "Files");
        {
                bool first = true;

                for (int k = 0; k < _IFACE_FILE_MAX; k++) {
                        const NetctlFile *x = &i->files[k];
                        const char *state;

                        if (!x->found && !x->read_error && (!x->expected_known || !x->expected))
                                continue;
                        if (x->read_error)
                                state = "unreadable";
                        else if (!x->expected_known)
                                state = "present";
                        else if (!x->found)
                                state = "missing";
                        else if (!x->expected)
                                state = "to be removed";
                        else
                                state = streq(x->expected, x->found) ? "in sync" : "outdated";
                        if (!first)
                                continuation(f);
                        fprintf(f, "%-44s %s\n", x->name, state);
                        first = false;
                }
                if (first)
                        fputs("none\n", f);
        }

        field(f, "networkd");
        if (!i->networkd.known)
                fputs("unknown\n", f);
        else
                fprintf(f, "%s (%s, %s)\n", i->networkd.network_file ? i->networkd.network_file : "no .network file",
                        strna(i->networkd.admin_state), strna(i->networkd.oper_state));

        field(f, "Rules");
        if (i->kernel.n_rules == 0)
                fputs("none\n", f);
        for (size_t k = 0; k < i->kernel.n_rules; k++) {
                if (k > 0)
                        continuation(f);
                kernel_rule_format(&i->kernel.rules[k], buf, sizeof buf);
                fprintf(f, "%s\n", buf);
        }
        if (netctl_interface_numbers(i, &table, NULL)) {
                snprintf(age, sizeof age, "Table %u", table);
                field(f, age);
        } else
                field(f, "Table");
        if (i->kernel.n_routes == 0)
                fputs("empty\n", f);
        for (size_t k = 0; k < i->kernel.n_routes; k++) {
                if (k > 0)
                        continuation(f);
                kernel_route_format(&i->kernel.routes[k], buf, sizeof buf);
                fprintf(f, "%s\n", buf);
        }
        field(f, "Addresses");
        if (i->kernel.n_addresses == 0)
                fputs("none", f);
        for (size_t k = 0; k < i->kernel.n_addresses; k++)
                fprintf(f, "%s%s/%u", k ? " " : "", i->kernel.addresses[k].address, i->kernel.addresses[k].prefixlen);
        fputc('\n', f);
        field(f, "Altnames");
        list_line(f, "", i->kernel.altnames);

        run_summary(s, i, buf, sizeof buf);
        field(f, "Last run");
        if (i->have_run)
                fprintf(f, "%s%s%s%s\n", buf, i->run.error ? ": " : "", i->run.error ? i->run.error_text : "",
                        i->run.changed ? ", changed files" : "");
        else
                fputs("none this boot\n", f);
        field(f, "Refresh timer");
        if (!i->timer.known)
                fputs("unknown (systemd not reachable)\n", f);
        else if (i->timer.next_usec > s->host.now_usec) {
                netctl_format_age(netctl_age_sec(i->timer.next_usec, s->host.now_usec), age);
                fprintf(f, "%s, next in %s\n", strna(i->timer.active_state), age);
        } else
                fprintf(f, "%s\n", strna(i->timer.active_state));
        if (i->findings.n == 0) {
                field(f, "Findings");
                fprintf(f, "%snone%s\n", ok_colour(colour), netctl_colour_reset(colour));
        } else {
                fprintf(f, "%16s:\n", "Findings");
                netctl_findings_dump(f, &i->findings, colour);
        }
}

int netctl_status_dump(FILE *f, const NetctlStatus *s, bool detailed, bool colour) {
        size_t problems = netctl_status_problems(s), all = s->findings.n;

        host_dump(f, s);
        if (s->findings.n > 0)
                netctl_findings_dump(f, &s->findings, colour);
        fputc('\n', f);
        if (detailed)
                for (size_t k = 0; k < s->n_interfaces; k++) {
                        if (k > 0)
                                fputc('\n', f);
                        interface_dump(f, s, &s->interfaces[k], colour);
                }
        else {
                table_dump(f, s, colour);
                for (size_t k = 0; k < s->n_interfaces; k++)
                        all += s->interfaces[k].findings.n;
                if (all > s->findings.n) {
                        fputc('\n', f);
                        for (size_t k = 0; k < s->n_interfaces; k++)
                                netctl_findings_dump(f, &s->interfaces[k].findings, colour);
                }
        }
        fprintf(f, "\n%zu interface%s, %s%zu problem%s%s.\n", s->n_interfaces, s->n_interfaces == 1 ? "" : "s",
                problems ? netctl_colour(SEVERITY_ERROR, colour) : ok_colour(colour), problems,
                problems == 1 ? "" : "s", netctl_colour_reset(colour));
        return ferror(f) ? -EIO : 0;
}

static void plan_list(FILE *f, const char *verb, const char *what, char *const *l) {
        STRV_FOREACH(x, l)
                fprintf(f, "  %s %s %s\n", verb, what, *x);
}

/* A diff, coloured as git colours one: removed lines red, added green. */
static void diff_dump(FILE *f, const char *diff, bool colour) {
        for (const char *p = diff; p && *p;) {
                const char *nl = strchr(p, '\n');
                int len = nl ? (int) (nl - p) : (int) strlen(p);
                const char *c = !colour || strncmp(p, "---", 3) == 0 || strncmp(p, "+++", 3) == 0 ? ""
                                : *p == '-' ? ANSI_RED : *p == '+' ? ANSI_GREEN : *p == '@' ? ANSI_GREY : "";

                fprintf(f, "    %s%.*s%s\n", c, len, p, c[0] ? ANSI_RESET : "");
                p += len + (nl ? 1 : 0);
        }
}

int netctl_plan_dump(FILE *f, const NetctlPlan *p, bool colour) {
        size_t changes = netctl_plan_changes(p), problems = netctl_plan_problems(p);

        netctl_findings_dump(f, &p->findings, colour);
        for (size_t k = 0; k < p->n_interfaces; k++) {
                const PlanInterface *i = &p->interfaces[k];
                bool any = i->n_files > 0 || (i->altnames_add && i->altnames_add[0]);

                if (!i->action)
                        fprintf(f, "%s: nothing (%s).\n", i->name, strna(i->reason));
                else if (i->reason)
                        fprintf(f, "%s: setup-policy-routes %s %s: %s.\n", i->name, i->name, i->action, i->reason);
                else if (!any)
                        fprintf(f, "%s: setup-policy-routes %s %s would change nothing.\n", i->name, i->name,
                                i->action);
                else
                        fprintf(f, "%s: setup-policy-routes %s %s would:\n", i->name, i->name, i->action);
                for (size_t n = 0; n < i->n_files; n++) {
                        fprintf(f, "  %s %s (+%u -%u)\n", plan_file_change_to_string(i->files[n].change),
                                i->files[n].name, i->files[n].added, i->files[n].removed);
                        diff_dump(f, i->files[n].diff, colour);
                }
                plan_list(f, "add", "altname", i->altnames_add);
                if (i->reconfigure)
                        fprintf(f, "  and networkd, reconfiguring %s, would:\n", i->name);
                plan_list(f, "add", "rule", i->rules_add);
                plan_list(f, "remove", "rule", i->rules_remove);
                plan_list(f, "add", "address", i->addresses_add);
                plan_list(f, "remove", "address", i->addresses_remove);
                if (i->not_fixed.n > 0) {
                        fprintf(f, "  left as it is:\n");
                        netctl_findings_dump(f, &i->not_fixed, colour);
                }
        }
        fputc('\n', f);
        if (p->reload) {
                fprintf(f, "systemd-networkd would be reloaded once");
                if (p->reconfigure[0]) {
                        fputs(", reconfiguring", f);
                        STRV_FOREACH(l, p->reconfigure)
                                fprintf(f, " %s", *l);
                }
                if (p->reloads_pending)
                        fprintf(f, "%s%" PRIu64 " reload(s) left pending by an earlier run", p->reconfigure[0] ? "; " : " for ",
                                p->reloads_pending);
                fputs(".\n", f);
                STRV_FOREACH(x, p->foreign_rules_removed)
                        fprintf(f, "  and remove the rule of another agent %s (ManageForeignRoutingPolicyRules=yes)\n", *x);
                STRV_FOREACH(x, p->foreign_routes_removed)
                        fprintf(f, "  and remove the route of another agent %s (ManageForeignRoutes=yes)\n", *x);
        } else
                fputs("systemd-networkd would not be reloaded.\n", f);
        fprintf(f, "%zu change%s, %s%zu problem%s a refresh would not fix%s.\n", changes, changes == 1 ? "" : "s",
                problems ? netctl_colour(SEVERITY_ERROR, colour) : "", problems, problems == 1 ? "" : "s",
                problems ? netctl_colour_reset(colour) : "");
        return ferror(f) ? -EIO : 0;
}

int netctl_doctor_dump(FILE *f, const NetctlDoctor *d, bool colour) {
        size_t problems = netctl_doctor_problems(d);

        for (int k = 0; k < _DOCTOR_CHECK_MAX; k++) {
                const DoctorCheck *c = &d->checks[k];
                const char *col = c->result == DOCTOR_OK ? ok_colour(colour)
                                  : c->result == DOCTOR_FOUND ? netctl_colour(SEVERITY_WARNING, colour)
                                                              : netctl_colour(SEVERITY_INFO, colour);

                fprintf(f, "%-18s %s%s%s%s%s\n", doctor_check_to_string(k), col, doctor_result_to_string(c->result),
                        netctl_colour_reset(colour), c->detail ? ": " : "", strempty(c->detail));
        }
        if (d->findings.n > 0) {
                fputc('\n', f);
                netctl_findings_dump(f, &d->findings, colour);
        }
        fprintf(f, "\n%zu finding%s, %s%zu problem%s%s.\n", d->findings.n, d->findings.n == 1 ? "" : "s",
                problems ? netctl_colour(SEVERITY_ERROR, colour) : ok_colour(colour), problems,
                problems == 1 ? "" : "s", netctl_colour_reset(colour));
        return ferror(f) ? -EIO : 0;
}
