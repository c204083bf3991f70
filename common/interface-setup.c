/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "error-codes.h"
#include "file-save.h"
#include "imds-eni.h"
#include "interface-files.h"
#include "interface-setup.h"
#include "interface-state.h"
#include "lock.h"
#include "log.h"
#include "netlink.h"
#include "networkd.h"
#include "render.h"
#include "strv.h"
#include "time-util.h"

#define LOCK_WAIT_USEC (30 * USEC_PER_SEC)

static uint64_t deadline_min(uint64_t a, uint64_t b) {
        return a < b ? a : b;
}

static void add_altname(const LinkInfo *link, const char *name, SetupOutcome *o) {
        int r;

        if (strv_contains(link->altnames, name) || streq(link->ifname, name))
                return;
        r = link_add_altname(link->ifindex, name);
        if (r > 0)
                o->n_altnames_added++;
        else if (r < 0)
                snprintf(o->altname_error, sizeof o->altname_error, "%s: %s", name, strerror(-r));
}

/* SPEC §4: the ENI id and device-number-D (device-number-D.C on instance types that report
 * network cards). */
static void add_altnames(const LinkInfo *link, const Eni *eni, SetupOutcome *o) {
        char name[64];

        if (eni->interface_id[0])
                add_altname(link, eni->interface_id, o);
        if (eni->network_card == NETWORK_CARD_NONE)
                snprintf(name, sizeof name, "device-number-%u", eni->device_number);
        else
                snprintf(name, sizeof name, "device-number-%u.%d", eni->device_number, eni->network_card);
        add_altname(link, name, o);
}

/* SPEC §8: a lower-numbered .network file (netplan's 10-netplan-*) matching the interface
 * silently wins over ours, and our drop-ins then never apply. Only meaningful once networkd
 * has read our files, so the caller checks in a run that changed nothing. */
static void check_shadowing(SetupContext *ctx, const LinkInfo *link, InterfaceState *state, SetupOutcome *o) {
        _cleanup_free_ char *file = NULL;
        char ours[PATH_MAX];
        const char *base;

        if (!ctx->networkd_state_dir ||
            networkd_link_network_file(ctx->networkd_state_dir, link->ifindex, &file) < 0 ||
            interface_file_name(link->ifname, IFACE_FILE_NETWORK, ours, sizeof ours) < 0)
                return;
        base = strrchr(file, '/');
        base = base ? base + 1 : file;
        /* Ours, or an administrator's file of the same name in /etc: that one wins by design. */
        if (streq(base, ours)) {
                state->shadowed_by[0] = '\0';
                return;
        }
        if (streq(state->shadowed_by, file))
                return;   /* already reported this boot */
        snprintf(state->shadowed_by, sizeof state->shadowed_by, "%s", file);
        snprintf(o->shadowed_by, sizeof o->shadowed_by, "%s", file);
}

static int fetch_eni(SetupContext *ctx, const LinkInfo *link, SetupMode mode, InterfaceState *state,
                     SetupOutcome *o) {
        int r;

        r = interface_state_load(ctx->runtime_dir, link->ifname, link->mac, state);
        if (r >= 0) {
                /* Seeded at boot or set up before: only what can change is re-read. */
                o->from_state = true;
                return imds_refresh_interface(ctx->imds, &state->eni);
        }

        if (!ctx->primary_mac[0]) {
                r = imds_primary_mac(ctx->imds, ctx->runtime_dir, ctx->primary_mac);
                if (r < 0)
                        return r;
        }
        ImdsFetchOptions fo = {
                .wait_for_propagation = mode == SETUP_START,
                .propagation_deadline_usec = ctx->deadline_usec,
                .runtime_dir = ctx->runtime_dir,
        };
        return imds_fetch_interface(ctx->imds, link->mac, ctx->primary_mac, &fo, &state->eni);
}

/* Before the first file changes: a process killed between its writes and its reload must
 * leave a trace, or the next run (finding the files current) would never reload. */
static int record_reload_intent(void *userdata) {
        SetupContext *ctx = userdata;

        if (!ctx->reload_intent && networkd_reload_intent(ctx->runtime_dir) >= 0)
                ctx->reload_intent = true;
        return 0;   /* without the record the change is still worth making */
}

