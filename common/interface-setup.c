/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "deferred-takeover.h"
#include "error-codes.h"
#include "file-read.h"
#include "file-save.h"
#include "hold-policy.h"
#include "imds-eni.h"
#include "interface-files.h"
#include "interface-ownership.h"
#include "interface-setup.h"
#include "interface-state.h"
#include "legacy-files.h"
#include "legacy-routes.h"
#include "lock.h"
#include "log.h"
#include "netlink.h"
#include "networkd.h"
#include "render.h"
#include "strv.h"
#include "time-util.h"
#include "validate.h"

#define LOCK_WAIT_USEC (30 * USEC_PER_SEC)

static uint64_t deadline_min(uint64_t a, uint64_t b) {
        return a < b ? a : b;
}

static void add_altname(const LinkInfo *link, const char *name, SetupOutcome *o) {
        int r;

        if (strv_contains(link->altnames, name) || streq(link->ifname, name))
                return;
        r = link_add_altname(link->ifindex, name);
        if (r < 0)
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

/* networkd answers at once; a networkd too busy to say is no reason to hold a setup up. */
#define SHADOW_CHECK_USEC (2 * USEC_PER_SEC)

/* SPEC §8: a lower-numbered .network file (netplan's 10-netplan-*) matching the interface
 * silently wins over ours, and our drop-ins then never apply. Only meaningful once networkd
 * has read our files, so the caller checks in a run that changed nothing. */
static void check_shadowing(const SetupContext *ctx, const LinkInfo *link, InterfaceState *state, SetupOutcome *o) {
        _cleanup_free_ char *file = NULL;
        char ours[PATH_MAX];
        const char *base;

        if (!ctx->check_shadowing ||
            networkd_link_network_file(link->ifindex, deadline_min(ctx->deadline_usec,
                                                                   usec_add(now_usec(), SHADOW_CHECK_USEC)),
                                       &file) < 0 ||
            interface_file_name(link->ifname, IFACE_FILE_NETWORK, ours, sizeof ours) < 0)
                return;
        base = strrchr(file, '/');
        base = base ? base + 1 : file;
        /* Ours, or an administrator's file of the same name in /etc: that one wins by design. */
        if (streq(base, ours)) {
                state->shadowed_by[0] = '\0';
                return;
        }
        /* networkd picks the first file in lexical order of the names: one that sorts after
         * ours cannot win over it; networkd has not applied a reload yet (it reconfigures
         * links after Reload returns: right after the seed stage, for example). */
        if (strcmp(base, ours) > 0)
                return;
        if (streq(state->shadowed_by, file))
                return;   /* already reported this boot */
        snprintf(state->shadowed_by, sizeof state->shadowed_by, "%s", file);
        snprintf(o->shadowed_by, sizeof o->shadowed_by, "%s", file);
}

static int fetch_eni(const SetupContext *ctx, SetupRun *run, const LinkInfo *link, SetupMode mode,
                     InterfaceState *state) {
        int r;

        r = interface_state_load(ctx->runtime_dir, link->ifname, link->mac, state);
        if (r >= 0) {
                /* Seeded at boot or set up before: only what can change is re-read. */
                return imds_refresh_interface(ctx->imds, &state->eni);
        }

        if (!run->primary_mac[0]) {
                r = imds_primary_mac(ctx->imds, ctx->runtime_dir, run->primary_mac);
                if (r < 0)
                        return r;
        }
        ImdsFetchOptions fo = {
                .wait_for_propagation = mode == SETUP_START,
                .propagation_deadline_usec = ctx->deadline_usec,
                .runtime_dir = ctx->runtime_dir,
        };
        return imds_fetch_interface(ctx->imds, link->mac, run->primary_mac, &fo, &state->eni);
}

/* Before the first file changes: a process killed between its writes and its reload must
 * leave a trace, or the next run (finding the files current) would never reload. */
typedef struct ReloadIntent {
        const char *runtime_dir;
        SetupRun *run;
} ReloadIntent;

static int record_reload_intent(void *userdata) {
        ReloadIntent *ri = userdata;

        if (!ri->run->reload_intent && networkd_reload_intent(ri->runtime_dir) >= 0)
                ri->run->reload_intent = true;
        return 0;   /* without the record the change is still worth making */
}

/* The link, waited for (bounded) on start. 1: go on, 0: nothing to do (*o says why). */
static int setup_find_link(const SetupContext *ctx, const char *ifname, SetupMode mode, LinkInfo *link,
                           SetupOutcome *o) {
        int r;

        r = link_get_by_name(ifname, link);
        if (r == -ENODEV && mode == SETUP_START) {
                r = link_wait_for_name(ifname, deadline_min(ctx->deadline_usec,
                                                            usec_add(now_usec(), ctx->link_wait_usec)), link);
                if (r == 0)
                        return log_debug_errno(-ELINK_ABSENT, "%s did not appear in time.", ifname);
        }
        if (r == -ENODEV && mode == SETUP_REFRESH) {
                o->link_missing = true;
                return 0;
        }
        if (r < 0)
                return r;
        if (!link->mac[0])
                return log_debug_errno(-EMEDIUMTYPE, "%s has no Ethernet address.", ifname);
        memcpy(o->mac, link->mac, sizeof o->mac);
        if (config_interface_excluded(ctx->config, link->ifname, link->mac)) {
                o->excluded = true;
                return 0;
        }
        return 1;
}

/* Whether the subnet has IPv4/IPv6 (SPEC §4), which decides the routes: from IMDS's lists and
 * the link's addresses (interface_state_note_addresses), without waiting for DHCP or RA. */
static int setup_learn_addresses(const LinkInfo *link, InterfaceState *state) {
        LinkAddresses addr = {};
        int r;

        r = link_get_addresses(link->ifindex, &addr);
        if (r < 0)
                return r;
        interface_state_note_addresses(state, &addr);
        return 0;
}

/* SPEC §10: after an upgrade from 2.x, its files for the interface go away in the same
 * networkd reload that makes ours active, so the link is never without configuration; the
 * routes networkd may leave of them (2.x's metric: metric) are swept later
 * (legacy-routes.h). our_metric 0: the interface is being removed. */
static int interface_adopt_legacy(const SetupContext *ctx, SetupRun *run, const char *ifname, unsigned metric,
                                  unsigned our_metric, bool *changed) {
        ReloadIntent intent = { ctx->runtime_dir, run };
        bool removed = false;
        int r;

        r = legacy_files_remove(ctx->network_dir, ifname, &(const FilesChangeHook) { record_reload_intent, &intent },
                                &removed);
        if (r < 0)
                return log_debug_errno(r, "Failed to remove 2.x's files of %s: %m", ifname);
        deferred_takeover_forget(ctx->runtime_dir, ifname);
        if (our_metric == 0)
                legacy_routes_forget(ctx->runtime_dir, ifname);
        else if (metric > 0 && metric != our_metric)
                (void) legacy_routes_remember(ctx->runtime_dir, ifname, metric);
        *changed = *changed || removed;
        return 0;
}

/* Writes the interface's rendered files and, where 2.x's files configure it (legacy > 0),
 * takes them away in the same reload (interface_adopt_legacy; also when it could not tell,
 * legacy < 0: the removal itself only takes what is 2.x's). */
static int files_save_taking_over(const SetupContext *ctx, SetupRun *run, const char *ifname,
                                  const RenderedInterface *rendered, int legacy, unsigned legacy_metric,
                                  unsigned our_metric, bool *changed) {
        ReloadIntent intent = { ctx->runtime_dir, run };
        int r;

        r = interface_files_save(ctx->network_dir, ifname, rendered,
                                 &(const FilesChangeHook) { record_reload_intent, &intent }, changed);
        if (r < 0 || legacy == 0)
                return r;
        return interface_adopt_legacy(ctx, run, ifname, legacy_metric, our_metric, changed);
}

static bool rendered_interface_equal(const RenderedInterface *a, const RenderedInterface *b) {
        for (size_t f = 0; f < _IFACE_FILE_MAX; f++)
                if (!a->content[f] != !b->content[f] ||
                    (a->content[f] && !streq(a->content[f], b->content[f])))
                        return false;
        return true;
}

/* An ENI 2.x's files configure (deferred-takeover.h): 1 leave it on them for now (*ret_first
 * when from this run on), 0 move it to ours now: deferring is off or not wanted on this
 * networkd; networkd does not apply 2.x's file to this link (another ENI has the name, it is
 * held, or networkd cannot say); a reload is pending anyway; or what we would write differs
 * from what the run that deferred it would have written (its configuration changed in EC2). */
static int setup_defer_takeover(const SetupContext *ctx, const LinkInfo *link, const RenderedInterface *rendered,
                                bool *ret_first) {
        _cleanup_(interface_state_done) InterfaceState previous = {};
        _cleanup_(rendered_interface_done) RenderedInterface before = {};
        _cleanup_free_ char *applied = NULL;
        uint64_t pending = 0;
        int r;

        *ret_first = false;
        if (!hold_policy_defer_take_over(ctx->config))
                return 0;
        r = networkd_link_network_file(link->ifindex, deadline_min(ctx->deadline_usec,
                                                                   usec_add(now_usec(), SHADOW_CHECK_USEC)),
                                       &applied);
        if (r < 0 || !legacy_files_is_network_file(ctx->network_dir, link->ifname, applied))
                return log_debug("networkd does not run %s on 2.x's files (%s), moving it.", link->ifname,
                                 r < 0 ? strerror(-r) : strna(applied)), 0;
        r = deferred_takeover_is_marked(ctx->runtime_dir, link->ifname);
        if (r < 0)
                return log_debug_errno(r, "Failed to learn whether %s was left on 2.x's files, moving it: %m",
                                       link->ifname), 0;
        if (r == 0) {
                /* A reload is coming, which would move it anyway. */
                if (networkd_reloads_pending(ctx->runtime_dir, &pending) < 0 || pending > 0)
                        return 0;
                r = deferred_takeover_mark(ctx->runtime_dir, link->ifname);
                if (r < 0)
                        return log_debug_errno(r, "Failed to record %s as left on 2.x's files, moving it: %m",
                                               link->ifname), 0;
                *ret_first = true;
                return 1;
        }
        if (interface_state_read(ctx->runtime_dir, link->ifname, &previous) < 0 ||
            interface_state_render(&previous, ctx->config, link->ifname, &before) < 0)
                return 0;
        return rendered_interface_equal(&before, rendered);
}

/* Renders the interface's files from the model and writes what changed. */
static int setup_write_files(const SetupContext *ctx, SetupRun *run, const LinkInfo *link,
                             const InterfaceState *state, bool *ret_changed, SetupOutcome *o) {
        _cleanup_(rendered_interface_done) RenderedInterface rendered = {};
        unsigned legacy_metric = 0;
        int r, legacy;

        r = interface_state_render(state, ctx->config, link->ifname, &rendered);
        if (r < 0)
                return r;
        /* Before our files replace 2.x's where the names are the same. Only after an upgrade
         * is anything of 2.x's there: every other run scans the directory once. */
        legacy = legacy_files_route_metric(ctx->network_dir, link->ifname, &legacy_metric);
        if (legacy > 0) {
                r = setup_defer_takeover(ctx, link, &rendered, &o->deferred_first);
                if (r > 0) {
                        o->deferred = true;
                        return 0;
                }
        }
        return files_save_taking_over(ctx, run, link->ifname, &rendered, legacy, legacy_metric,
                                      eni_metric(&state->eni), ret_changed);
}

int interface_setup(const SetupContext *ctx, SetupRun *run, const char *ifname, SetupMode mode,
                    SetupOutcome *ret) {
        _cleanup_(link_info_done) LinkInfo link = {};
        _cleanup_(file_lock_release) FileLock lock = FILE_LOCK_NULL;
        _cleanup_(interface_state_done) InterfaceState state = {};
        SetupOutcome o = {};
        bool changed = false;
        int r;

        r = setup_find_link(ctx, ifname, mode, &link, &o);
        if (r <= 0)
                goto done;
        r = interface_lock_acquire(ctx->runtime_dir, link.ifname,
                                   deadline_min(ctx->deadline_usec, usec_add(now_usec(), LOCK_WAIT_USEC)), &lock);
        if (r < 0)
                return log_debug_errno(r, "Failed to lock %s: %m", link.ifname);
        r = fetch_eni(ctx, run, &link, mode, &state);
        if (r < 0)
                return r;   /* SPEC §3: an error is never an empty answer; nothing changes */
        memcpy(o.interface_id, state.eni.interface_id, sizeof o.interface_id);
        o.table = eni_table(&state.eni);
        r = setup_learn_addresses(&link, &state);
        if (r < 0)
                return r;
        r = setup_write_files(ctx, run, &link, &state, &changed, &o);
        run->changed = run->changed || changed;   /* a reload for what did change */
        if (r < 0)
                return r;

        add_altnames(&link, &state.eni, &o);
        (void) legacy_routes_sweep(ctx->runtime_dir, link.ifname, link.ifindex, eni_metric(&state.eni), NULL);
        if (!changed && !o.deferred)
                check_shadowing(ctx, &link, &state, &o);
        r = interface_state_save(ctx->runtime_dir, link.ifname, &state);
        if (r < 0)
                log_debug_errno(r, "Failed to save the state of %s, ignoring: %m", link.ifname);
        o.changed = changed;
        run->changed = run->changed || changed;
        r = 0;
done:
        if (r < 0)
                return r;
        *ret = o;
        return 0;
}

/* Whose the files of ifname are: the MAC eni.conf matches, or else the saved state's. */
static void files_owner_mac(const SetupContext *ctx, const char *ifname, char ret[static MAC_STR_MAX]) {
        _cleanup_(interface_state_done) InterfaceState s = {};

        ret[0] = '\0';
        if (interface_files_owner_mac(ctx->network_dir, ifname, ret) >= 0)
                return;
        if (interface_state_read(ctx->runtime_dir, ifname, &s) >= 0)
                memcpy(ret, s.eni.mac, MAC_STR_MAX);
}

int interface_remove_plan(const SetupContext *ctx, const char *ifname, const RemoveRequest *req,
                          RemoveOutcome *ret) {
        _cleanup_(link_info_done) LinkInfo link = {};
        RemoveOutcome o = {};
        int r;

        if (!ifname_is_valid(ifname))
                return -EINVAL;
        if (req && req->removed_mac && validate_mac(req->removed_mac, o.removed_mac) < 0)
                return -EINVAL;
        files_owner_mac(ctx, ifname, o.owner_mac);
        if (req && req->check_present) {
                r = link_get_by_name(ifname, &link);
                if (r >= 0) {
                        o.name_in_use = true;
                        memcpy(o.present_mac, link.mac, sizeof o.present_mac);
                } else if (r != -ENODEV)
                        return r;
        }
        o.verdict = interface_remove_verdict(&(const RemoveFacts) {
                .removed_mac = o.removed_mac,
                .owner_mac = o.owner_mac,
                .name_in_use = o.name_in_use,
                .present_mac = o.present_mac,
        });
        log_debug("Remove %s (removed MAC \"%s\", files of \"%s\", name %s%s): %s.", ifname,
                  o.removed_mac, o.owner_mac, o.name_in_use ? "held by " : "free", o.present_mac,
                  remove_verdict_to_string(o.verdict));
        *ret = o;
        return 0;
}

int interface_remove(const SetupContext *ctx, SetupRun *run, const char *ifname, const RemoveRequest *req,
                     RemoveOutcome *ret) {
        _cleanup_(file_lock_release) FileLock lock = FILE_LOCK_NULL;
        ReloadIntent intent = { ctx->runtime_dir, run };
        RemoveOutcome o;
        bool changed = false;
        int r;

        if (!ifname_is_valid(ifname))
                return -EINVAL;
        r = interface_lock_acquire(ctx->runtime_dir, ifname,
                                   deadline_min(ctx->deadline_usec, usec_add(now_usec(), LOCK_WAIT_USEC)), &lock);
        if (r < 0)
                return r;
        /* Decided under the lock: a setup of the interface now holding the name writes its
         * files under it too, so the owner read here is the owner of what would be deleted. */
        r = interface_remove_plan(ctx, ifname, req, &o);
        if (r < 0)
                return r;
        if (o.verdict == REMOVE_ALL || o.verdict == REMOVE_FILES_ONLY) {
                r = interface_files_remove(ctx->network_dir, ifname,
                                           &(const FilesChangeHook) { record_reload_intent, &intent }, &changed);
                if (r < 0)
                        return r;
                r = interface_adopt_legacy(ctx, run, ifname, 0, 0, &changed);
                if (r < 0)
                        return r;
                interface_state_remove(ctx->runtime_dir, ifname);
        }
        run->changed = run->changed || changed;
        o.changed = changed;
        if (ret)
                *ret = o;
        return 0;
}

/* What is at PREFIX-IFACE.network: 1 a hold, 0 anything else or nothing (*ret_present). */
static int hold_read(int net_fd, const char *ifname, const char *name, bool *ret_present) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_file_at(net_fd, name, FILE_SAVE_MAX_SIZE, &text, NULL);
        *ret_present = r != -ENOENT;
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r == -EFBIG || r == -ELOOP || r == -EISDIR || r == -EBADFD ? 0 : r;
        return rendered_file_is_hold(text, ifname);
}

