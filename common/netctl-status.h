/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Collects the model of ec2-netctl status (netctl-model.h) from the running system, changing
 * nothing: the configuration, the links and their drivers, what IMDS says now (through the
 * same client, request order and budget as a refresh, with the token cache read-only) or
 * what the last run saved (--offline), the generated files and what a refresh would write
 * now (the pure renderer), networkd's view over D-Bus, the kernel's rules, routes and
 * addresses over rtnetlink, the last run of each interface and its refresh timer. Then the
 * findings (netctl-drift.h).
 *
 * Needs the IMDS client (libcurl) only when not offline.
 */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "config.h"
#include "netctl-model.h"

typedef struct NetctlOptions {
        const Config *config;
        const char *runtime_dir;        /* /run/amazon-ec2-net-utils */
        const char *network_dir;        /* /run/systemd/network */
        char *const *interfaces;        /* NULL or empty: every ENI (and every interface with
                                         * generated files) */
        bool offline;                   /* no IMDS request: what the last runs saved */
        uint64_t imds_deadline_usec;    /* the whole IMDS part (CLOCK_MONOTONIC) */
        unsigned imds_max_attempts;     /* per request, as a refresh */
        sd_bus *bus;                    /* the system bus; NULL when it cannot be reached */
        uint64_t bus_deadline_usec;     /* every D-Bus call ends before it */
} NetctlOptions;

/* Fills *ret. -ENODEV (with the name in *ret_missing, static storage of o->interfaces) when
 * a named interface does not exist; other -errno when the kernel cannot be read. IMDS
 * failures are not errors: they are findings, and ret->host.imds_error. */
int netctl_status_collect(const NetctlOptions *o, NetctlStatus *ret, const char **ret_missing);

/* Whether the configuration hands the interface to this package, and if not why. */
Unmanaged netctl_unmanaged_reason(const Config *config, bool enabled, const char *ifname, const char *mac,
                                  const char *driver, char **ret_detail);
