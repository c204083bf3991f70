/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ec2-netctl: the operator's view (SPEC §11).
 *     ec2-netctl status [IFACE...] [--offline] [--json[=pretty|short]]
 *     ec2-netctl plan [IFACE...] [--json[=pretty|short]]
 *     ec2-netctl doctor [--json[=pretty|short]]
 * Per ENI what IMDS says, what was written and what networkd and the kernel do, and every
 * disagreement as a finding; what a setup or refresh would change now; what breaks the agent
 * (conflicting files, managers, settings, IMDS, units). Changes nothing: no
 * file is written, networkd is not reloaded, no lock is taken (man ec2-netctl(8)).
 *
 * Exit statuses: 0 in sync (plan: nothing to change), 1 a problem found (plan: changes or
 * problems), 2 usage, 3/4 as exit-status.h when IMDS did not answer in time / answered
 * with invalid data.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "build-config.h"
#include "config.h"
#include "escape.h"
#include "log.h"
#include "main-func.h"
#include "netctl-doctor.h"
#include "netctl-json.h"
#include "netctl-plan.h"
#include "netctl-status.h"
#include "netctl-table.h"
#include "netlink.h"
#include "runtime-paths.h"
#include "strv.h"
#include "time-util.h"
#include "validate.h"

/* The budget of one refresh (ec2-net-refresh): the same client, attempts and deadline. */
#define IMDS_DEADLINE_USEC (15 * USEC_PER_SEC)
#define IMDS_MAX_ATTEMPTS 3
#define BUS_DEADLINE_USEC (10 * USEC_PER_SEC)

typedef enum JsonMode { JSON_OFF, JSON_PRETTY, JSON_SHORT } JsonMode;
typedef enum Command { COMMAND_STATUS, COMMAND_PLAN, COMMAND_DOCTOR } Command;

static Command arg_command = COMMAND_STATUS;
static JsonMode arg_json = JSON_OFF;
static bool arg_offline;
static char **arg_interfaces;

static void help(void) {
        printf("ec2-netctl [OPTIONS] COMMAND [IFACE...]\n\n"
               "Show what amazon-ec2-net-utils configured for each EC2 network interface, and\n"
               "where IMDS, the generated files, systemd-networkd and the kernel disagree.\n"
               "Changes nothing.\n\n"
               "Commands:\n"
               "  status [IFACE...]   every ENI (a table), or the named ones (in detail; a name\n"
               "                      or an altname such as the ENI id)\n"
               "  plan [IFACE...]     what setup-policy-routes IFACE start|refresh would change now\n"
               "  doctor              what breaks policy routing here: other managers and files,\n"
               "                      networkd settings, collisions, IMDS, units\n\n"
               "Options:\n"
               "     --offline        do not ask IMDS: compare with what the last runs saved\n"
               "     --json[=MODE]    JSON output (schema " NETCTL_SCHEMA "): pretty, short or off\n"
               "  -d --debug          log debug messages\n"
               "  -h --help           show this help\n"
               "     --version        show the version\n\n"
               "Exit status: 0 in sync (plan: nothing to change), 1 a problem was found\n"
               "(plan: something to change), 2 invalid usage,\n"
               "3 IMDS did not answer in time, 4 IMDS returned invalid data.\n");
}

static int parse_json(const char *s) {
        if (!s)
                arg_json = isatty(STDOUT_FILENO) ? JSON_PRETTY : JSON_SHORT;
        else if (streq(s, "pretty"))
                arg_json = JSON_PRETTY;
        else if (streq(s, "short"))
                arg_json = JSON_SHORT;
        else if (streq(s, "off"))
                arg_json = JSON_OFF;
        else {
                char quoted[ESCAPE_SHORT_MAX];

                return log_error_errno(-EUSAGE, "Unknown JSON mode \"%s\": pretty, short or off.",
                                       escape_for_log(s, true, quoted, sizeof quoted));
        }
        return 0;
}

