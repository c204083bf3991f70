/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ec2-net-hotplug hold IFACE | add IFACE | remove IFACE [MAC] — run by udev when an ENI
 * appears or goes (SPEC §6). It must return quickly and may not open IP sockets (udevd's
 * sandbox), so it only talks D-Bus and rtnetlink and reads sysfs:
 *   hold    (IMPORT{program}=, while udev processes the add event, before it marks the
 *           device initialized: networkd cannot have configured the link yet) holds the
 *           ENI (hold-policy.h: networkd leaves it alone until its own files exist, so it
 *           configures it once) and reloads networkd; prints EC2NET_HELD=1 when it did,
 *           which udev keeps in the device's database (`udevadm info`: for the operator);
 *   add     (RUN+=) asks systemd to start policy-routes@IFACE.service, without waiting for
 *           it; releases the hold when that is refused;
 *   remove  stops the interface's units, deletes its generated files, reloads networkd;
 *           only what belongs to MAC (the interface that went away): a late event must not
 *           take the configuration of an ENI that took the name since.
 * Exit codes: 0 done or nothing to do, 1 failed, 2 invalid usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eni-probe.h"
#include "escape.h"
#include "file-save.h"
#include "hold-policy.h"
#include "interface-setup.h"
#include "log.h"
#include "main-func.h"
#include "program.h"
#include "netlink.h"
#include "networkd.h"
#include "systemd-units.h"
#include "time-util.h"
#include "unit-name.h"
#include "validate.h"

#define BUS_TIMEOUT_USEC (5 * USEC_PER_SEC)

static SetupContext hotplug_context(const Program *p) {
        return (SetupContext) {
                .config = &p->config,
                .network_dir = p->paths.network_dir,
                .runtime_dir = p->paths.runtime_dir,
                .deadline_usec = usec_add(now_usec(), BUS_TIMEOUT_USEC),
        };
}

/* Whether networkd has matched the link with a .network file already: then holding it
 * would take it away from networkd and give it back (two reconfigurations instead of one).
 * Under udev, networkd waits for the device's initialization, which comes after this
 * program (run from IMPORT{program}=); without udev (a container, `hold` run by hand),
 * networkd configures a link as soon as it appears. */
static bool networkd_applies_file(const char *ifname) {
        _cleanup_(link_info_done) LinkInfo link = {};
        _cleanup_free_ char *file = NULL;

        if (link_get_by_name(ifname, &link) < 0)
                return false;
        if (networkd_link_network_file(link.ifindex, usec_add(now_usec(), BUS_TIMEOUT_USEC), &file) < 0)
                return false;
        log_debug("systemd-networkd applies %s to %s already, not holding it.", file, ifname);
        return true;
}

/* Holds the new ENI when nothing of ours is there yet, so that networkd's first
 * configuration of it is its own. Only when networkd reads the hold now (a reload): one it
 * would read later could take a link it has configured by then away from it. */
static bool hotplug_hold(const Program *p, const EniProbe *probe) {
        SetupContext ctx = hotplug_context(p);
        SetupRun run = {};
        bool held = false;
        int r;

        if (!hold_policy_wanted(&p->config, NULL) ||
            hold_policy_is_bootstrap(p->paths.sysfs_root, &p->config, probe->ifname))
                return false;
        if (networkd_applies_file(probe->ifname))
                return false;
        r = program_prepare_directories(p);
        if (r < 0)
                return false;
        r = interface_hold(&ctx, &run, probe->ifname, probe->mac, &held);
        if (r < 0)
                log_warning_errno(r, "Failed to hold %s, ignoring: %m", probe->ifname);
        if (!held)
                return false;
        r = interface_setup_reload(&ctx, &run, usec_add(now_usec(), BUS_TIMEOUT_USEC), NULL);
        program_log_moved_from_2x(run.moved_from_2x);
        if (r >= 0) {
                log_debug("Holding %s until its configuration is written.", probe->ifname);
                return true;
        }
        log_debug_errno(r, "Failed to reload systemd-networkd, not holding %s: %m", probe->ifname);
        run = (SetupRun) {};
        (void) interface_release(&ctx, &run, probe->ifname, NULL);
        return false;
}