static int hold_change(const SetupContext *ctx, SetupRun *run, const char *ifname, const char *mac, bool *ret) {
        _cleanup_(file_lock_release) FileLock lock = FILE_LOCK_NULL;
        _cleanup_close_ int net_fd = -1;
        _cleanup_free_ char *hold = NULL;
        ReloadIntent intent = { ctx->runtime_dir, run };
        char name[PATH_MAX];
        bool present;
        int r;

        *ret = false;
        if (!ifname_is_valid(ifname))
                return -EINVAL;
        if (mac) {
                r = render_hold_network(ifname, mac, &hold);
                if (r < 0)
                        return r;
        }
        r = interface_file_name(ifname, IFACE_FILE_NETWORK, name, sizeof name);
        if (r < 0)
                return r;
        /* Under the interface's lock: a start writing the real file in between must not
         * have it taken away, nor replaced by a hold. */
        r = interface_lock_acquire(ctx->runtime_dir, ifname,
                                   deadline_min(ctx->deadline_usec, usec_add(now_usec(), LOCK_WAIT_USEC)), &lock);
        if (r < 0)
                return r;
        if (mac && mkdir(ctx->network_dir, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        net_fd = open(ctx->network_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (net_fd < 0)
                return errno == ENOENT && !mac ? 0 : negative_errno();
        r = hold_read(net_fd, ifname, name, &present);
        if (r < 0)
                return r;
        if (mac ? present : r == 0)
                return 0;   /* hold: something is there already; release: not held */
        r = record_reload_intent(&intent);
        if (r < 0)
                return r;
        if (mac)
                r = file_save_atomic(net_fd, name, hold);
        else
                r = unlinkat(net_fd, name, 0) < 0 ? negative_errno() : 1;
        if (r < 0)
                return r;
        run->changed = true;
        *ret = true;
        return 0;
}

int interface_hold(const SetupContext *ctx, SetupRun *run, const char *ifname, const char *mac, bool *ret_held) {
        bool held;
        int r;

        if (!mac)
                return -EINVAL;
        r = hold_change(ctx, run, ifname, mac, &held);
        if (r >= 0 && ret_held)
                *ret_held = held;
        return r;
}

int interface_release(const SetupContext *ctx, SetupRun *run, const char *ifname, bool *ret_released) {
        bool released;
        int r;

        r = hold_change(ctx, run, ifname, NULL, &released);
        if (r >= 0 && ret_released)
                *ret_released = released;
        return r;
}

int interface_is_held(const char *network_dir, const char *ifname) {
        _cleanup_close_ int net_fd = -1;
        char name[PATH_MAX];
        bool present;
        int r;

        if (!ifname_is_valid(ifname))
                return -EINVAL;
        r = interface_file_name(ifname, IFACE_FILE_NETWORK, name, sizeof name);
        if (r < 0)
                return r;
        net_fd = open(network_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (net_fd < 0)
                return errno == ENOENT ? 0 : negative_errno();
        return hold_read(net_fd, ifname, name, &present);
}

/* Moves an ENI left on 2.x's files to ours, from the model its last run saved, under its lock
 * (waited for until lock_deadline). 1 moved, 0 nothing to move (its record is forgotten when
 * there is nothing it could apply to), or a negative errno (left for its next refresh). */
static int complete_deferred_takeover(const SetupContext *ctx, SetupRun *run, const char *ifname,
                                      uint64_t lock_deadline) {
        _cleanup_(file_lock_release) FileLock lock = FILE_LOCK_NULL;
        _cleanup_(interface_state_done) InterfaceState state = {};
        _cleanup_(rendered_interface_done) RenderedInterface rendered = {};
        _cleanup_(link_info_done) LinkInfo link = {};
        unsigned legacy_metric = 0;
        bool changed = false;
        int r;

        r = interface_lock_acquire(ctx->runtime_dir, ifname, lock_deadline, &lock);
        if (r < 0)
                return r;
        /* Its own run may have moved it meanwhile, or udev's remove taken 2.x's files. */
        r = deferred_takeover_is_marked(ctx->runtime_dir, ifname);
        if (r <= 0)
                return r;
        r = legacy_files_route_metric(ctx->network_dir, ifname, &legacy_metric);
        if (r < 0)
                return r;
        /* Nothing of 2.x's left, the link gone or another one under the name (its own setup
         * decides), or excluded since: nothing to move now or later. */
        if (r == 0 || interface_state_read(ctx->runtime_dir, ifname, &state) < 0 ||
            link_get_by_name(ifname, &link) < 0 || !streq(link.mac, state.eni.mac) ||
            config_interface_excluded(ctx->config, link.ifname, link.mac)) {
                deferred_takeover_forget(ctx->runtime_dir, ifname);
                return 0;
        }
        r = interface_state_render(&state, ctx->config, ifname, &rendered);
        if (r < 0)
                return r;
        r = files_save_taking_over(ctx, run, ifname, &rendered, 1, legacy_metric, eni_metric(&state.eni), &changed);
        run->changed = run->changed || changed;
        if (r < 0)
                return r;
        log_debug("Moved %s from 2.x's files to ours in this reload.", ifname);
        return 1;
}

/* The lock of an ENI whose own refresh runs: at most this long, within the reload's deadline. */
#define DEFERRED_LOCK_WAIT_USEC (5 * USEC_PER_SEC)

static void complete_deferred_takeovers(const SetupContext *ctx, SetupRun *run, char **list,
                                        uint64_t deadline_usec) {
        uint64_t lock_deadline = deadline_min(deadline_usec, usec_add(now_usec(), DEFERRED_LOCK_WAIT_USEC));
        size_t used = strlen(run->moved_from_2x);
        int r;

        STRV_FOREACH(i, list) {
                r = complete_deferred_takeover(ctx, run, *i, lock_deadline);
                if (r < 0)
                        log_debug_errno(r, "Failed to move %s from 2.x's files to ours, leaving it to its "
                                        "next refresh: %m", *i);
                else if (r > 0 && used + strlen(*i) + 2 < sizeof run->moved_from_2x) {
                        used += (size_t) snprintf(run->moved_from_2x + used, sizeof run->moved_from_2x - used,
                                                  "%s%s", used ? " " : "", *i);
                }
        }
}

int interface_setup_reload(const SetupContext *ctx, SetupRun *run, uint64_t deadline_usec, bool *ret_reloaded) {
        _cleanup_strv_free_ char **deferred = NULL;
        uint64_t pending = 0;

        /* Any reload moves the ENIs still on 2.x's files (their 80-ec2.network changed under
         * them with the package): let it move them to ours, not to a mix of both. */
        if (deferred_takeover_interfaces(ctx->runtime_dir, &deferred) >= 0 && deferred[0] &&
            (run->changed || run->reload_intent ||
             (networkd_reloads_pending(ctx->runtime_dir, &pending) >= 0 && pending > 0)))
                complete_deferred_takeovers(ctx, run, deferred, deadline_usec);
        /* changed without reload_intent: the intent could not be recorded, the files
         * changed all the same. */
        if (run->changed || run->reload_intent)
                return networkd_reload_coalesced(ctx->runtime_dir, deadline_usec, ret_reloaded);
        return networkd_reload_pending(ctx->runtime_dir, deadline_usec, ret_reloaded);
}
