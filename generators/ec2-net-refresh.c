/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ec2-net-refresh: IMDS → systemd-networkd configuration for one interface (SPEC §4, §6).
 * Also installed as setup-policy-routes, the 2.x command line:
 *     setup-policy-routes IFACE start|refresh|remove|stop|cleanup
 * and `release` (policy-routes@.service's ExecStopPost=): a held interface (hold-policy.h)
 * whose start did not write its files gets DHCP from 80-ec2.network.
 *
 * Exit statuses: common/exit-status.h (man setup-policy-routes(8)).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "boot-config.h"
#include "build-config.h"
#include "eni-probe.h"
#include "hold-policy.h"
#include "error-codes.h"
#include "escape.h"
#include "exit-status.h"
#include "imds-client.h"
#include "imds-eni.h"
#include "imds-routes.h"
#include "interface-setup.h"
#include "interface-state.h"
#include "log.h"
#include "main-func.h"
#include "program.h"
#include "netlink.h"
#include "run-record.h"
#include "strv.h"
#include "time-util.h"

/* Budgets (SPEC §8: every wait bounded). Initial setup may wait for a hot-attached ENI's
 * data to reach IMDS; a refresh is one quick pass. */
#define START_DEADLINE_USEC (90 * USEC_PER_SEC)
/* When IMDS did not answer the seed stage at boot: one short try, so that boot is not held
 * up; the refresh timer configures the interface once IMDS answers. */
#define START_SILENT_IMDS_DEADLINE_USEC (5 * USEC_PER_SEC)
#define REFRESH_DEADLINE_USEC (15 * USEC_PER_SEC)
#define LINK_WAIT_USEC (10 * USEC_PER_SEC)
/* How long a held interface waits for its start before it gets DHCP from 80-ec2.network
 * while the start goes on (2.x configures DHCP at once). */
#define START_HOLD_BUDGET_USEC (10 * USEC_PER_SEC)

typedef enum Action { ACTION_START, ACTION_REFRESH, ACTION_REMOVE, ACTION_RELEASE, ACTION_NOOP } Action;

static const char *program_name = "ec2-net-refresh";
static const char *arg_ifname;
static Action arg_action = ACTION_REFRESH;

static void help(void) {
        printf("%s IFACE [start|refresh|remove|stop|cleanup]\n\n"
               "Configure systemd-networkd for the EC2 network interface IFACE from the\n"
               "instance metadata service: policy routing, secondary addresses, prefixes.\n\n"
               "  start     initial setup (waits for the link, addresses and IMDS)\n"
               "  refresh   re-read addresses and prefixes, rewrite what changed (default)\n"
               "  remove    delete the interface's generated configuration\n"
               "  release   if the interface is held until its configuration is written,\n"
               "            let the generic configuration (80-ec2.network) apply\n"
               "  stop, cleanup   accepted for compatibility, do nothing\n\n"
               "  -h --help     show this help\n"
               "     --version  show the version\n"
               "  -d --debug    log debug messages\n",
               program_name);
}

static int parse_action(const char *s, Action *ret) {
        static const struct { const char *name; Action action; } table[] = {
                { "start", ACTION_START },     { "refresh", ACTION_REFRESH },
                { "remove", ACTION_REMOVE },   { "stop", ACTION_NOOP },
                { "cleanup", ACTION_NOOP },    { "release", ACTION_RELEASE },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(s, table[i].name)) {
                        *ret = table[i].action;
                        return 0;
                }
        return -EINVAL;
}

/* <0 error, 0 stop with success (--help), >0 go on. */
static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100 };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "debug", no_argument, NULL, 'd' },
                {}
        };
        char quoted[ESCAPE_SHORT_MAX];
        int c;

        while ((c = getopt_long(argc, argv, "hd", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("amazon-ec2-net-utils %s\n", EC2NET_VERSION);
                        return 0;
                case 'd':
                        log_set_max_level(LOG_DEBUG);
                        break;
                default:
                        return -EUSAGE;   /* getopt said what was wrong */
                }

        if (optind >= argc)
                return log_error_errno(-EUSAGE, "Missing interface name. See --help.");
        if (argc - optind > 2)
                return log_error_errno(-EUSAGE, "Too many arguments. See --help.");
        arg_ifname = argv[optind];
        /* A name from udev or the command line: reject anything that is not a plain kernel
         * interface name before it can reach a path or a file. */
        if (!ifname_is_valid(arg_ifname))
                return log_error_errno(-EUSAGE, "Invalid interface name \"%s\".",
                                       escape_for_log(arg_ifname, true, quoted, sizeof quoted));
        if (optind + 1 < argc && parse_action(argv[optind + 1], &arg_action) < 0)
                return log_error_errno(-EUSAGE, "Unknown action \"%s\". See --help.",
                                       escape_for_log(argv[optind + 1], true, quoted, sizeof quoted));
        return 1;
}

/* Where IMDS requests go (SPEC §3): through the interface itself, then the default route,
 * then another ENI (IMDS rate-limits per ENI), each interface only when it holds an IPv4
 * address that routes its subnet. */
static int imds_interfaces(const Config *config, const char *sysfs_root, const char *ifname, char ***ret) {
        _cleanup_strv_free_ char **other = NULL;
        struct if_nameindex *all = if_nameindex();
        char *const own[] = { (char *) ifname, NULL };
        int r = 0;

        for (struct if_nameindex *i = all; i && i->if_index != 0; i++) {
                EniProbe probe;
                int k;

                if (streq(i->if_name, ifname))
                        continue;
                k = eni_probe(sysfs_root, config, i->if_name, &probe);
                if (!IN_SET(k, ENI_PROBE_ENI, ENI_PROBE_EXCLUDED))   /* a handled driver */
                        continue;
                r = strv_extend(&other, i->if_name);
                break;
        }
        if (all)
                if_freenameindex(all);
        if (r < 0)
                return r;
        return imds_routes_build(own, other, ret);
}

static int remove_interface(const SetupContext *ctx, SetupRun *run) {
        RemoveOutcome o;
        int r;

        /* By hand, as in 2.x: whoever the files were written for. udev's path is
         * ec2-net-hotplug, which checks. */
        r = interface_remove(ctx, run, arg_ifname, NULL, &o);
        if (r < 0)
                return log_error_errno(r, "Failed to remove the configuration: %m");
        if (o.changed)
                log_event(LOG_INFO, MESSAGE_ID_CONFIG_REMOVED, "Removed the configuration of %s.", arg_ifname);
        return 0;
}

/* For ec2-netctl status: when the interface was last set up and how that ended. Not for an
 * interface that is not there (a refresh of a gone ENI stays a no-op that writes nothing) or
 * that is not ours to configure. */
static void record_run(const char *runtime_dir, int r, const SetupOutcome *o, unsigned imds_requests) {
        RunRecord rec;
        int k;

        if (r == -ELINK_ABSENT || (r >= 0 && (o->link_missing || o->excluded)))
                return;
        run_record_init(&rec, arg_action == ACTION_START ? "start" : "refresh", r, o->changed, imds_requests);
        k = run_record_save(runtime_dir, arg_ifname, &rec);
        if (k < 0)
                log_debug_errno(k, "Failed to record the run, ignoring: %m");
}

/* The bootstrap ENI's configuration, kept for the next boot (boot-config.h): what was written
 * when it changed, or, for an ENI left on 2.x's files (deferred), what it would run on, so that
 * the next boot starts it on that (the other ENIs are held until the seed writes theirs). */
static void keep_for_next_boot(const Program *p, const char *mac, bool deferred) {
        _cleanup_(interface_state_done) InterfaceState state = {};
        _cleanup_(rendered_interface_done) RenderedInterface rendered = {};
        int r;

        if (!hold_policy_is_bootstrap(p->paths.sysfs_root, &p->config, arg_ifname))
                return;
        if (!deferred)
                r = boot_config_save(p->paths.state_dir, p->paths.network_dir, arg_ifname, mac);
        else if ((r = interface_state_read(p->paths.runtime_dir, arg_ifname, &state)) >= 0 &&
                 (r = interface_state_render(&state, &p->config, arg_ifname, &rendered)) >= 0)
                r = boot_config_save_rendered(p->paths.state_dir, arg_ifname, mac, &rendered);
        if (r < 0)
                log_notice_errno(r, "Failed to keep the configuration of %s for the next boot: %m", arg_ifname);
}

static int release_interface(const SetupContext *ctx, SetupRun *run) {
        bool released = false;
        int r;

        r = interface_release(ctx, run, arg_ifname, &released);
        if (r < 0)
                return log_error_errno(r, "Failed to release %s: %m", arg_ifname);
        if (released)
                log_notice("%s was held and is not configured: it gets DHCP from 80-ec2.network.", arg_ifname);
        return 0;
}

/* A start that fails or runs out of the hold budget gives a held interface DHCP at once (a
 * reload now, not when the start ends), and goes on trying with what is left of its own
 * deadline when waiting longer can help; it then switches the interface once more. */
static int setup_interface_held(SetupContext *ctx, SetupRun *run, const SetupContext *base, SetupOutcome *o,
                                int r) {
        if (release_interface(ctx, run) < 0)
                return r;
        (void) interface_setup_reload(ctx, run, usec_add(now_usec(), 30 * USEC_PER_SEC), NULL);
        *run = (SetupRun) {};
        if ((run_failure_from_error(r).exit_status != EXIT_DEADLINE && !error_is_imds_no_answer(r)) ||
            now_usec() >= base->deadline_usec)
                return r;
        ctx->deadline_usec = base->deadline_usec;
        imds_client_set_deadline(ctx->imds, base->deadline_usec);
        *o = (SetupOutcome) {};
        return interface_setup(ctx, run, arg_ifname, SETUP_START, o);
}

static int setup_interface(const SetupContext *base, SetupRun *run, const Program *p, bool imds_silent) {
        _cleanup_(imds_client_freep) ImdsClient *imds = NULL;
        _cleanup_strv_free_ char **interfaces = NULL;
        SetupOutcome o = {};
        bool held;
        int r;

        r = imds_interfaces(&p->config, p->paths.sysfs_root, arg_ifname, &interfaces);
        if (r < 0)
                return log_error_errno(r, "Failed to list interfaces: %m");
        /* Initial setup keeps trying while IMDS becomes reachable; refresh gives up quickly
         * and tries again at the next tick. */
        ImdsOptions io = program_imds_options(p, interfaces, base->deadline_usec,
                                              arg_action == ACTION_START && !imds_silent ? 30 : 3);
        r = imds_client_new(&io, &imds);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the IMDS client: %m");
        SetupContext ctx = *base;
        ctx.imds = imds;
        held = arg_action == ACTION_START && interface_is_held(ctx.network_dir, arg_ifname) > 0;
        if (held && usec_add(now_usec(), START_HOLD_BUDGET_USEC) < ctx.deadline_usec) {
                ctx.deadline_usec = usec_add(now_usec(), START_HOLD_BUDGET_USEC);
                imds_client_set_deadline(imds, ctx.deadline_usec);
        }

        r = interface_setup(&ctx, run, arg_ifname, arg_action == ACTION_START ? SETUP_START : SETUP_REFRESH, &o);
        if (r < 0 && held) {
                log_notice_errno(r, "%s is held and its setup failed or took longer than %llus (%m): it gets "
                                 "DHCP from 80-ec2.network meanwhile.", arg_ifname,
                                 (unsigned long long) (START_HOLD_BUDGET_USEC / USEC_PER_SEC));
                r = setup_interface_held(&ctx, run, base, &o, r);
        }
        log_context_set(arg_ifname, o.mac, o.interface_id);
        record_run(p->paths.runtime_dir, r, &o, imds_client_requests(imds));
        if (imds_silent && error_is_imds_no_answer(r)) {
                log_event(LOG_NOTICE, MESSAGE_ID_IMDS_UNAVAILABLE,
                          "IMDS has not answered since boot; %s will be configured by its refresh "
                          "timer once it does.", arg_ifname);
                return 0;
        }
        if (r < 0)
                return log_failure(r, "Could not configure %s", arg_ifname);
        /* Only once IMDS answered (a missing or excluded interface never asks it): later
         * initial setups get their full budget again. */
        if (imds_client_answered_route(imds))
                imds_unavailable_mark(p->paths.runtime_dir, false);
        if (o.link_missing) {
                log_debug("Interface %s is gone, nothing to refresh.", arg_ifname);
                return 0;
        }
        if (o.excluded) {
                log_info("Interface %s is excluded by configuration, doing nothing.", arg_ifname);
                return 0;
        }
        if (o.shadowed_by[0])
                log_event(LOG_WARNING, MESSAGE_ID_SHADOWED,
                          "%s is configured by %s, which sorts before and overrides the generated "
                          "configuration: policy routing for this interface does not apply. "
                          "Remove that file or make it not match %s.",
                          arg_ifname, o.shadowed_by, arg_ifname);
        if (o.altname_error[0])
                log_warning("Failed to add altname %s, ignoring.", o.altname_error);
        if (o.deferred)
                keep_for_next_boot(p, o.mac, true);   /* written only when it differs */
        if (o.deferred_first) {
                log_notice("%s stays on amazon-ec2-net-utils 2.x's files for now: moving it to this "
                           "package's would restart its DHCP on this systemd-networkd. It moves at the "
                           "next boot, when its configuration changes or with the next reload this "
                           "package makes ([Interfaces] DeferTakeOver=).", arg_ifname);
        } else if (o.deferred)
                log_debug("%s stays on 2.x's files; its configuration has not changed.", arg_ifname);
        if (o.changed) {
                log_event(LOG_INFO, MESSAGE_ID_CONFIG_CHANGED,
                          "Configuration of %s updated (table %u, %u IMDS requests).",
                          arg_ifname, o.table, imds_client_requests(imds));
                keep_for_next_boot(p, o.mac, false);
        }
        else
                log_debug("Configuration of %s unchanged (%u IMDS requests).",
                          arg_ifname, imds_client_requests(imds));
        return 0;
}

/* After the work, successful or not: networkd reads what we changed, or what a process
 * killed before its reload left behind. */
static int reload_networkd(const SetupContext *ctx, SetupRun *run) {
        uint64_t deadline = usec_add(now_usec(), 30 * USEC_PER_SEC);
        bool reloaded = false;
        int r;

        r = interface_setup_reload(ctx, run, deadline, &reloaded);
        if (r < 0)
                return log_error_errno(r, "Failed to reload systemd-networkd: %m");
        program_log_moved_from_2x(run->moved_from_2x);
        if (reloaded)
                log_event(LOG_INFO, MESSAGE_ID_NETWORKD_RELOAD, "Reloaded systemd-networkd.");
        return 0;
}

static int run(int argc, char *argv[]) {
        _cleanup_(program_done) Program p = {};
        const char *base = strrchr(argv[0], '/');
        SetupRun run = {};
        uint64_t start = now_usec();
        bool imds_silent;
        int r, k;

        base = base ? base + 1 : argv[0];
        if (streq(base, "setup-policy-routes"))
                program_name = "setup-policy-routes";
        program_log_open(program_name, LOG_TARGET_AUTO);

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;
        if (arg_action == ACTION_NOOP)
                return 0;
        log_context_set(arg_ifname, NULL, NULL);

        r = program_load(&p, LOG_INFO);
        if (r <= 0)
                return r;
        r = program_prepare_directories(&p);
        if (r < 0)
                return r;

        imds_silent = arg_action == ACTION_START && imds_unavailable_marked(p.paths.runtime_dir);
        SetupContext ctx = {
                .config = &p.config,
                .network_dir = p.paths.network_dir,
                .runtime_dir = p.paths.runtime_dir,
                .check_shadowing = true,
                .deadline_usec = usec_add(start, arg_action != ACTION_START ? REFRESH_DEADLINE_USEC :
                                                 imds_silent ? START_SILENT_IMDS_DEADLINE_USEC :
                                                 START_DEADLINE_USEC),
                .link_wait_usec = LINK_WAIT_USEC,
        };

        r = arg_action == ACTION_REMOVE  ? remove_interface(&ctx, &run) :
            arg_action == ACTION_RELEASE ? release_interface(&ctx, &run) :
                                           setup_interface(&ctx, &run, &p, imds_silent);
        k = reload_networkd(&ctx, &run);
        return r < 0 ? r : k;
}

DEFINE_MAIN_FUNCTION(run);
