/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "file-save.h"
#include "imds-eni.h"
#include "interface-files.h"
#include "interface-setup.h"
#include "lock.h"
#include "log.h"
#include "netlink.h"
#include "networkd.h"
#include "render.h"
#include "strv.h"
#include "time-util.h"

#define STATE_DIR "interfaces"
#define LOCK_WAIT_USEC (30 * USEC_PER_SEC)

/* What an earlier run learned about the interface: the static ENI data (so a refresh only
 * re-reads addresses and prefixes) and whether the subnet had IPv4/IPv6. */
typedef struct InterfaceState {
        Eni eni;
        bool has_ipv4, has_ipv6;
        char shadowed_by[256];   /* last reported shadowing file */
} InterfaceState;

static void interface_state_done(InterfaceState *s) {
        eni_done(&s->eni);
}

static int state_dir_open(const char *runtime_dir, bool create) {
        char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/" STATE_DIR, runtime_dir);
        if (create && mkdir(path, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

static int state_load(const char *runtime_dir, const char *ifname, const char *mac, InterfaceState *ret) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        _cleanup_(interface_state_done) InterfaceState s = {};
        char name[PATH_MAX];
        json_auto_t *j = NULL;
        int r;

        fd = state_dir_open(runtime_dir, false);
        if (fd < 0)
                return -ENOENT;
        snprintf(name, sizeof name, "%s.json", ifname);
        r = read_file_at(fd, name, 64 * 1024, &text, NULL);
        if (r < 0)
                return r;
        j = json_loads(text, 0, NULL);
        /* The state is ours, but is validated like anything else read back from disk. */
        r = eni_from_json(json_object_get(j, "eni"), &s.eni);
        if (r < 0)
                return log_debug_errno(r, "Ignoring invalid state file %s.", name);
        if (!streq(s.eni.mac, mac))
                return log_debug_errno(-ESTALE, "State of %s is for MAC %s, not %s.", ifname, s.eni.mac, mac);
        s.has_ipv4 = json_is_true(json_object_get(j, "has_ipv4"));
        s.has_ipv6 = json_is_true(json_object_get(j, "has_ipv6"));
        if (json_is_string(json_object_get(j, "shadowed_by")))
                snprintf(s.shadowed_by, sizeof s.shadowed_by, "%s",
                         json_string_value(json_object_get(j, "shadowed_by")));
        *ret = s;
        s = (InterfaceState) {};
        return 0;
}

static int state_save(const char *runtime_dir, const char *ifname, const InterfaceState *s) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        json_auto_t *eni = NULL, *j = NULL;
        char name[PATH_MAX];
        int r;

        r = eni_to_json(&s->eni, &eni);
        if (r < 0)
                return r;
        j = json_pack("{s:O, s:b, s:b, s:s}", "eni", eni, "has_ipv4", s->has_ipv4, "has_ipv6", s->has_ipv6,
                      "shadowed_by", s->shadowed_by);
        text = j ? json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(1)) : NULL;
        if (!text)
                return -ENOMEM;
        fd = state_dir_open(runtime_dir, true);
        if (fd < 0)
                return negative_errno();
        snprintf(name, sizeof name, "%s.json", ifname);
        r = file_save_atomic(fd, name, text);
        return r < 0 ? r : 0;
}

static void state_remove(const char *runtime_dir, const char *ifname) {
        _cleanup_close_ int fd = state_dir_open(runtime_dir, false);
        char name[PATH_MAX];

        snprintf(name, sizeof name, "%s.json", ifname);
        if (fd >= 0)
                (void) file_save_atomic(fd, name, NULL);
}

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

        r = state_load(ctx->runtime_dir, link->ifname, link->mac, state);
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
                        r = -ENODEV;
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
        /* SPEC §4 "the subnet has IPv4/IPv6", from what IMDS says the ENI holds, not from what
         * DHCP and RA have assigned so far: the routes need not wait for the leases, and an
         * ENI networkd has not configured yet (held until its own file exists) has none. An
         * address on the link counts too (IMDS can lag behind). Once seen, kept: a lease
         * being renewed must not take the routes and rules away. */
        state.has_ipv4 = state.has_ipv4 || state.eni.ipv4s[0] || addr.has_global_ipv4;
        state.has_ipv6 = state.has_ipv6 || state.eni.ipv6s[0] || addr.has_global_ipv6;

        RenderSettings settings = {
                .drivers = ctx->config->drivers,
                .policy_rules = ctx->config->policy_rules,
                .secondary_addresses = ctx->config->secondary_addresses,
        };
        RenderInput in = {
                .ifname = link.ifname,
                .eni = &state.eni,
                .has_ipv4 = state.has_ipv4,
                .has_ipv6 = state.has_ipv6,
        };
        r = render_interface(&in, &settings, &rendered);
        if (r < 0)
                return r;
        r = interface_files_save(ctx->network_dir, link.ifname, &rendered,
                                 &(const FilesChangeHook) { record_reload_intent, ctx }, &changed);
        if (r < 0)
                return r;

        add_altnames(&link, &state.eni, &o);
        if (!changed)
                check_shadowing(ctx, &link, &state, &o);

        r = state_save(ctx->runtime_dir, link.ifname, &state);
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
        state_remove(ctx->runtime_dir, ifname);
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
