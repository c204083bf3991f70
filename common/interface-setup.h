/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * One interface from IMDS to networkd (SPEC §4, §6): the work of `setup-policy-routes IFACE
 * start|refresh|remove`, and of the boot-time seed stage for each ENI present. The caller
 * owns the IMDS client (one token, one connection for any number of interfaces) and calls
 * interface_setup_reload() once at the end, after any number of interfaces.
 */

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "eni.h"
#include "imds-client.h"

typedef enum SetupMode {
        SETUP_START,     /* initial setup: waits (bounded) for the link and IMDS propagation */
        SETUP_REFRESH,   /* one pass; a missing interface is a quiet no-op */
} SetupMode;

typedef struct SetupContext {
        const Config *config;
        ImdsClient *imds;
        const char *network_dir;      /* /run/systemd/network */
        const char *runtime_dir;      /* /run/amazon-ec2-net-utils */
        const char *networkd_state_dir; /* /run/systemd/netif/links; NULL: do not check */
        uint64_t deadline_usec;       /* nothing runs past it */
        uint64_t link_wait_usec;      /* start: how long to wait for the link to appear */
        char primary_mac[MAC_STR_MAX];/* fetched once per run, "" until then */
        bool changed;                 /* some file changed: networkd needs a reload */
        bool reload_intent;           /* a pending reload was recorded before the first
                                       * change (networkd_reload_intent): reload even when
                                       * the change then failed half-way */
} SetupContext;

typedef struct SetupOutcome {
        bool link_missing;            /* no such interface (refresh: nothing done) */
        bool excluded;                /* excluded by configuration: nothing done */
        bool changed;                 /* files of this interface changed */
        bool from_state;              /* static ENI data came from an earlier run */
        char mac[MAC_STR_MAX];
        char interface_id[ENI_ID_MAX];
        unsigned table;
        int n_altnames_added;
        char altname_error[128];      /* an altname that could not be added, for a warning */
        char shadowed_by[256];        /* another .network file networkd applies instead of
                                       * ours (reported once per boot), or "" */
} SetupOutcome;

int interface_setup(SetupContext *ctx, const char *ifname, SetupMode mode, SetupOutcome *ret);

/* Deletes the interface's generated files and state. */
int interface_remove(SetupContext *ctx, const char *ifname, bool *ret_changed);

/* Once at the end of a run, whatever happened to the interfaces: reloads networkd (coalesced
 * with other processes) when this context changed or began to change files, or else when
 * reloads are pending from a process that did not finish. Sets *ret_reloaded when this
 * process did the reload. */
int interface_setup_reload(const SetupContext *ctx, uint64_t deadline_usec, bool *ret_reloaded);
