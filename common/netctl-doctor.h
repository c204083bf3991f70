/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * ec2-netctl doctor (SPEC §11): what breaks this agent in the field, each finding with an
 * id, a severity, what was seen and what to do:
 *   - network-files: a .network file that networkd applies (or would, at the next reload) to
 *     an ENI instead of ours, because it sorts first and matches it (netplan's
 *     10-netplan-*, cloud-init's 50-cloud-init.network, an administrator's file);
 *   - other-managers: cloud-init's hotplug hook, Debian's 75-cloud-ifupdown.rules,
 *     NetworkManager managing an ENI, nm-cloud-setup enabled, another agent's policy routing
 *     through an ENI (the Amazon VPC CNI, Cilium's ENI mode: their tables and rules);
 *   - networkd-settings: networkd.conf settings that fight policy routing
 *     (ManageForeignRoutingPolicyRules=, ManageForeignRoutes=);
 *   - collisions: rules of others at the priority of an ENI's table, routes of others in
 *     it, rules of others that look up an ENI's table;
 *   - imds: IMDS reachable, enabled (403), IMDSv2 available, answering in time (the PUT
 *     response's hop limit), a route to it;
 *   - units: policy-routes@ / refresh-policy-routes@ masked or failed for present ENIs,
 *     timers left for ENIs that are gone.
 * Files are read under host_root() (host-root.h), so tests can stage them.
 */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "netctl-model.h"
#include "netctl-status.h"
#include "systemd-unit-state.h"

typedef enum DoctorCheckId {
        DOCTOR_NETWORK_FILES,
        DOCTOR_OTHER_MANAGERS,
        DOCTOR_NETWORKD_SETTINGS,
        DOCTOR_COLLISIONS,
        DOCTOR_IMDS,
        DOCTOR_UNITS,
        _DOCTOR_CHECK_MAX,
} DoctorCheckId;

typedef enum DoctorResult { DOCTOR_OK, DOCTOR_FOUND, DOCTOR_SKIPPED } DoctorResult;

typedef struct DoctorCheck {
        DoctorResult result;
        char *detail;           /* why skipped; NULL */
} DoctorCheck;

typedef struct NetctlDoctor {
        uint64_t now_usec;
        DoctorCheck checks[_DOCTOR_CHECK_MAX];
        FindingList findings;
} NetctlDoctor;

void netctl_doctor_done(NetctlDoctor *d);
const char *doctor_check_to_string(DoctorCheckId id);
const char *doctor_result_to_string(DoctorResult r);

/* Runs every check on the status collected offline (netctl_status_collect). o gives the
 * IMDS settings of the probe, the bus, the network directory. */
int netctl_doctor_run(const NetctlOptions *o, const NetctlStatus *s, NetctlDoctor *ret);

/* The checks, exposed for tests. Each appends to out. */
int doctor_check_network_files(const NetctlStatus *s, const char *network_dir, FindingList *out);
int doctor_check_other_manager_files(const NetctlStatus *s, FindingList *out);
int doctor_check_foreign_policy_routing(const NetctlStatus *s, FindingList *out);
int doctor_check_networkd_settings(const NetctlStatus *s, FindingList *out);
int doctor_check_collisions(const NetctlStatus *s, FindingList *out);
/* The finding for the result of an IMDS probe: r is imds_get()'s result, requests the
 * number of HTTP requests it made (1: the token request itself failed). */
int doctor_imds_finding(const NetctlStatus *s, int r, unsigned requests, FindingList *out);

typedef struct DoctorUnit {
        char name[128];
        char instance[64];      /* the interface name the unit is for */
        UnitState state;
} DoctorUnit;

/* From the states of policy-routes@ and refresh-policy-routes@ units (as systemd lists or
 * loads them). */
int doctor_units_findings(const NetctlStatus *s, const DoctorUnit *units, size_t n, FindingList *out);

/* Whether any finding of the doctor counts as a problem. */
size_t netctl_doctor_problems(const NetctlDoctor *d);
