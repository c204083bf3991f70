/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ec2-net-refresh: IMDS → systemd-networkd configuration for one interface (SPEC §4, §6).
 * Also installed as setup-policy-routes, the 2.x command line:
 *     setup-policy-routes IFACE start|refresh|remove|stop|cleanup
 *
 * Exit codes: 0 done (or nothing to do), 1 failed (systemd may retry), 2 invalid usage
 * (RestartPreventExitStatus=2: retrying cannot help).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build-config.h"
#include "config.h"
#include "escape.h"
#include "exit-status.h"
#include "imds-client.h"
#include "imds-eni.h"
#include "imds-routes.h"
#include "interface-setup.h"
#include "kernel-cmdline.h"
#include "log.h"
#include "netlink.h"
#include "runtime-paths.h"
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

typedef enum Action { ACTION_START, ACTION_REFRESH, ACTION_REMOVE, ACTION_NOOP } Action;

static const char *program_name = "ec2-net-refresh";
static const char *arg_ifname;
static Action arg_action = ACTION_REFRESH;
static bool usage_error;

static void help(void) {
        printf("%s IFACE [start|refresh|remove|stop|cleanup]\n\n"
               "Configure systemd-networkd for the EC2 network interface IFACE from the\n"
               "instance metadata service: policy routing, secondary addresses, prefixes.\n\n"
               "  start     initial setup (waits for the link, addresses and IMDS)\n"
               "  refresh   re-read addresses and prefixes, rewrite what changed (default)\n"
               "  remove    delete the interface's generated configuration\n"
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
                { "cleanup", ACTION_NOOP },
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
                        usage_error = true;
                        return -EINVAL;
                }

        usage_error = true;
        if (optind >= argc)
                return log_error_errno(-EINVAL, "Missing interface name. See --help.");
        if (argc - optind > 2)
                return log_error_errno(-EINVAL, "Too many arguments. See --help.");
        arg_ifname = argv[optind];
        /* A name from udev or the command line: reject anything that is not a plain kernel
         * interface name before it can reach a path or a file. */
        if (!ifname_is_valid(arg_ifname))
                return log_error_errno(-EINVAL, "Invalid interface name \"%s\".",
                                       escape_for_log(arg_ifname, true, quoted, sizeof quoted));
        if (optind + 1 < argc && parse_action(argv[optind + 1], &arg_action) < 0)
                return log_error_errno(-EINVAL, "Unknown action \"%s\". See --help.",
                                       escape_for_log(argv[optind + 1], true, quoted, sizeof quoted));
        usage_error = false;
        return 1;
}

/* Where IMDS requests go (SPEC §3): through the interface itself, then another ENI (IMDS
 * rate-limits per ENI), each only when it holds an IPv4 address, then the default route. */
static int imds_interfaces(const Config *config, const char *ifname, char ***ret) {
        _cleanup_strv_free_ char **candidates = NULL;
        struct if_nameindex *all = if_nameindex();
        int r;

        r = strv_extend(&candidates, ifname);
        for (struct if_nameindex *i = all; r >= 0 && i && i->if_index != 0; i++) {
                char driver[32];

                if (streq(i->if_name, ifname) || !ifname_is_valid(i->if_name) ||
                    link_get_driver(i->if_name, driver, sizeof driver) < 0 ||
                    !config_driver_allowed(config, driver))
                        continue;
                r = strv_extend(&candidates, i->if_name);
                break;
        }
        if (all)
                if_freenameindex(all);
        if (r < 0)
                return r;
        return imds_routes_build(candidates, ret);
}

static void log_config_warnings(const Config *c) {
        STRV_FOREACH(w, c->warnings)
                log_warning("%s", *w);
}

static int log_setup_failure(int r) {
        switch (r) {
        case -EACCES:
                /* SPEC §3: IMDS disabled is not a failure of ours. */
                log_event(LOG_NOTICE, MESSAGE_ID_IMDS_UNAVAILABLE,
                          "IMDS is disabled on this instance (HTTP 403); leaving the configuration as it is.");
                return 0;
        case -EBADMSG:
                log_event(LOG_ERR, MESSAGE_ID_IMDS_INVALID,
                          "IMDS returned invalid data; leaving the configuration as it is.");
                return r;
        case -ENXIO:
                return log_error_errno(r, "IMDS does not know this interface's MAC; leaving the configuration as it is.");
        case -EAGAIN:
                return log_error_errno(r, "The ENI's device number did not reach IMDS in time; leaving the configuration as it is.");
        case -ETIMEDOUT:
        case -EHOSTUNREACH:
        case -EIO:
        case -EPERM:
                log_event(LOG_WARNING, MESSAGE_ID_IMDS_UNAVAILABLE,
                          "IMDS did not answer (%s); leaving the configuration as it is.", strerror(-r));
                return r;
        default:
                return log_error_errno(r, "Failed to configure the interface: %m");
        }
}

static int remove_interface(SetupContext *ctx) {
        bool changed;
        int r;

        r = interface_remove(ctx, arg_ifname, &changed);
        if (r < 0)
                return log_error_errno(r, "Failed to remove the configuration: %m");
        if (changed)
                log_event(LOG_INFO, MESSAGE_ID_CONFIG_REMOVED, "Removed the configuration of %s.", arg_ifname);
        return 0;
}