static void hotplug_release(const Program *p, const char *ifname) {
        SetupContext ctx = hotplug_context(p);
        SetupRun run = {};
        int r;

        r = interface_release(&ctx, &run, ifname, NULL);
        if (r >= 0) {
                r = interface_setup_reload(&ctx, &run, usec_add(now_usec(), BUS_TIMEOUT_USEC), NULL);
                program_log_moved_from_2x(run.moved_from_2x);
        }
        if (r < 0)
                log_warning_errno(r, "Failed to release %s: %m", ifname);
}

/* Held or not, udev goes on: a failure here only means the ENI switches once, as without
 * holding. */
static int hotplug_hold_action(const Program *p, const char *ifname) {
        EniProbe probe;
        int r;

        r = eni_probe(p->paths.sysfs_root, &p->config, ifname, &probe);
        if (r != ENI_PROBE_ENI)
                return 0;
        if (hotplug_hold(p, &probe)) {
                puts("EC2NET_HELD=1");
                if (fflush(stdout) != 0)
                        log_debug_errno(errno, "Failed to write to standard output: %m");
        }
        return 0;
}

static int hotplug_add(const Program *p, const char *ifname) {
        EniProbe probe;
        char unit[256];
        bool held;
        int r;

        r = eni_probe(p->paths.sysfs_root, &p->config, ifname, &probe);
        if (r == -ENODEV) {
                log_debug("%s is gone already, ignoring.", ifname);
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to probe %s: %m", ifname);
        if (IN_SET(r, ENI_PROBE_NO_DRIVER, ENI_PROBE_OTHER_DRIVER)) {
                log_debug("%s: driver \"%s\" not handled, ignoring.", ifname, probe.driver);
                return 0;
        }
        if (r == ENI_PROBE_EXCLUDED) {
                log_info("%s is excluded by configuration, ignoring.", ifname);
                return 0;
        }
        r = unit_name_for_interface("policy-routes", ifname, ".service", unit, sizeof unit);
        if (r < 0)
                return log_error_errno(r, "Invalid unit name for %s: %m", ifname);
        held = interface_is_held(p->paths.network_dir, ifname) > 0;
        r = systemd_start_unit(unit, BUS_TIMEOUT_USEC);
        if (r < 0 && held)   /* nobody will write its files: DHCP from 80-ec2.network */
                hotplug_release(p, ifname);
        if (r == -ERFKILL) {
                /* The unit is masked: by the generator when the package is disabled, or by
                 * an administrator. Either way, nothing is to be done. */
                log_debug("%s is masked, ignoring.", unit);
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to start %s: %m", unit);
        log_debug("Queued %s.", unit);
        return 0;
}

/* Why a remove left something in place (SPEC §6: events come late and out of order). */
static void log_remove_outcome(const char *ifname, const RemoveOutcome *o) {
        switch (o->verdict) {
        case REMOVE_ALL:
                if (o->changed)
                        log_event(LOG_INFO, MESSAGE_ID_CONFIG_REMOVED, "Removed the configuration of %s.", ifname);
                break;
        case REMOVE_FILES_ONLY:
                log_event(LOG_INFO, MESSAGE_ID_CONFIG_REMOVED,
                          "Removed the configuration of %s written for %s, which went away; the name "
                          "now belongs to the interface with MAC %s, whose units were left running.",
                          ifname, o->removed_mac, o->present_mac[0] ? o->present_mac : "(none)");
                break;
        case REMOVE_NONE_NOT_OWNER:
                log_info("Not removing the configuration of %s: it was written for MAC %s, not for %s, "
                         "which went away.", ifname, o->owner_mac, o->removed_mac);
                break;
        case REMOVE_NONE_NAME_IN_USE:
                log_info("Not removing the configuration of %s: the name belongs to a present interface "
                         "(MAC %s) now, this remove event came late.",
                         ifname, o->present_mac[0] ? o->present_mac : "(none)");
                break;
        }
}

static int hotplug_remove(const Program *p, const char *ifname, const char *mac) {
        static const struct { const char *prefix, *suffix; } units[] = {
                { "refresh-policy-routes", ".timer" },
                { "refresh-policy-routes", ".service" },
                { "policy-routes", ".service" },
        };
        const RemoveRequest req = { .removed_mac = mac, .check_present = true };
        RemoveOutcome plan, o;
        SetupRun run = {};
        int r, ret = 0;

        SetupContext ctx = {
                .config = &p->config,
                .network_dir = p->paths.network_dir,
                .runtime_dir = p->paths.runtime_dir,
                .deadline_usec = usec_add(now_usec(), BUS_TIMEOUT_USEC),
        };

        /* The units are named after the interface, not the ENI: when the name belongs to
         * another interface now, they are that one's. Stopped before the files go (and
         * before their lock, which a running setup holds), so that a setup of the departed
         * interface cannot write them again. The files are decided on again under the lock.
         * Not covered: a link taking the name in the milliseconds between this check and
         * the stop calls would lose a start queued in between. */
        r = interface_remove_plan(&ctx, ifname, &req, &plan);
        if (r < 0)
                return log_error_errno(r, "Failed to find whose the configuration of %s is: %m", ifname);
        for (size_t i = 0; plan.verdict == REMOVE_ALL && i < ELEMENTSOF(units); i++) {
                char unit[256];

                if (unit_name_for_interface(units[i].prefix, ifname, units[i].suffix, unit, sizeof unit) < 0)
                        continue;
                r = systemd_stop_unit(unit, BUS_TIMEOUT_USEC);
                if (r < 0)
                        ret = log_warning_errno(r, "Failed to stop %s, continuing: %m", unit);
        }

        r = interface_remove(&ctx, &run, ifname, &req, &o);
        if (r < 0)
                ret = log_error_errno(r, "Failed to remove the configuration of %s: %m", ifname);
        else
                log_remove_outcome(ifname, &o);
        r = interface_setup_reload(&ctx, &run, usec_add(now_usec(), BUS_TIMEOUT_USEC), NULL);
        program_log_moved_from_2x(run.moved_from_2x);
        if (r < 0)
                return log_error_errno(r, "Failed to reload systemd-networkd: %m");
        return ret;
}

static int run(int argc, char *argv[]) {
        _cleanup_(program_done) Program p = {};
        const char *action, *ifname;
        char mac[MAC_STR_MAX] = "", quoted[ESCAPE_SHORT_MAX];
        int r;

        /* Under udev there is no JOURNAL_STREAM and stderr only reaches udevd's debug log. */
        program_log_open("ec2-net-hotplug",
                         !isatty(STDERR_FILENO) && access("/run/systemd/journal/socket", F_OK) == 0
                                 ? LOG_TARGET_JOURNAL : LOG_TARGET_CONSOLE);

        if (!(argc == 3 && (streq(argv[1], "add") || streq(argv[1], "hold"))) &&
            !(IN_SET(argc, 3, 4) && streq(argv[1], "remove")))
                return log_error_errno(-EUSAGE, "Usage: ec2-net-hotplug hold IFACE | add IFACE | remove IFACE [MAC]");
        action = argv[1];
        ifname = argv[2];
        if (!ifname_is_valid(ifname))
                return log_error_errno(-EUSAGE, "Invalid interface name \"%s\".",
                                       escape_for_log(ifname, true, quoted, sizeof quoted));
        /* On remove, sysfs is gone: the MAC comes from the event (the udev rule stores it in
         * the device's database on add, udev reads it back for the remove). */
        if (argc == 4 && validate_mac(argv[3], mac) < 0)
                return log_error_errno(-EUSAGE, "Invalid MAC address \"%s\".",
                                       escape_for_log(argv[3], true, quoted, sizeof quoted));
        log_context_set(ifname, mac[0] ? mac : NULL, NULL);

        r = program_load(&p, LOG_DEBUG);   /* udev runs us on every event: quiet */
        if (r <= 0)
                return r;

        if (streq(action, "hold"))
                return hotplug_hold_action(&p, ifname);
        return streq(action, "add") ? hotplug_add(&p, ifname)
                                    : hotplug_remove(&p, ifname, mac[0] ? mac : NULL);
}

DEFINE_MAIN_FUNCTION(run);
