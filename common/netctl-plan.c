/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "error-codes.h"
#include "netctl-drift.h"
#include "netctl-plan.h"
#include "strv.h"
#include "text-diff.h"

const char *plan_file_change_to_string(PlanFileChange c) {
        return c == PLAN_FILE_CREATE ? "create" : c == PLAN_FILE_UPDATE ? "update" : "remove";
}

static void plan_interface_done(PlanInterface *i) {
        for (size_t k = 0; k < i->n_files; k++)
                free(i->files[k].diff);
        free(i->files);
        free(i->reason);
        strv_free(i->rules_add);
        strv_free(i->rules_remove);
        strv_free(i->addresses_add);
        strv_free(i->addresses_remove);
        strv_free(i->altnames_add);
        finding_list_done(&i->not_fixed);
        *i = (PlanInterface) {};
}

void netctl_plan_done(NetctlPlan *p) {
        for (size_t k = 0; k < p->n_interfaces; k++)
                plan_interface_done(&p->interfaces[k]);
        free(p->interfaces);
        strv_free(p->reconfigure);
        strv_free(p->foreign_rules_removed);
        strv_free(p->foreign_routes_removed);
        finding_list_done(&p->findings);
        *p = (NetctlPlan) {};
}

static int copy_finding(FindingList *l, const Finding *f) {
        return finding_add(l, f->id, f->severity, f->interface, f->expected, f->found, f->remedy, "%s", f->summary);
}

static int plan_files(const NetctlInterface *i, PlanInterface *p) {
        for (int k = 0; k < _IFACE_FILE_MAX; k++) {
                const NetctlFile *f = &i->files[k];
                char a[PATH_MAX + 2], b[PATH_MAX + 2];
                PlanFile *x, *files;
                TextDiffStats st;
                int r;

                if (!f->expected_known || f->read_error || (!f->expected && !f->found) ||
                    (f->expected && f->found && streq(f->expected, f->found)))
                        continue;
                files = realloc(p->files, (p->n_files + 1) * sizeof *files);
                if (!files)
                        return -ENOMEM;
                p->files = files;
                x = &p->files[p->n_files++];
                *x = (PlanFile) { .change = !f->found ? PLAN_FILE_CREATE : !f->expected ? PLAN_FILE_REMOVE
                                                                                        : PLAN_FILE_UPDATE };
                snprintf(x->name, sizeof x->name, "%s", f->name);
                /* a/ and b/ relative to the network directory, for patch -p1. */
                snprintf(a, sizeof a, "a/%s", f->name);
                snprintf(b, sizeof b, "b/%s", f->name);
                r = text_diff_format(f->found, f->expected, a, b, TEXT_DIFF_CONTEXT, &x->diff, &st);
                if (r < 0)
                        return r;
                x->added = st.added;
                x->removed = st.removed;
        }
        return 0;
}