static int setup_interface(SetupContext *ctx, const RuntimePaths *paths, bool imds_silent) {
        _cleanup_(imds_client_freep) ImdsClient *imds = NULL;
        _cleanup_strv_free_ char **interfaces = NULL;
        SetupOutcome o = {};
        int r;

        r = imds_interfaces(ctx->config, arg_ifname, &interfaces);
        if (r < 0)
                return log_error_errno(r, "Failed to list interfaces: %m");
        ImdsOptions io = {
                .endpoints = ctx->config->imds_endpoints,
                .interfaces = interfaces,
                .token_cache_dir = paths->runtime_dir,
                .deadline_usec = ctx->deadline_usec,
                /* Initial setup keeps trying while IMDS becomes reachable; refresh gives up
                 * quickly and tries again at the next tick. */
                .max_attempts = arg_action == ACTION_START && !imds_silent ? 30 : 3,
        };
        r = imds_client_new(&io, &imds);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the IMDS client: %m");
        ctx->imds = imds;

        r = interface_setup(ctx, arg_ifname, arg_action == ACTION_START ? SETUP_START : SETUP_REFRESH, &o);
        ctx->imds = NULL;
        log_context_set(arg_ifname, o.mac, o.interface_id);
        if (r == -ENODEV)
                return log_error_errno(r, "Interface %s did not appear.", arg_ifname);
        if (imds_silent && IN_SET(r, -ETIMEDOUT, -EHOSTUNREACH, -EIO)) {
                log_event(LOG_NOTICE, MESSAGE_ID_IMDS_UNAVAILABLE,
                          "IMDS has not answered since boot; %s will be configured by its refresh "
                          "timer once it does.", arg_ifname);
                return 0;
        }
        if (r < 0)
                return log_setup_failure(r);
        /* IMDS answered: later initial setups get their full budget again. */
        imds_unavailable_mark(paths->runtime_dir, false);
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
        if (o.changed)
                log_event(LOG_INFO, MESSAGE_ID_CONFIG_CHANGED,
                          "Configuration of %s updated (table %u, %u IMDS requests).",
                          arg_ifname, o.table, imds_client_requests(imds));
        else
                log_debug("Configuration of %s unchanged (%u IMDS requests).",
                          arg_ifname, imds_client_requests(imds));
        return 0;
}

/* After the work, successful or not: networkd reads what we changed, or what a process
 * killed before its reload left behind. */
static int reload_networkd(const SetupContext *ctx) {
        uint64_t deadline = usec_add(now_usec(), 30 * USEC_PER_SEC);
        bool reloaded = false;
        int r;

        r = interface_setup_reload(ctx, deadline, &reloaded);
        if (r < 0)
                return log_error_errno(r, "Failed to reload systemd-networkd: %m");
        if (reloaded)
                log_event(LOG_INFO, MESSAGE_ID_NETWORKD_RELOAD, "Reloaded systemd-networkd.");
        return 0;
}

static int run(int argc, char *argv[]) {
        _cleanup_(config_done) Config config = {};
        const char *base = strrchr(argv[0], '/');
        uint64_t start = now_usec();
        const char *reason;
        bool imds_silent;
        RuntimePaths paths;
        int r, k;

        base = base ? base + 1 : argv[0];
        if (streq(base, "setup-policy-routes"))
                program_name = "setup-policy-routes";
        log_open(program_name, LOG_TARGET_AUTO);
        log_parse_environment();

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r;
        if (arg_action == ACTION_NOOP)
                return 0;
        log_context_set(arg_ifname, NULL, NULL);

        r = config_init_defaults(&config);
        if (r >= 0)
                r = config_load(&config);
        if (r < 0)
                return log_error_errno(r, "Failed to load the configuration: %m");
        log_config_warnings(&config);
        if (!package_enabled(&config, &reason)) {
                log_info("amazon-ec2-net-utils is disabled by %s, doing nothing.", reason);
                return 0;
        }

        runtime_paths_get(&paths);
        if (mkdir(paths.runtime_dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create %s: %m", paths.runtime_dir);

        imds_silent = arg_action == ACTION_START && imds_unavailable_marked(paths.runtime_dir);
        SetupContext ctx = {
                .config = &config,
                .network_dir = paths.network_dir,
                .runtime_dir = paths.runtime_dir,
                .networkd_state_dir = paths.networkd_state_dir,
                .deadline_usec = usec_add(start, arg_action != ACTION_START ? REFRESH_DEADLINE_USEC :
                                                 imds_silent ? START_SILENT_IMDS_DEADLINE_USEC :
                                                 START_DEADLINE_USEC),
                .link_wait_usec = LINK_WAIT_USEC,
        };

        r = arg_action == ACTION_REMOVE ? remove_interface(&ctx) : setup_interface(&ctx, &paths, imds_silent);
        k = reload_networkd(&ctx);
        return r < 0 ? r : k;
}

int main(int argc, char *argv[]) {
        int r = run(argc, argv);

        if (usage_error)
                return EXIT_USAGE;
        return exit_status_from_errno(r);
}
