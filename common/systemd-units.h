/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Starting and stopping units through systemd's D-Bus API (never systemctl). */

#include <stdint.h>

/* Manager.StartUnit/StopUnit(name, "replace"): queues the job and returns without waiting
 * for it to run. */
int systemd_start_unit(const char *unit, uint64_t timeout_usec);
int systemd_stop_unit(const char *unit, uint64_t timeout_usec);

/* The major version of the running systemd (Manager.Version, over PID 1's private socket):
 * systemd-networkd comes from the same package. -EBADMSG when it does not start with one. */
int systemd_major_version(uint64_t timeout_usec, unsigned *ret);