/* What networkd applies when it reconfigures the link from the files a refresh writes. */
static int plan_kernel(const NetctlInterface *i, unsigned table, PlanInterface *p) {
        _cleanup_strv_free_ char **secondaries = NULL;
        const Eni *eni = netctl_interface_eni(i);
        char text[256];
        int r;

        for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET) {
                _cleanup_strv_free_ char **sources = NULL;

                r = netctl_expected_rule_sources(i, family, &sources);
                if (r < 0)
                        return r;
                STRV_FOREACH(s, sources) {
                        bool present = false;

                        for (size_t k = 0; k < i->kernel.n_rules; k++)
                                present = present || (i->kernel.rules[k].family == family &&
                                                      netctl_rule_is_expected(&i->kernel.rules[k], table, *s));
                        if (present)
                                continue;
                        KernelRule want = { .family = family, .priority = table, .table = table,
                                            .action = FR_ACT_TO_TBL };
                        snprintf(want.from, sizeof want.from, "%s", *s);
                        kernel_rule_format(&want, text, sizeof text);
                        if (strv_extend(&p->rules_add, text) < 0)
                                return -ENOMEM;
                }
                /* networkd's own rules (protocol static, lookup of our table) that the files
                 * no longer ask for; rules of other agents are theirs (rule-foreign). */
                for (size_t k = 0; k < i->kernel.n_rules; k++) {
                        const KernelRule *rule = &i->kernel.rules[k];
                        bool wanted = false;

                        if (rule->family != family || rule->action != FR_ACT_TO_TBL || rule->table != table)
                                continue;
                        STRV_FOREACH(s, sources)
                                wanted = wanted || netctl_rule_is_expected(rule, table, *s);
                        if (wanted)
                                continue;
                        kernel_rule_format(rule, text, sizeof text);
                        if (strv_extend(&p->rules_remove, text) < 0)
                                return -ENOMEM;
                }
        }

        r = netctl_expected_secondaries(i, &secondaries);
        if (r < 0)
                return r;
        STRV_FOREACH(a, secondaries) {
                bool present = false;

                for (size_t k = 0; k < i->kernel.n_addresses; k++)
                        present = present || (i->kernel.addresses[k].family == AF_INET &&
                                              streq(i->kernel.addresses[k].address, *a));
                snprintf(text, sizeof text, "%s/32", *a);
                if (!present && strv_extend(&p->addresses_add, text) < 0)
                        return -ENOMEM;
        }
        for (size_t k = 0; eni && k < i->kernel.n_addresses; k++) {
                const KernelAddress *a = &i->kernel.addresses[k];

                /* The secondaries networkd configured from an older alias file. */
                if (a->family != AF_INET || a->prefixlen != 32 || strncmp(a->address, "169.254.", 8) == 0 ||
                    strv_contains(secondaries, a->address) || (eni->ipv4s[0] && streq(eni->ipv4s[0], a->address)) ||
                    (!strv_contains(eni->ipv4s, a->address) && netctl_address_is_enis(eni, a->address)))
                        continue;
                snprintf(text, sizeof text, "%s/32", a->address);
                if (strv_extend(&p->addresses_remove, text) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int plan_altnames(const NetctlInterface *i, PlanInterface *p) {
        _cleanup_strv_free_ char **want = NULL;
        int r;

        r = netctl_expected_altnames(i, &want);
        if (r < 0)
                return r;
        STRV_FOREACH(a, want)
                if (!strv_contains(i->kernel.altnames, *a) && strv_extend(&p->altnames_add, *a) < 0)
                        return -ENOMEM;
        return 0;
}

/* Findings of the status a refresh would not make go away. */
static bool finding_survives(const Finding *f, bool reconfigure, bool foreign_rules_dropped) {
        static const char *const kernel[] = { "rule-missing", "rule-extra", "address-missing", "address-extra",
                                              "route-missing" };
        static const char *const always[] = { "network-file-other", "network-file-none", "link-unmanaged",
                                              "link-failed", "unmanaged-has-files", "imds-error",
                                              "imds-disabled", "file-unreadable" };

        if (streq(f->id, "rule-foreign"))
                return !foreign_rules_dropped;
        for (size_t k = 0; k < ELEMENTSOF(always); k++)
                if (streq(f->id, always[k]))
                        return true;
        for (size_t k = 0; !reconfigure && k < ELEMENTSOF(kernel); k++)
                if (streq(f->id, kernel[k]))
                        return true;
        return false;
}

static int plan_interface(const NetctlInterface *i, PlanInterface *p) {
        unsigned table;
        int r;

        snprintf(p->name, sizeof p->name, "%s", i->name);
        p->managed = netctl_interface_is_ours(i);
        if (!p->managed) {
                if (asprintf(&p->reason, "not managed: %s", unmanaged_to_string(i->unmanaged)) < 0)
                        return -ENOMEM;
        } else {
                p->action = i->have_files ? "refresh" : "start";
                if (i->imds.source == IMDS_VIEW_NONE &&
                    asprintf(&p->reason, "IMDS gave no answer (%s): nothing would change",
                             error_to_string(i->imds.error)) < 0)
                        return -ENOMEM;
                /* deferred-takeover.h: what it moves to, when it moves. */
                if (i->imds.source != IMDS_VIEW_NONE && i->on_2x_files) {
                        p->reason = strdup("on 2.x's files (takeover-deferred): a refresh writes nothing now; it "
                                           "moves the ENI when its configuration changed in EC2, as the next boot "
                                           "or networkd reload of this package does");
                        return p->reason ? 0 : -ENOMEM;
                }
        }
        if (p->managed && i->imds.source != IMDS_VIEW_NONE) {
                r = plan_files(i, p);
                if (r < 0)
                        return r;
                /* networkd reconfigures a link whose configuration changed on reload; not
                 * from our files when another .network file wins. */
                p->reconfigure = p->n_files > 0 && i->unmanaged == MANAGED;
                if (p->reconfigure && netctl_interface_numbers(i, &table, NULL)) {
                        r = plan_kernel(i, table, p);
                        if (r < 0)
                                return r;
                }
                r = plan_altnames(i, p);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool rule_is_foreign(const KernelRule *r) {
        /* The kernel's own rules (0, 32766, 32767) and networkd's (static) are not. */
        return r->protocol != RTPROT_KERNEL && r->protocol != RTPROT_STATIC;
}

static bool route_is_foreign(const KernelRoute *r) {
        return !IN_SET(r->protocol, RTPROT_KERNEL, RTPROT_STATIC, RTPROT_RA, RTPROT_DHCP, RTPROT_REDIRECT) &&
               r->table != RT_TABLE_LOCAL;
}

static int plan_foreign(const NetctlStatus *s, NetctlPlan *p) {
        char text[256];

        if (!p->reconfigure[0])
                return 0;
        for (size_t k = 0; s->host.manage_foreign_rules && k < s->kernel.n_rules; k++) {
                if (!rule_is_foreign(&s->kernel.rules[k]))
                        continue;
                kernel_rule_format(&s->kernel.rules[k], text, sizeof text);
                if (strv_extend(&p->foreign_rules_removed, text) < 0)
                        return -ENOMEM;
        }
        for (size_t k = 0; s->host.manage_foreign_routes && k < s->kernel.n_routes; k++) {
                const KernelRoute *r = &s->kernel.routes[k];

                if (!route_is_foreign(r) || !strv_contains(p->reconfigure, r->oif_name))
                        continue;
                kernel_route_format(r, text, sizeof text);
                if (strv_extend(&p->foreign_routes_removed, text) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int netctl_plan_compute(const NetctlStatus *s, NetctlPlan *ret) {
        _cleanup_(netctl_plan_done) NetctlPlan p = { .now_usec = s->host.now_usec,
                                                     .reloads_pending = s->host.reloads_pending };
        int r;

        p.interfaces = calloc(s->n_interfaces + 1, sizeof *p.interfaces);
        p.reconfigure = calloc(1, sizeof(char *));
        if (!p.interfaces || !p.reconfigure)
                return -ENOMEM;
        for (size_t k = 0; k < s->n_interfaces; k++) {
                PlanInterface *x = &p.interfaces[p.n_interfaces++];

                r = plan_interface(&s->interfaces[k], x);
                if (r < 0)
                        return r;
                if (x->reconfigure && strv_extend(&p.reconfigure, x->name) < 0)
                        return -ENOMEM;
        }
        /* A run that finds nothing to change still performs a reload left pending. */
        p.reload = p.reconfigure[0] || p.reloads_pending > 0;
        p.foreign_rules_removed = calloc(1, sizeof(char *));
        p.foreign_routes_removed = calloc(1, sizeof(char *));
        if (!p.foreign_rules_removed || !p.foreign_routes_removed)
                return -ENOMEM;
        r = plan_foreign(s, &p);
        if (r < 0)
                return r;
        for (size_t k = 0; k < s->n_interfaces; k++) {
                const NetctlInterface *i = &s->interfaces[k];

                for (size_t n = 0; n < i->findings.n; n++)
                        if (finding_survives(&i->findings.items[n], p.interfaces[k].reconfigure,
                                             s->host.manage_foreign_rules && p.reconfigure[0]) &&
                            (r = copy_finding(&p.interfaces[k].not_fixed, &i->findings.items[n])) < 0)
                                return r;
        }
        for (size_t k = 0; k < s->findings.n; k++)
                if (!streq(s->findings.items[k].id, "reload-pending") &&
                    (r = copy_finding(&p.findings, &s->findings.items[k])) < 0)
                        return r;
        *ret = p;
        p = (NetctlPlan) {};
        return 0;
}

size_t netctl_plan_changes(const NetctlPlan *p) {
        size_t n = (p->reload ? 1 : 0) + strv_length(p->foreign_rules_removed) + strv_length(p->foreign_routes_removed);

        for (size_t k = 0; k < p->n_interfaces; k++) {
                const PlanInterface *i = &p->interfaces[k];

                n += i->n_files + strv_length(i->rules_add) + strv_length(i->rules_remove) +
                     strv_length(i->addresses_add) + strv_length(i->addresses_remove) + strv_length(i->altnames_add);
        }
        return n;
}

size_t netctl_plan_problems(const NetctlPlan *p) {
        size_t n = finding_list_problems(&p->findings);

        for (size_t k = 0; k < p->n_interfaces; k++)
                n += finding_list_problems(&p->interfaces[k].not_fixed);
        return n;
}
