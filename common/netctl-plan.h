/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * ec2-netctl plan: what `setup-policy-routes IFACE start|refresh` would change right now,
 * computed from the status model (netctl-status.h) without changing anything:
 *   - per generated file, whether it would be created, updated or removed, with a unified
 *     diff (text-diff.h);
 *   - whether networkd would be reloaded (a file changes, or a reload was left pending) and
 *     which links it would then reconfigure: those whose files change. A reconfigured link
 *     gets exactly what its files ask for, so the rules and addresses to add or remove are
 *     the differences between the files and the kernel;
 *   - the altnames a refresh adds itself;
 *   - what a refresh would leave wrong (a shadowing .network file, a rule deleted by hand
 *     while the files are current, ...), as the status findings with their remedy.
 * Pure: model in, plan out; rendered by netctl-json.c / netctl-table.c.
 */

#include <stdbool.h>

#include "netctl-model.h"

typedef enum PlanFileChange { PLAN_FILE_CREATE, PLAN_FILE_UPDATE, PLAN_FILE_REMOVE } PlanFileChange;

typedef struct PlanFile {
        char name[PATH_MAX];     /* relative to the network directory */
        PlanFileChange change;
        char *diff;              /* unified diff, a/NAME -> b/NAME */
        unsigned added, removed; /* lines */
} PlanFile;

typedef struct PlanInterface {
        char name[IFNAMSIZ];
        bool managed;
        const char *action;      /* "start" (never configured) or "refresh"; NULL: not ours */
        char *reason;            /* why nothing would be done (unmanaged, IMDS failed); NULL */
        PlanFile *files;
        size_t n_files;
        char **rules_add, **rules_remove;          /* as `ip rule` prints them */
        char **addresses_add, **addresses_remove;  /* ADDR/LEN */
        char **altnames_add;
        bool reconfigure;        /* networkd would reconfigure the link after the reload */
        FindingList not_fixed;   /* what a refresh would leave wrong */
} PlanInterface;

typedef struct NetctlPlan {
        uint64_t now_usec;
        PlanInterface *interfaces;
        size_t n_interfaces;
        bool reload;             /* networkd would be reloaded */
        uint64_t reloads_pending;
        char **reconfigure;      /* the links it would reconfigure */
        /* What networkd removes when it configures a link and ManageForeignRoutingPolicyRules=
         * / ManageForeignRoutes= are yes (their default): the rules no .network file asks for
         * (those of other agents, such as the VPC CNI), the routes of the reconfigured links
         * that networkd did not make. As `ip rule` / `ip route` print them. */
        char **foreign_rules_removed;
        char **foreign_routes_removed;
        FindingList findings;    /* about the host, from the status */
} NetctlPlan;

void netctl_plan_done(NetctlPlan *p);
int netctl_plan_compute(const NetctlStatus *s, NetctlPlan *ret);

/* Changes a refresh would make (files, rules, addresses, altnames, a reload). */
size_t netctl_plan_changes(const NetctlPlan *p);
/* What a refresh would leave wrong (errors and warnings). */
size_t netctl_plan_problems(const NetctlPlan *p);
const char *plan_file_change_to_string(PlanFileChange c);
