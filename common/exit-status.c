/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <syslog.h>

#include "error-codes.h"
#include "exit-status.h"
#include "log.h"

#define UNCHANGED "; the configuration stays as it is."

RunFailure run_failure_from_error(int r) {
        if (r >= 0)
                return (RunFailure) { EXIT_SUCCESS, LOG_INFO, NULL, "" };

        switch (-r) {
        case EIMDS_DISABLED:
                /* SPEC §3: IMDS turned off is not a failure of ours: quiet, and no retry. */
                return (RunFailure) { EXIT_SUCCESS, LOG_NOTICE, MESSAGE_ID_IMDS_UNAVAILABLE, UNCHANGED };
        case EIMDS_TIMEOUT:
                return (RunFailure) { EXIT_DEADLINE, LOG_WARNING, MESSAGE_ID_IMDS_UNAVAILABLE, UNCHANGED };
        case EIMDS_UNREACHABLE:
        case EIMDS_BUSY:
        case EIMDS_UNAUTHORIZED:
                return (RunFailure) { EXIT_FAILURE, LOG_WARNING, MESSAGE_ID_IMDS_UNAVAILABLE, UNCHANGED };
        case EIMDS_INVALID:
        case EIMDS_REJECTED:
                return (RunFailure) { EXIT_INVALID_DATA, LOG_ERR, MESSAGE_ID_IMDS_INVALID, UNCHANGED };
        case EIMDS_UNKNOWN_MAC:
                return (RunFailure) { EXIT_FAILURE, LOG_ERR, MESSAGE_ID_IMDS_INVALID, UNCHANGED };
        case EIMDS_PROPAGATING:
                return (RunFailure) { EXIT_DEADLINE, LOG_ERR, NULL, UNCHANGED };
        case ELINK_ABSENT:
        case ETIMEDOUT:
                return (RunFailure) { EXIT_DEADLINE, LOG_ERR, NULL, "" };
        case EUSAGE:
                return (RunFailure) { EXIT_USAGE, LOG_ERR, NULL, "" };
        default:
                return (RunFailure) { EXIT_FAILURE, LOG_ERR, NULL, "" };
        }
}

int exit_status_from_errno(int r) {
        return run_failure_from_error(r).exit_status;
}
