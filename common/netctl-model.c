/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netctl-model.h"
#include "strv.h"

static void finding_done(Finding *f) {
        free(f->id);
        free(f->interface);
        free(f->summary);
        free(f->expected);
        free(f->found);
        free(f->remedy);
        *f = (Finding) {};
}

void finding_list_done(FindingList *l) {
        for (size_t i = 0; i < l->n; i++)
                finding_done(&l->items[i]);
        free(l->items);
        *l = (FindingList) {};
}

static int strdup_or_null(const char *s, char **ret) {
        *ret = s ? strdup(s) : NULL;
        return s && !*ret ? -ENOMEM : 0;
}

int finding_add(FindingList *l, const char *id, FindingSeverity severity, const char *interface,
                const char *expected, const char *found, const char *remedy, const char *summary_format, ...) {
        Finding f = { .severity = severity };
        Finding *items;
        va_list ap;
        int r;

        va_start(ap, summary_format);
        r = vasprintf(&f.summary, summary_format, ap);
        va_end(ap);
        if (r < 0) {
                f.summary = NULL;
                return -ENOMEM;
        }
        if (strdup_or_null(id, &f.id) < 0 || strdup_or_null(interface, &f.interface) < 0 ||
            strdup_or_null(expected, &f.expected) < 0 || strdup_or_null(found, &f.found) < 0 ||
            strdup_or_null(remedy, &f.remedy) < 0) {
                finding_done(&f);
                return -ENOMEM;
        }
        items = realloc(l->items, (l->n + 1) * sizeof *items);
        if (!items) {
                finding_done(&f);
                return -ENOMEM;
        }
        l->items = items;
        l->items[l->n++] = f;
        return 0;
}

size_t finding_list_problems(const FindingList *l) {
        size_t n = 0;

        for (size_t i = 0; i < l->n; i++)
                n += l->items[i].severity >= SEVERITY_WARNING;
        return n;
}

const char *finding_severity_to_string(FindingSeverity s) {
        switch (s) {
        case SEVERITY_INFO:
                return "info";
        case SEVERITY_WARNING:
                return "warning";
        case SEVERITY_ERROR:
                return "error";
        }
        return "error";
}

const char *unmanaged_to_string(Unmanaged u) {
        static const char *const names[_UNMANAGED_MAX] = {
                [MANAGED] = NULL,
                [UNMANAGED_DISABLED] = "package-disabled",
                [UNMANAGED_EXCLUDED] = "excluded-by-config",
                [UNMANAGED_NOT_ENI_DRIVER] = "not-eni-driver",
                [UNMANAGED_SHADOWED] = "shadowed",
        };

        return u >= 0 && u < _UNMANAGED_MAX ? names[u] : NULL;
}

void netctl_interface_done(NetctlInterface *i) {
        free(i->unmanaged_detail);
        interface_state_done(&i->imds.state);
        for (int f = 0; f < _IFACE_FILE_MAX; f++) {
                free(i->files[f].expected);
                free(i->files[f].found);
        }
        free(i->networkd.network_file);
        strv_free(i->networkd.dropin_files);
        free(i->networkd.admin_state);
        free(i->networkd.oper_state);
        free(i->kernel.rules);
        free(i->kernel.routes);
        free(i->kernel.addresses);
        strv_free(i->kernel.altnames);
        free(i->timer.active_state);
        finding_list_done(&i->findings);
        *i = (NetctlInterface) {};
}

void netctl_kernel_snapshot_done(NetctlKernelSnapshot *s) {
        link_infos_free(s->links, s->n_links);
        free(s->rules);
        free(s->routes);
        free(s->addresses);
        *s = (NetctlKernelSnapshot) {};
}

void netctl_status_done(NetctlStatus *s) {
        for (size_t i = 0; i < s->n_interfaces; i++)
                netctl_interface_done(&s->interfaces[i]);
        free(s->interfaces);
        free(s->host.disabled_by);
        strv_free(s->host.config_files);
        strv_free(s->host.config_warnings);
        free(s->host.network_dir);
        free(s->host.runtime_dir);
        free(s->host.networkd_version);
        free(s->host.manage_foreign_rules_source);
        free(s->host.manage_foreign_routes_source);
        netctl_kernel_snapshot_done(&s->kernel);
        free(s->host.imds_endpoint);
        free(s->host.imds_interface);
        finding_list_done(&s->findings);
        *s = (NetctlStatus) {};
}

NetctlInterface *netctl_status_add_interface(NetctlStatus *s) {
        NetctlInterface *a = realloc(s->interfaces, (s->n_interfaces + 1) * sizeof *a);

        if (!a)
                return NULL;
        s->interfaces = a;
        a[s->n_interfaces] = (NetctlInterface) {};
        a[s->n_interfaces].imds.state.eni.network_card = NETWORK_CARD_NONE;
        return &a[s->n_interfaces++];
}

const Eni *netctl_interface_eni(const NetctlInterface *i) {
        return i->imds.source != IMDS_VIEW_NONE ? &i->imds.state.eni : NULL;
}

bool netctl_interface_numbers(const NetctlInterface *i, unsigned *ret_table, unsigned *ret_metric) {
        const Eni *eni = netctl_interface_eni(i);

        if (!eni)
                return false;
        if (ret_table)
                *ret_table = eni_table(eni);
        if (ret_metric)
                *ret_metric = eni_metric(eni);
        return true;
}

size_t netctl_status_problems(const NetctlStatus *s) {
        size_t n = finding_list_problems(&s->findings);

        for (size_t i = 0; i < s->n_interfaces; i++)
                n += finding_list_problems(&s->interfaces[i].findings);
        return n;
}

void netctl_format_time(uint64_t realtime_usec, char buf[static 32]) {
        time_t t = (time_t) (realtime_usec / USEC_PER_SEC);
        struct tm tm;

        buf[0] = '\0';
        if (realtime_usec == 0 || !gmtime_r(&t, &tm))
                return;
        strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

uint64_t netctl_age_sec(uint64_t now_usec, uint64_t then_usec) {
        return now_usec > then_usec ? (now_usec - then_usec) / USEC_PER_SEC : 0;
}
