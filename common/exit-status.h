/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Exit statuses of the executables, the same for all (man setup-policy-routes(8)), so that
 * systemd (RestartPreventExitStatus=) and a watchdog can tell what retrying would do:
 *   0  done, or nothing to do
 *   1  failed; retrying may help (IMDS unreachable or busy, an interface not there yet)
 *   2  invalid usage: retrying cannot help
 *   3  a deadline passed (IMDS, a lock, a link or networkd did not answer in time);
 *      retrying may help
 *   4  IMDS returned invalid data: nothing was changed, retrying at once cannot help (the
 *      refresh timer tries again at its next tick)
 */

#define EXIT_USAGE        2
#define EXIT_DEADLINE     3
#define EXIT_INVALID_DATA 4

/* The exit status for the result of a run (0 or a negative errno). */
int exit_status_from_errno(int r);
