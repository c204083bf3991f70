/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Starting and stopping units through systemd's D-Bus API (never systemctl). */

#include <stdint.h>

/* Manager.StartUnit/StopUnit(name, "replace"): queues the job and returns without waiting
 * for it to run. */
int systemd_start_unit(const char *unit, uint64_t timeout_usec);
int systemd_stop_unit(const char *unit, uint64_t timeout_usec);
