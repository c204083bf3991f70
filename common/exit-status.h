/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * What the result of a run means outside: the exit status (the same for every executable,
 * man setup-policy-routes(8)), and the priority and MESSAGE_ID= of the line that reports
 * it. One table, so that systemd (RestartPreventExitStatus=), a watchdog and someone
 * reading the journal see the same meaning for the same outcome:
 *   0  done, or nothing to do (also: IMDS is disabled for this instance, HTTP 403)
 *   1  failed; retrying may help (IMDS unreachable or busy, a local error such as a
 *      directory that cannot be written)
 *   2  invalid usage: retrying cannot help
 *   3  a deadline passed (IMDS, a lock, the link or networkd did not answer in time);
 *      retrying may help
 *   4  IMDS returned invalid data or rejected our request: nothing was changed, retrying
 *      at once cannot help (the refresh timer tries again at its next tick)
 */

#include <stdbool.h>

#define EXIT_USAGE        2
#define EXIT_DEADLINE     3
#define EXIT_INVALID_DATA 4

typedef struct RunFailure {
        int exit_status;
        int priority;             /* syslog level of the line that reports it */
        const char *message_id;   /* its MESSAGE_ID=, or NULL */
        const char *consequence;  /* appended to that line, e.g. what stays unchanged; "" */
} RunFailure;

/* How to report the result r (0, or a negative errno or error-codes.h code). */
RunFailure run_failure_from_error(int r);

/* The exit status for the result of a run (0 or a negative errno/error code). */
int exit_status_from_errno(int r);
