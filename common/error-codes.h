/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Outcomes of this product that are not a failed system call, as negative return values in
 * a range no syscall returns (the kernel's errno values end at 4095). They are mapped once,
 * at the boundary where they arise (an HTTP status in the IMDS client, a bounded wait for a
 * link), so that a caller never takes a local EACCES (an SELinux denial, a read-only
 * runtime directory) for IMDS's HTTP 403, or a lock that timed out for IMDS not answering.
 *
 * They are returned like errno values: `return -EIMDS_DISABLED;`, `r == -EIMDS_TIMEOUT`.
 * "%m" in a log format prints error_to_string()'s text for them.
 */

#include <stdbool.h>

#define EC2NET_ERRNO_BASE 4200

enum {
        EIMDS_DISABLED = EC2NET_ERRNO_BASE, /* HTTP 403: IMDS is turned off for this instance */
        EIMDS_UNAUTHORIZED,  /* HTTP 401 again with a fresh token */
        EIMDS_REJECTED,      /* HTTP 400 (or 404/405 for the token: no IMDSv2): our request is wrong */
        EIMDS_INVALID,       /* an answer that cannot be valid: too large, not text, a bad value */
        EIMDS_TIMEOUT,       /* IMDS accepted the connection and stalled, or the deadline passed */
        EIMDS_UNREACHABLE,   /* no endpoint answered on any route */
        EIMDS_BUSY,          /* HTTP 429/5xx on every attempt */
        EIMDS_UNKNOWN_MAC,   /* IMDS does not list the interface's MAC */
        EIMDS_PROPAGATING,   /* a hot-attached ENI's data did not reach IMDS in time */
        ELINK_ABSENT,        /* the interface did not appear within its wait */
        EUSAGE,              /* invalid command line, already reported */
        _EC2NET_ERRNO_END,
};

/* Whether r (negative or positive) is one of the codes above / one of the IMDS ones. */
bool error_is_ec2net(int r);
bool error_is_imds(int r);
/* IMDS gave no usable answer in time (unreachable, stalled, busy): worth trying again later,
 * as opposed to an answer (403, invalid data) that the next try would get again. */
bool error_is_imds_no_answer(int r);

/* strerror() for both domains; never NULL. */
const char *error_to_string(int r);
