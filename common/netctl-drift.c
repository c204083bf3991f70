/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/fib_rules.h>
#include <stdio.h>
#include <string.h>

#include "error-codes.h"
#include "netctl-drift.h"
#include "strv.h"
#include "text-diff.h"

#define LINE_MAX_TEXT 256

bool netctl_network_file_is_ours(const char *ifname, const char *path) {
        char ours[PATH_MAX];
        const char *base;

        if (!path || interface_file_name(ifname, IFACE_FILE_NETWORK, ours, sizeof ours) < 0)
                return false;
        base = strrchr(path, '/');
        return streq(base ? base + 1 : path, ours);
}

static int add_host_prefix(char ***l, const char *address, int family) {
        char *s = NULL;

        if (asprintf(&s, "%s/%u", address, family == AF_INET ? 32U : 128U) < 0)
                return -ENOMEM;
        return strv_consume(l, s);
}

int netctl_expected_rule_sources(const NetctlInterface *i, int family, char ***ret) {
        const Eni *eni = netctl_interface_eni(i);
        InterfaceFile f = family == AF_INET ? IFACE_FILE_POLICY4 : IFACE_FILE_POLICY6;
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        int r;

        if (!l)
                return -ENOMEM;
        /* The rules networkd applies are those of the file a refresh writes. */
        if (eni && i->files[f].expected_known && i->files[f].expected) {
                STRV_FOREACH(a, family == AF_INET ? eni->ipv4s : eni->ipv6s)
                        if ((r = add_host_prefix(&l, *a, family)) < 0)
                                return r;
                STRV_FOREACH(p, family == AF_INET ? eni->ipv4_prefixes : eni->ipv6_prefixes)
                        if ((r = strv_extend(&l, *p)) < 0)
                                return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int netctl_expected_secondaries(const NetctlInterface *i, char ***ret) {
        const Eni *eni = netctl_interface_eni(i);
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));

        if (!l)
                return -ENOMEM;
        if (eni && i->files[IFACE_FILE_ALIAS].expected_known && i->files[IFACE_FILE_ALIAS].expected &&
            eni->ipv4s[0])
                STRV_FOREACH(a, eni->ipv4s + 1)
                        if (strv_extend(&l, *a) < 0)
                                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

int netctl_expected_altnames(const NetctlInterface *i, char ***ret) {
        const Eni *eni = netctl_interface_eni(i);
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        char name[64];

        if (!l)
                return -ENOMEM;
        if (eni) {
                if (eni->interface_id[0] && strv_extend(&l, eni->interface_id) < 0)
                        return -ENOMEM;
                if (eni->network_card == NETWORK_CARD_NONE)
                        snprintf(name, sizeof name, "device-number-%u", eni->device_number);
                else
                        snprintf(name, sizeof name, "device-number-%u.%d", eni->device_number, eni->network_card);
                if (strv_extend(&l, name) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

bool netctl_rule_is_expected(const KernelRule *rule, unsigned table, const char *source) {
        return rule->priority == table && rule->action == FR_ACT_TO_TBL && rule->table == table &&
               streq(rule->from, source) && !rule->to[0] && !rule->iif[0] && !rule->oif[0] && !rule->fwmark &&
               !rule->invert;
}

static void rule_text(unsigned table, const char *source, int family, char *buf, size_t size) {
        KernelRule r = { .family = family, .priority = table, .table = table, .action = FR_ACT_TO_TBL };

        snprintf(r.from, sizeof r.from, "%s", source);
        kernel_rule_format(&r, buf, size);
}

static bool file_in_sync(const NetctlFile *f) {
        return f->expected_known && !f->read_error && streq(strempty(f->expected), strempty(f->found)) &&
               !f->expected == !f->found;
}

/* What to do about a kernel state that the generated file asks for but networkd did not
 * apply: when the file is current, a refresh changes nothing (no reload), so networkd must
 * be asked to apply it again. */
static const char *kernel_remedy(const NetctlInterface *i, InterfaceFile f, char *buf, size_t size) {
        if (file_in_sync(&i->files[f]))
                snprintf(buf, size, "networkctl reconfigure %s", i->name);
        else
                snprintf(buf, size, "setup-policy-routes %s refresh", i->name);
        return buf;
}

static int check_rules(NetctlInterface *i, unsigned table) {
        char remedy[128];
        int r;

        for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET) {
                _cleanup_strv_free_ char **sources = NULL;
                InterfaceFile f = family == AF_INET ? IFACE_FILE_POLICY4 : IFACE_FILE_POLICY6;

                r = netctl_expected_rule_sources(i, family, &sources);
                if (r < 0)
                        return r;
                STRV_FOREACH(s, sources) {
                        bool found = false;
                        char want[LINE_MAX_TEXT];

                        for (size_t k = 0; k < i->kernel.n_rules; k++)
                                found = found || (i->kernel.rules[k].family == family &&
                                                  netctl_rule_is_expected(&i->kernel.rules[k], table, *s));
                        if (found)
                                continue;
                        rule_text(table, *s, family, want, sizeof want);
                        r = finding_add(&i->findings, "rule-missing", SEVERITY_ERROR, i->name, want, NULL,
                                        kernel_remedy(i, f, remedy, sizeof remedy),
                                        "No policy rule from %s at priority %u: traffic from it leaves through "
                                        "the main routing table.", *s, table);
                        if (r < 0)
                                return r;
                }
        }

        /* Rules at our priority that nothing of ours asks for. */
        for (size_t k = 0; k < i->kernel.n_rules; k++) {
                const KernelRule *rule = &i->kernel.rules[k];
                _cleanup_strv_free_ char **sources = NULL;
                char text[LINE_MAX_TEXT];
                bool wanted = false;

                r = netctl_expected_rule_sources(i, rule->family, &sources);
                if (r < 0)
                        return r;
                STRV_FOREACH(s, sources)
                        wanted = wanted || netctl_rule_is_expected(rule, table, *s);
                if (wanted)
                        continue;
                kernel_rule_format(rule, text, sizeof text);
                if (rule->action != FR_ACT_TO_TBL || rule->table != table)
                        r = finding_add(&i->findings, "rule-foreign", SEVERITY_ERROR, i->name, NULL, text,
                                        "Remove it (ip rule del priority N ...) or move the other agent's rules to "
                                        "priorities outside 10000-13199",
                                        "A rule not ours sits at priority %u, the priority of %s's table: %s.", table,
                                        i->name, text);
                else
                        r = finding_add(&i->findings, "rule-extra", SEVERITY_WARNING, i->name, NULL, text,
                                        kernel_remedy(i, rule->family == AF_INET ? IFACE_FILE_POLICY4
                                                                                 : IFACE_FILE_POLICY6,
                                                      remedy, sizeof remedy),
                                        "A policy rule at priority %u is not for an address IMDS lists for %s: %s.",
                                        table, i->name, text);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool is_link_local4(const char *a) {
        return strncmp(a, "169.254.", 8) == 0;
}

bool netctl_address_is_enis(const Eni *eni, const char *address) {
        if (strv_contains(eni->ipv4s, address))
                return true;
        /* Addresses of a delegated prefix are the ENI's too: an operator puts them on. */
        STRV_FOREACH(p, eni->ipv4_prefixes)
                if (cidr_contains(AF_INET, *p, address))
                        return true;
        return false;
}

static const KernelAddress *find_address(const NetctlInterface *i, int family, const char *address) {
        for (size_t k = 0; k < i->kernel.n_addresses; k++)
                if (i->kernel.addresses[k].family == family && streq(i->kernel.addresses[k].address, address))
                        return &i->kernel.addresses[k];
        return NULL;
}

static int check_addresses(NetctlInterface *i) {
        const Eni *eni = netctl_interface_eni(i);
        _cleanup_strv_free_ char **secondaries = NULL;
        char remedy[128], want[CIDR_STR_MAX + 8], text[CIDR_STR_MAX + 8];
        int r;

        r = netctl_expected_secondaries(i, &secondaries);
        if (r < 0)
                return r;
        /* The primary address comes from DHCP: it is there whenever the subnet has IPv4. */
        if (eni && eni->ipv4s[0] && i->imds.state.has_ipv4 && !find_address(i, AF_INET, eni->ipv4s[0])) {
                snprintf(remedy, sizeof remedy, "networkctl status %s (the DHCP lease); networkctl renew %s",
                         i->name, i->name);
                r = finding_add(&i->findings, "address-missing", SEVERITY_ERROR, i->name, eni->ipv4s[0], NULL, remedy,
                                "The ENI's primary address %s (DHCP) is not on %s.", eni->ipv4s[0], i->name);
                if (r < 0)
                        return r;
        }
        STRV_FOREACH(a, secondaries) {
                if (find_address(i, AF_INET, *a))
                        continue;
                snprintf(want, sizeof want, "%s/32", *a);
                r = finding_add(&i->findings, "address-missing", SEVERITY_ERROR, i->name, want, NULL,
                                kernel_remedy(i, IFACE_FILE_ALIAS, remedy, sizeof remedy),
                                "The secondary address %s that IMDS lists for %s is not on the link.", *a,
                                i->name);
                if (r < 0)
                        return r;
        }
        if (!eni)
                return 0;
        for (size_t k = 0; k < i->kernel.n_addresses; k++) {
                const KernelAddress *a = &i->kernel.addresses[k];

                if (a->family != AF_INET || is_link_local4(a->address) || netctl_address_is_enis(eni, a->address))
                        continue;
                snprintf(text, sizeof text, "%s/%u", a->address, a->prefixlen);
                r = finding_add(&i->findings, "address-extra", SEVERITY_WARNING, i->name, NULL, text,
                                kernel_remedy(i, IFACE_FILE_ALIAS, remedy, sizeof remedy),
                                "%s holds %s, which IMDS does not list for this ENI (unassigned?): the VPC drops "
                                "traffic from it.", i->name, text);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool route_present(const NetctlInterface *i, int family, const char *destination) {
        for (size_t k = 0; k < i->kernel.n_routes; k++)
                if (i->kernel.routes[k].family == family && streq(i->kernel.routes[k].destination, destination))
                        return true;
        return false;
}

static int route_expect(NetctlInterface *i, unsigned table, int family, const char *destination,
                        const char *what) {
        char want[LINE_MAX_TEXT], remedy[128];

        if (route_present(i, family, destination))
                return 0;
        snprintf(want, sizeof want, "%s table %u", streq(destination, "0.0.0.0/0") || streq(destination, "::/0")
                                                           ? "default" : destination, table);
        return finding_add(&i->findings, "route-missing", SEVERITY_ERROR, i->name, want, NULL,
                           kernel_remedy(i, IFACE_FILE_ENI, remedy, sizeof remedy),
                           "Table %u of %s lacks its %s route (%s).", table, i->name, what, destination);
}

static int check_routes(NetctlInterface *i, unsigned table) {
        const Eni *eni = netctl_interface_eni(i);
        int r;

        if (!eni)
                return 0;
        if (i->imds.state.has_ipv4) {
                r = route_expect(i, table, AF_INET, "0.0.0.0/0", "IPv4 default");
                if (r >= 0 && eni->subnet_ipv4_cidr)
                        r = route_expect(i, table, AF_INET, eni->subnet_ipv4_cidr, "IPv4 subnet");
                if (r < 0)
                        return r;
        }
        if (i->imds.state.has_ipv6) {
                r = route_expect(i, table, AF_INET6, "::/0", "IPv6 default (router advertisement)");
                if (r < 0)
                        return r;
                STRV_FOREACH(c, eni->subnet_ipv6_cidrs)
                        if ((r = route_expect(i, table, AF_INET6, *c, "IPv6 subnet")) < 0)
                                return r;
        }
        return 0;
}

static int check_altnames(NetctlInterface *i) {
        _cleanup_strv_free_ char **want = NULL;
        char remedy[128];
        int r;

        r = netctl_expected_altnames(i, &want);
        if (r < 0)
                return r;
        snprintf(remedy, sizeof remedy, "setup-policy-routes %s refresh", i->name);
        STRV_FOREACH(a, want) {
                if (strv_contains(i->kernel.altnames, *a))
                        continue;
                r = finding_add(&i->findings, "altname-missing", SEVERITY_WARNING, i->name, *a, NULL, remedy,
                                "%s lacks the altname %s.", i->name, *a);
                if (r < 0)
                        return r;
        }
        return 0;
}

static unsigned count_lines(const char *s) {
        unsigned n = 0;

        for (; s && *s; s++)
                n += *s == '\n';
        return n;
}

static int check_files(NetctlInterface *i) {
        char remedy[128], want[64], got[96];
        int r;

        if (!i->have_files) {
                snprintf(remedy, sizeof remedy, "setup-policy-routes %s start", i->name);
                return finding_add(&i->findings, "not-configured", SEVERITY_ERROR, i->name, NULL, NULL, remedy,
                                   "No generated configuration for %s: it has only the defaults of "
                                   "80-ec2.network, without policy routing.", i->name);
        }
        snprintf(remedy, sizeof remedy, "setup-policy-routes %s refresh", i->name);
        for (int k = 0; k < _IFACE_FILE_MAX; k++) {
                NetctlFile *f = &i->files[k];

                if (f->read_error) {
                        r = finding_add(&i->findings, "file-unreadable", SEVERITY_ERROR, i->name, NULL,
                                        strerror(-f->read_error < 4096 ? -f->read_error : EIO), NULL,
                                        "%s cannot be read.", f->name);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!f->expected_known || file_in_sync(f))
                        continue;
                snprintf(want, sizeof want, "%u lines, as a refresh would write it", count_lines(f->expected));
                snprintf(got, sizeof got, "%u lines", count_lines(f->found));
                if (f->expected && f->found) {
                        _cleanup_free_ char *d = NULL;
                        TextDiffStats st;

                        if (text_diff_format(f->found, f->expected, "a", "b", 0, &d, &st) < 0)
                                return -ENOMEM;
                        snprintf(got, sizeof got, "%u lines, %u to add and %u to remove", count_lines(f->found),
                                 st.added, st.removed);
                }
                if (f->expected && !f->found)
                        r = finding_add(&i->findings, "file-missing", SEVERITY_ERROR, i->name, want, "absent", remedy,
                                        "%s is missing.", f->name);
                else if (!f->expected)
                        r = finding_add(&i->findings, "file-extra", SEVERITY_WARNING, i->name, "absent", got, remedy,
                                        "%s exists, but a refresh would remove it now.", f->name);
                else
                        r = finding_add(&i->findings, "file-outdated", SEVERITY_WARNING, i->name, want, got, remedy,
                                        "%s differs from what a refresh would write now (IMDS changed since "
                                        "the last refresh?); `ec2-netctl plan %s` shows how.", f->name, i->name);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int check_networkd(NetctlInterface *i, bool *ret_applies_ours) {
        const NetctlNetworkdView *n = &i->networkd;
        char ours[PATH_MAX], remedy[PATH_MAX + 128];
        int r;

        *ret_applies_ours = false;
        if (!n->known)
                return 0;   /* reported once for the host */
        (void) interface_file_name(i->name, IFACE_FILE_NETWORK, ours, sizeof ours);
        if (!n->network_file) {
                if (streq(strempty(n->admin_state), "unmanaged"))
                        return finding_add(&i->findings, "link-unmanaged", SEVERITY_ERROR, i->name, ours, NULL,
                                           "networkctl reload; check that the .network files match the link",
                                           "systemd-networkd does not manage %s: no .network file matches it.",
                                           i->name);
                return finding_add(&i->findings, "network-file-none", SEVERITY_WARNING, i->name, ours, NULL,
                                   "networkctl status; journalctl -u systemd-networkd",
                                   "systemd-networkd applies no .network file to %s (state %s).", i->name,
                                   strna(n->admin_state));
        }
        if (!netctl_network_file_is_ours(i->name, n->network_file)) {
                snprintf(remedy, sizeof remedy,
                         "Remove %s or make its [Match] not match %s (or exclude %s from this package)",
                         n->network_file, i->name, i->name);
                r = finding_add(&i->findings, "network-file-other", SEVERITY_ERROR, i->name, ours, n->network_file,
                                remedy,
                                "systemd-networkd applies %s to %s instead of the generated %s: policy routing "
                                "for %s does not apply.", n->network_file, i->name, ours, i->name);
                if (r < 0)
                        return r;
        } else
                *ret_applies_ours = true;

        if (streq(strempty(n->admin_state), "failed"))
                return finding_add(&i->findings, "link-failed", SEVERITY_ERROR, i->name, "configured", "failed",
                                   "journalctl -u systemd-networkd; networkctl reconfigure",
                                   "systemd-networkd failed to configure %s.", i->name);
        if (streq(strempty(n->admin_state), "linger"))
                return finding_add(&i->findings, "link-failed", SEVERITY_WARNING, i->name, "configured", "linger",
                                   NULL, "systemd-networkd lingers on %s (the link is going away).", i->name);
        if (n->admin_state && !streq(n->admin_state, "configured"))
                return finding_add(&i->findings, "link-configuring", SEVERITY_INFO, i->name, "configured",
                                   n->admin_state, NULL, "systemd-networkd is still configuring %s (%s).", i->name,
                                   n->admin_state);
        return 0;
}

static int check_imds(NetctlInterface *i) {
        const char *text = error_to_string(i->imds.error);
        char remedy[128];

        if (i->imds.source != IMDS_VIEW_NONE)
                return 0;
        if (i->imds.error == -ENOENT)
                return finding_add(&i->findings, "no-saved-state", SEVERITY_WARNING, i->name, NULL, NULL,
                                   "ec2-netctl status (without --offline) asks IMDS",
                                   "No run saved what IMDS said about %s this boot: nothing to compare with.",
                                   i->name);
        snprintf(remedy, sizeof remedy, "ec2-netctl doctor");
        return finding_add(&i->findings, i->imds.error == -EIMDS_DISABLED ? "imds-disabled" : "imds-error",
                           i->imds.error == -EIMDS_DISABLED ? SEVERITY_WARNING : SEVERITY_ERROR, i->name, NULL, text,
                           remedy, "IMDS gave no answer about %s: %s.", i->name, text);
}

static int check_last_run(NetctlInterface *i) {
        char remedy[128];

        if (!i->have_run || i->run.error == 0)
                return 0;
        snprintf(remedy, sizeof remedy, "journalctl -u policy-routes@%s.service -u refresh-policy-routes@%s.service",
                 i->name, i->name);
        return finding_add(&i->findings, "last-run-failed", SEVERITY_WARNING, i->name, NULL, i->run.error_text,
                           remedy, "The last %s of %s failed (exit status %d): %s.", i->run.action, i->name,
                           i->run.exit_status, i->run.error_text);
}

int netctl_drift_check(NetctlInterface *i) {
        bool applies_ours = false;
        unsigned table;
        int r;

        if (!netctl_interface_is_ours(i)) {
                char remedy[128];

                if (!i->have_files)
                        return 0;
                snprintf(remedy, sizeof remedy, "setup-policy-routes %s remove", i->name);
                return finding_add(&i->findings, "unmanaged-has-files", SEVERITY_WARNING, i->name, "absent",
                                   "present", remedy,
                                   "%s is not managed (%s) but generated configuration for it is in place.",
                                   i->name, unmanaged_to_string(i->unmanaged));
        }

        if ((r = check_imds(i)) < 0 || (r = check_last_run(i)) < 0)
                return r;
        /* What networkd and the kernel do is 2.x's doing until the move. */
        if (i->on_2x_files)
                return finding_add(&i->findings, "takeover-deferred", SEVERITY_INFO, i->name, NULL, NULL,
                                   "Nothing, or reboot; [Interfaces] DeferTakeOver=no moves it at its next "
                                   "refresh (systemd-networkd before 257 restarts its DHCP then)",
                                   "%s still runs on amazon-ec2-net-utils 2.x's files: it moves to the "
                                   "generated configuration at the next boot, when its configuration changes "
                                   "in EC2, or with the next networkd reload this package makes.", i->name);
        if ((r = check_networkd(i, &applies_ours)) < 0 || (r = check_files(i)) < 0)
                return r;
        if (!i->have_files || !netctl_interface_numbers(i, &table, NULL))
                return 0;
        /* Kernel state that networkd sets from our files: only meaningful when it applies
         * them; a shadowing file is reported above as the cause. */
        if (applies_ours || !i->networkd.known) {
                if ((r = check_rules(i, table)) < 0 || (r = check_routes(i, table)) < 0 ||
                    (r = check_addresses(i)) < 0)
                        return r;
        }
        return check_altnames(i);
}
