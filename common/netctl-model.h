/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * What ec2-netctl knows about the host and each ENI (SPEC §11): three views of every
 * interface (what IMDS says, what was written, what networkd and the kernel do) and the
 * findings where they disagree. Collected by netctl-status.c, compared by netctl-drift.c,
 * rendered by netctl-json.c and netctl-table.c; the rendering and comparison are pure
 * functions of this model, so tests build a model by hand and compare text.
 */

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "interface-state.h"
#include "macro.h"
#include "netlink-dump.h"
#include "render.h"
#include "run-record.h"

#define NETCTL_SCHEMA "ec2-netctl/1"

typedef enum FindingSeverity {
        SEVERITY_INFO,      /* worth knowing; does not make the exit status 1 */
        SEVERITY_WARNING,   /* will or may break policy routing */
        SEVERITY_ERROR,     /* policy routing is wrong now */
} FindingSeverity;

typedef struct Finding {
        char *id;           /* stable identifier, e.g. "rule-missing" (man ec2-netctl(8)) */
        FindingSeverity severity;
        char *interface;    /* NULL: about the host */
        char *summary;      /* what was seen, one sentence */
        char *expected;     /* NULL when there is nothing to compare */
        char *found;
        char *remedy;       /* what to do; NULL when nothing needs doing */
} Finding;

typedef struct FindingList {
        Finding *items;
        size_t n;
} FindingList;

void finding_list_done(FindingList *l);
/* Appends a finding; expected, found, remedy and interface may be NULL. -ENOMEM. */
int finding_add(FindingList *l, const char *id, FindingSeverity severity, const char *interface,
                const char *expected, const char *found, const char *remedy, const char *summary_format, ...)
        _printf_(8, 9);
/* Warnings and errors: the findings that make the exit status 1. */
size_t finding_list_problems(const FindingList *l);
const char *finding_severity_to_string(FindingSeverity s);

typedef enum Unmanaged {
        MANAGED,
        UNMANAGED_DISABLED,        /* the package is disabled (configuration, kernel option) */
        UNMANAGED_EXCLUDED,        /* ExcludeInterfaces= / ExcludeMACs= */
        UNMANAGED_NOT_ENI_DRIVER,  /* its driver is not in Drivers= */
        UNMANAGED_SHADOWED,        /* networkd applies another .network file to it */
        _UNMANAGED_MAX,
} Unmanaged;

/* "excluded-by-config", ...; NULL for MANAGED. */
const char *unmanaged_to_string(Unmanaged u);

typedef enum ImdsViewSource {
        IMDS_VIEW_NONE,     /* no data: IMDS failed and nothing was saved, or not asked */
        IMDS_VIEW_FRESH,    /* read from IMDS by this run */
        IMDS_VIEW_SAVED,    /* --offline: what the last setup or refresh saved */
} ImdsViewSource;

typedef struct NetctlImdsView {
        ImdsViewSource source;
        InterfaceState state;       /* valid when source != IMDS_VIEW_NONE */
        uint64_t time_usec;         /* CLOCK_REALTIME of the data; 0 unknown */
        int error;                  /* why there is no fresh data (0: none) */
        unsigned requests;          /* IMDS requests made for this interface */
} NetctlImdsView;

typedef struct NetctlFile {
        char name[PATH_MAX];        /* relative to the network directory */
        bool expected_known;        /* an IMDS view exists to render from */
        char *expected;             /* what a refresh would write now; NULL: no such file */
        char *found;                /* on disk; NULL: absent */
        int read_error;             /* the file exists but could not be read */
} NetctlFile;

typedef struct NetctlNetworkdView {
        bool known;                 /* networkd answered DescribeLink */
        int error;
        char *network_file;         /* NULL when it applies none */
        char **dropin_files;        /* NULL when networkd does not report them (252) */
        char *admin_state;          /* AdministrativeState: configured, configuring, failed, ... */
        char *oper_state;           /* OperationalState: routable, degraded, ... */
} NetctlNetworkdView;

typedef struct NetctlKernelView {
        KernelRule *rules;          /* at the interface's priority, both families */
        size_t n_rules;
        KernelRoute *routes;        /* of its table */
        size_t n_routes;
        KernelAddress *addresses;   /* on the link */
        size_t n_addresses;
        char **altnames;
} NetctlKernelView;

