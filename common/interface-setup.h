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
#include "interface-ownership.h"
#include "validate.h"

typedef enum SetupMode {
        SETUP_START,     /* initial setup: waits (bounded) for the link and IMDS propagation */
        SETUP_REFRESH,   /* one pass; a missing interface is a quiet no-op */
} SetupMode;

/* What a run gives every setup: inputs only, never written by a setup. */
typedef struct SetupContext {
        const Config *config;
        ImdsClient *imds;
        const char *network_dir;      /* /run/systemd/network */
        const char *runtime_dir;      /* /run/amazon-ec2-net-utils */
        bool check_shadowing;         /* ask networkd which .network file it applied */
        uint64_t deadline_usec;       /* nothing runs past it */
        uint64_t link_wait_usec;      /* start: how long to wait for the link to appear */
} SetupContext;

/* What the setups and removes of one run share and leave for its reload. */
typedef struct SetupRun {
        char primary_mac[MAC_STR_MAX];/* fetched once per run, "" until then */
        bool changed;                 /* some file changed: networkd needs a reload */
        bool reload_intent;           /* a pending reload was recorded before the first
                                       * change (networkd_reload_intent): reload even when
                                       * the change then failed half-way */
        char moved_from_2x[128];      /* the ENIs interface_setup_reload() moved from 2.x's
                                       * files, space-separated (for the log) */
} SetupRun;

typedef struct SetupOutcome {
        bool link_missing;            /* no such interface (refresh: nothing done) */
        bool excluded;                /* excluded by configuration: nothing done */
        bool changed;                 /* files of this interface changed */
        bool deferred;                /* left on 2.x's files (deferred-takeover.h) */
        bool deferred_first;          /* ... from this run on */
        char mac[MAC_STR_MAX];
        char interface_id[ENI_ID_MAX];
        unsigned table;
        char altname_error[128];      /* an altname that could not be added, for a warning */
        char shadowed_by[256];        /* another .network file networkd applies instead of
                                       * ours (reported once per boot), or "" */
} SetupOutcome;

/* 0 with *ret filled (also when the link is missing on refresh, or excluded), or an error:
 * -ELINK_ABSENT when a started interface did not appear within link_wait_usec, the IMDS
 * outcomes of imds-client.h / imds-eni.h, or a local -errno (a lock, a file, netlink). */
int interface_setup(const SetupContext *ctx, SetupRun *run, const char *ifname, SetupMode mode,
                    SetupOutcome *ret);

typedef struct RemoveRequest {
        const char *removed_mac;      /* the MAC that went away (udev); NULL: unknown, then
                                       * the files go whoever they were written for */
        bool check_present;           /* udev: a link holding the name now makes the event
                                       * stale (see interface-ownership.h) */
} RemoveRequest;

typedef struct RemoveOutcome {
        RemoveVerdict verdict;
        bool changed;                 /* files were removed */
        bool name_in_use;             /* a link holds the name now */
        char removed_mac[MAC_STR_MAX];/* "" unknown */
        char owner_mac[MAC_STR_MAX];  /* whom the files were written for; "" unknown */
        char present_mac[MAC_STR_MAX];/* the MAC of the link holding the name, or "" */
} RemoveOutcome;

/* What interface_remove() would do now, without the lock and without changing anything
 * (udev's helper decides with it whether to stop the units named after the interface,
 * before it may wait for their lock). */
int interface_remove_plan(const SetupContext *ctx, const char *ifname, const RemoveRequest *req,
                          RemoveOutcome *ret);

/* Deletes the interface's generated files and state, unless they belong to another MAC or
 * to the link that holds the name now; req NULL: unconditionally (the 2.x command line). */
int interface_remove(const SetupContext *ctx, SetupRun *run, const char *ifname, const RemoveRequest *req,
                     RemoveOutcome *ret);

/*
 * Holding an interface (issue 14; bench/networkd-switch.md): until its own configuration
 * exists, PREFIX-IFACE.network says Unmanaged=yes, so that on a networkd that restarts DHCP
 * when a link's configuration changes (< 257), the first configuration it applies is the
 * final one. interface_setup() replaces a hold with the real file; releasing a hold lets
 * 80-ec2.network apply (the fallback when the setup fails). Both under the interface's lock,
 * marking the run changed (call interface_setup_reload()).
 *
 * interface_hold: writes the hold for the interface with this MAC when nothing is at
 * PREFIX-IFACE.network (*ret_held false when something is). interface_release: removes
 * PREFIX-IFACE.network when it is a hold, and nothing else (*ret_released).
 * interface_is_held: 1 held, 0 not.
 */
int interface_hold(const SetupContext *ctx, SetupRun *run, const char *ifname, const char *mac, bool *ret_held);
int interface_release(const SetupContext *ctx, SetupRun *run, const char *ifname, bool *ret_released);
int interface_is_held(const char *network_dir, const char *ifname);

/* Once at the end of a run, whatever happened to the interfaces: reloads networkd (coalesced
 * with other processes) when this context changed or began to change files, or else when
 * reloads are pending from a process that did not finish. Before such a reload, moves every
 * ENI left on 2.x's files to ours (deferred-takeover.h), marking the run changed. Sets
 * *ret_reloaded when this process did the reload. */
int interface_setup_reload(const SetupContext *ctx, SetupRun *run, uint64_t deadline_usec,
                           bool *ret_reloaded);