/* <0 error, 0 stop with success (--help), >0 go on. */
static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_JSON, ARG_OFFLINE };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "debug", no_argument, NULL, 'd' },
                { "json", optional_argument, NULL, ARG_JSON },
                { "offline", no_argument, NULL, ARG_OFFLINE },
                {}
        };
        char quoted[ESCAPE_SHORT_MAX];
        int c, r;

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
                case ARG_JSON:
                        r = parse_json(optarg);
                        if (r < 0)
                                return r;
                        break;
                case ARG_OFFLINE:
                        arg_offline = true;
                        break;
                default:
                        return -EUSAGE;   /* getopt said what was wrong */
                }

        if (arg_offline && optind < argc && streq(argv[optind], "plan"))
                return log_error_errno(-EUSAGE, "plan asks IMDS, as a refresh does: --offline does not apply.");
        if (optind >= argc)
                return log_error_errno(-EUSAGE, "Missing command (status, plan, doctor). See --help.");
        if (streq(argv[optind], "status"))
                arg_command = COMMAND_STATUS;
        else if (streq(argv[optind], "plan"))
                arg_command = COMMAND_PLAN;
        else if (streq(argv[optind], "doctor"))
                arg_command = COMMAND_DOCTOR;
        else
                return log_error_errno(-EUSAGE, "Unknown command \"%s\". See --help.",
                                       escape_for_log(argv[optind], true, quoted, sizeof quoted));
        if (arg_command == COMMAND_DOCTOR && optind + 1 < argc)
                return log_error_errno(-EUSAGE, "doctor looks at every ENI: no interface names. See --help.");
        if (arg_command == COMMAND_DOCTOR && arg_offline)
                return log_error_errno(-EUSAGE, "doctor checks IMDS: --offline does not apply.");
        for (int k = optind + 1; k < argc; k++) {
                /* A name or an altname (the ENI id, device-number-D): looked up over netlink,
                 * never used in a path (the link's own name is). */
                if (!ifname_is_valid(argv[k]) && !link_altname_is_valid(argv[k]))
                        return log_error_errno(-EUSAGE, "Invalid interface name \"%s\".",
                                               escape_for_log(argv[k], true, quoted, sizeof quoted));
                if (strv_extend(&arg_interfaces, argv[k]) < 0)
                        return log_error_errno(-ENOMEM, "Out of memory.");
        }
        return 1;
}

static bool use_colour(void) {
        const char *term = getenv("TERM");

        return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !(term && streq(term, "dumb"));
}

static int output_json(json_t *j) {
        int r = netctl_json_dump(stdout, j, arg_json == JSON_PRETTY);

        if (r < 0 || fflush(stdout) != 0)
                return log_error_errno(r < 0 ? r : -EIO, "Failed to write the output: %m");
        return 0;
}

/* 3 or 4 when IMDS did not answer in time / sent invalid data, else 0. */
static int imds_exit(const NetctlStatus *s) {
        int imds = s->host.imds_error ? exit_status_from_errno(s->host.imds_error) : 0;

        return imds == EXIT_DEADLINE || imds == EXIT_INVALID_DATA ? imds : 0;
}

/* 0 in sync, 1 a problem. */
static int status_exit(const NetctlStatus *s) {
        return imds_exit(s) ?: netctl_status_problems(s) > 0 ? 1 : 0;
}

static int collect(const NetctlOptions *o, NetctlStatus *ret) {
        const char *missing = NULL;
        int r;

        r = netctl_status_collect(o, ret, &missing);
        if (r == -ENODEV && missing)
                return log_error_errno(r, "Interface %s does not exist.", missing);
        if (r < 0)
                return log_error_errno(r, "Failed to collect the status: %m");
        return 0;
}