int interface_setup(SetupContext *ctx, const char *ifname, SetupMode mode, SetupOutcome *ret) {
        _cleanup_(link_info_done) LinkInfo link = {};
        _cleanup_(file_lock_release) FileLock lock = FILE_LOCK_NULL;
        _cleanup_(interface_state_done) InterfaceState state = {};
        _cleanup_(rendered_interface_done) RenderedInterface rendered = {};
        SetupOutcome o = {};
        LinkAddresses addr = {};
        bool changed = false;
        int r;

        r = link_get_by_name(ifname, &link);
        if (r == -ENODEV && mode == SETUP_START) {
                r = link_wait_for_name(ifname, deadline_min(ctx->deadline_usec,
                                                            usec_add(now_usec(), ctx->link_wait_usec)), &link);
                if (r == 0)
                        return log_debug_errno(-ELINK_ABSENT, "%s did not appear in time.", ifname);
        }
        if (r == -ENODEV && mode == SETUP_REFRESH) {
                o.link_missing = true;
                *ret = o;
                return 0;
        }
        if (r < 0)
                return r;
        if (!link.mac[0])
                return log_debug_errno(-EMEDIUMTYPE, "%s has no Ethernet address.", ifname);
        memcpy(o.mac, link.mac, sizeof o.mac);

        if (config_interface_excluded(ctx->config, link.ifname, link.mac)) {
                o.excluded = true;
                *ret = o;
                return 0;
        }

        r = interface_lock_acquire(ctx->runtime_dir, link.ifname,
                                   deadline_min(ctx->deadline_usec, usec_add(now_usec(), LOCK_WAIT_USEC)), &lock);
        if (r < 0)
                return log_debug_errno(r, "Failed to lock %s: %m", link.ifname);

        r = fetch_eni(ctx, &link, mode, &state, &o);
        if (r < 0)
                return r;   /* SPEC §3: an error is never an empty answer; nothing changes */
        memcpy(o.interface_id, state.eni.interface_id, sizeof o.interface_id);
        o.table = eni_table(&state.eni);

        r = link_get_addresses(link.ifindex, &addr);
        if (r < 0)
                return r;
        if (mode == SETUP_START) {
                bool want4 = state.eni.ipv4s[0] && !addr.has_global_ipv4 && !state.has_ipv4;
                bool want6 = state.eni.ipv6s[0] && !addr.has_global_ipv6 && !state.has_ipv6;

                /* DHCP and RA may still be running: the routes we write depend on whether
                 * the subnet has IPv4/IPv6 (SPEC §4). Bounded; refresh catches up later. */
                if (want4 || want6) {
                        r = link_wait_for_addresses(link.ifindex, want4, want6,
                                                    deadline_min(ctx->deadline_usec,
                                                                 usec_add(now_usec(), ctx->address_wait_usec)),
                                                    &addr);
                        if (r == -ENODEV) {
                                /* Detached while we waited: nothing was written, nothing to do. */
                                o.link_gone = true;
                                *ret = o;
                                return 0;
                        }
                        if (r < 0)
                                return r;
                }
        }
        interface_state_note_addresses(&state, &addr);
        r = interface_state_render(&state, ctx->config, link.ifname, &rendered);
        if (r < 0)
                return r;
        r = interface_files_save(ctx->network_dir, link.ifname, &rendered,
                                 &(const FilesChangeHook) { record_reload_intent, ctx }, &changed);
        if (r < 0)
                return r;

        add_altnames(&link, &state.eni, &o);
        if (!changed)
                check_shadowing(ctx, &link, &state, &o);

        r = interface_state_save(ctx->runtime_dir, link.ifname, &state);
        if (r < 0)
                log_debug_errno(r, "Failed to save the state of %s, ignoring: %m", link.ifname);

        o.changed = changed;
        ctx->changed = ctx->changed || changed;
        *ret = o;
        return 0;
}

int interface_remove(SetupContext *ctx, const char *ifname, bool *ret_changed) {
        _cleanup_(file_lock_release) FileLock lock = FILE_LOCK_NULL;
        bool changed = false;
        int r;

        r = interface_lock_acquire(ctx->runtime_dir, ifname,
                                   deadline_min(ctx->deadline_usec, usec_add(now_usec(), LOCK_WAIT_USEC)), &lock);
        if (r < 0)
                return r;
        r = interface_files_remove(ctx->network_dir, ifname,
                                   &(const FilesChangeHook) { record_reload_intent, ctx }, &changed);
        if (r < 0)
                return r;
        interface_state_remove(ctx->runtime_dir, ifname);
        ctx->changed = ctx->changed || changed;
        if (ret_changed)
                *ret_changed = changed;
        return 0;
}

int interface_setup_reload(const SetupContext *ctx, uint64_t deadline_usec, bool *ret_reloaded) {
        /* changed without reload_intent: the intent could not be recorded, the files
         * changed all the same. */
        if (ctx->changed || ctx->reload_intent)
                return networkd_reload_coalesced(ctx->runtime_dir, deadline_usec, ret_reloaded);
        return networkd_reload_pending(ctx->runtime_dir, deadline_usec, ret_reloaded);
}
