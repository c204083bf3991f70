/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Reading the state of units from systemd over D-Bus (never systemctl), for ec2-netctl:
 * the refresh timer of each ENI, masked or failed units, timers of ENIs that are gone. */

#include <stdint.h>
#include <systemd/sd-bus.h>

typedef struct UnitState {
        char load_state[32];         /* loaded, not-found, masked, error, ... */
        char active_state[32];       /* active, inactive, failed, activating, ... */
        char sub_state[32];
        char unit_file_state[32];    /* enabled, disabled, masked, static, ... ("" unknown) */
        uint64_t next_elapse_usec;   /* timers: CLOCK_REALTIME of the next run, 0 none */
} UnitState;

/* Loads the unit (as `systemctl show` does) and reads its states; timer fields for a
 * .timer. -ENXIO when systemd is not on the bus. */
int systemd_unit_state(sd_bus *bus, const char *unit, uint64_t timeout_usec, UnitState *ret);

/* Names of the loaded units matching the glob (Manager.ListUnitsByPatterns). */
int systemd_list_units(sd_bus *bus, const char *pattern, uint64_t timeout_usec, char ***ret);

/* Manager.Version, e.g. "252.39-1~deb12u2". */
int systemd_version(sd_bus *bus, uint64_t timeout_usec, char **ret);