static int run_status(const NetctlOptions *o) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        int r;

        r = collect(o, &s);
        if (r < 0)
                return r;
        if (arg_json != JSON_OFF) {
                json_auto_t *j = NULL;

                r = netctl_status_to_json(&s, &j);
                if (r < 0)
                        return log_error_errno(r, "Failed to format the status: %m");
                r = output_json(j);
        } else
                r = netctl_status_dump(stdout, &s, arg_interfaces != NULL, use_colour());
        if (r < 0)
                return log_error_errno(r, "Failed to write the output: %m");
        return status_exit(&s);
}

/* Nothing is written, no lock taken: the plan is the status, compared with what a refresh
 * would do with it. */
static int run_plan(const NetctlOptions *o) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        _cleanup_(netctl_plan_done) NetctlPlan p = {};
        int r;

        r = collect(o, &s);
        if (r < 0)
                return r;
        r = netctl_plan_compute(&s, &p);
        if (r < 0)
                return log_error_errno(r, "Failed to compute the plan: %m");
        if (arg_json != JSON_OFF) {
                json_auto_t *j = NULL;

                r = netctl_plan_to_json(&p, &j);
                if (r < 0)
                        return log_error_errno(r, "Failed to format the plan: %m");
                r = output_json(j);
        } else
                r = netctl_plan_dump(stdout, &p, use_colour());
        if (r < 0)
                return log_error_errno(r, "Failed to write the output: %m");
        return imds_exit(&s) ?: netctl_plan_changes(&p) + netctl_plan_problems(&p) > 0 ? 1 : 0;
}

/* The status without IMDS (the probe asks it once), then the checks. */
static int run_doctor(NetctlOptions *o) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        _cleanup_(netctl_doctor_done) NetctlDoctor d = {};
        int r;

        o->offline = true;
        r = collect(o, &s);
        if (r < 0)
                return r;
        r = netctl_doctor_run(o, &s, &d);
        if (r < 0)
                return log_error_errno(r, "Failed to run the checks: %m");
        if (arg_json != JSON_OFF) {
                json_auto_t *j = NULL;

                r = netctl_doctor_to_json(&d, &j);
                if (r < 0)
                        return log_error_errno(r, "Failed to format the findings: %m");
                r = output_json(j);
        } else
                r = netctl_doctor_dump(stdout, &d, use_colour());
        if (r < 0)
                return log_error_errno(r, "Failed to write the output: %m");
        return netctl_doctor_problems(&d) > 0 ? 1 : 0;
}

static int run(int argc, char *argv[]) {
        _cleanup_(config_done) Config config = {};
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **interfaces = NULL;
        RuntimePaths paths;
        int r;

        log_open("ec2-netctl", LOG_TARGET_CONSOLE);
        log_parse_environment();
        r = parse_argv(argc, argv);
        interfaces = arg_interfaces;
        if (r <= 0)
                return r;

        r = config_init_defaults(&config);
        if (r >= 0)
                r = config_load(&config);
        if (r < 0)
                return log_error_errno(r, "Failed to load the configuration: %m");
        STRV_FOREACH(w, config.warnings)
                log_debug("%s", *w);   /* shown in the output */
        runtime_paths_get(&paths);

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                log_debug_errno(r, "Cannot connect to the system bus, networkd's view is unknown: %m");
                bus = NULL;
        }
        NetctlOptions o = {
                .config = &config,
                .runtime_dir = paths.runtime_dir,
                .network_dir = paths.network_dir,
                .interfaces = arg_interfaces,
                .offline = arg_offline,
                .imds_deadline_usec = usec_add(now_usec(), IMDS_DEADLINE_USEC),
                .imds_max_attempts = IMDS_MAX_ATTEMPTS,
                .bus = bus,
                .bus_deadline_usec = usec_add(now_usec(), BUS_DEADLINE_USEC),
        };
        switch (arg_command) {
        case COMMAND_STATUS:
                return run_status(&o);
        case COMMAND_PLAN:
                return run_plan(&o);
        case COMMAND_DOCTOR:
                return run_doctor(&o);
        }
        return -EINVAL;
}

DEFINE_MAIN_FUNCTION(run);