typedef struct NetctlTimerView {
        bool known;                 /* systemd answered */
        char *active_state;         /* of refresh-policy-routes@IFACE.timer */
        uint64_t next_usec;         /* CLOCK_REALTIME of the next run; 0 none */
} NetctlTimerView;

typedef struct NetctlInterface {
        char name[IFNAMSIZ];
        int ifindex;
        char mac[MAC_STR_MAX];
        char driver[32];            /* "" unknown */
        Unmanaged unmanaged;
        char *unmanaged_detail;     /* e.g. the shadowing file, the matching pattern */
        NetctlImdsView imds;
        bool have_files;            /* any of ours is on disk */
        bool on_2x_files;           /* left on 2.x's files after an upgrade (deferred-takeover.h) */
        NetctlFile files[_IFACE_FILE_MAX];
        NetctlNetworkdView networkd;
        NetctlKernelView kernel;
        bool have_run;
        RunRecord run;
        NetctlTimerView timer;
        FindingList findings;
} NetctlInterface;

/* Configured by this product: managed, or managed but shadowed by another .network file. */
static inline bool netctl_interface_is_ours(const NetctlInterface *i) {
        return i->unmanaged == MANAGED || i->unmanaged == UNMANAGED_SHADOWED;
}

typedef struct NetctlHost {
        uint64_t now_usec;              /* CLOCK_REALTIME when collected */
        uint64_t reloads_pending;
        char *disabled_by;              /* when not enabled */
        char **config_files;            /* read, in order */
        char **config_warnings;
        char *network_dir, *runtime_dir;
        char *networkd_version;         /* NULL unknown */
        char *manage_foreign_rules_source;   /* the file that set it; NULL: the default */
        char *manage_foreign_routes_source;
        char *imds_endpoint;            /* the endpoint and route that answered; NULL */
        char *imds_interface;
        unsigned imds_requests;         /* all requests of this run, token included */
        int imds_error;                 /* the first IMDS failure of the run */
        bool offline;
        bool enabled;
        bool networkd_known;            /* on the bus */
        bool systemd_known;
        bool manage_foreign_rules;      /* networkd.conf [Network] ManageForeignRoutingPolicyRules= */
        bool manage_foreign_routes;     /* ManageForeignRoutes= */
} NetctlHost;

/* The kernel's whole state, as read once for all interfaces (for plan and doctor, which
 * look beyond the ENIs' own priorities and tables). */
typedef struct NetctlKernelSnapshot {
        LinkInfo *links;
        size_t n_links;
        KernelRule *rules;
        size_t n_rules;
        KernelRoute *routes;
        size_t n_routes;
        KernelAddress *addresses;
        size_t n_addresses;
} NetctlKernelSnapshot;

void netctl_kernel_snapshot_done(NetctlKernelSnapshot *s);

typedef struct NetctlStatus {
        NetctlHost host;
        NetctlInterface *interfaces;
        size_t n_interfaces;
        FindingList findings;           /* about the host */
        NetctlKernelSnapshot kernel;
} NetctlStatus;

void netctl_interface_done(NetctlInterface *i);
void netctl_status_done(NetctlStatus *s);
/* A new zeroed interface at the end of s->interfaces; NULL on -ENOMEM. */
NetctlInterface *netctl_status_add_interface(NetctlStatus *s);

/* The interface's table (= rule priority) and metric, when an IMDS view exists. */
bool netctl_interface_numbers(const NetctlInterface *i, unsigned *ret_table, unsigned *ret_metric);
const Eni *netctl_interface_eni(const NetctlInterface *i);

/* "2026-12-01T22:50:36Z" (UTC) for a CLOCK_REALTIME time; "" for 0. */
void netctl_format_time(uint64_t realtime_usec, char buf[static 32]);
/* Whole seconds from then to now, 0 when then is later (a clock step). */
uint64_t netctl_age_sec(uint64_t now_usec, uint64_t then_usec);

/* Every finding of the status (host and interfaces) that counts as a problem. */
size_t netctl_status_problems(const NetctlStatus *s);
