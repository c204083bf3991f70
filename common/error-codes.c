/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "error-codes.h"
#include "macro.h"

static const char *const descriptions[_EC2NET_ERRNO_END - EC2NET_ERRNO_BASE] = {
        [EIMDS_DISABLED - EC2NET_ERRNO_BASE] = "IMDS is disabled (HTTP 403)",
        [EIMDS_UNAUTHORIZED - EC2NET_ERRNO_BASE] = "IMDS refused the session token (HTTP 401)",
        [EIMDS_REJECTED - EC2NET_ERRNO_BASE] = "IMDS rejected the request (HTTP 400)",
        [EIMDS_INVALID - EC2NET_ERRNO_BASE] = "IMDS returned invalid data",
        [EIMDS_TIMEOUT - EC2NET_ERRNO_BASE] = "IMDS did not answer in time",
        [EIMDS_UNREACHABLE - EC2NET_ERRNO_BASE] = "IMDS is unreachable",
        [EIMDS_BUSY - EC2NET_ERRNO_BASE] = "IMDS is busy (HTTP 429/5xx)",
        [EIMDS_UNKNOWN_MAC - EC2NET_ERRNO_BASE] = "IMDS does not know the interface's MAC address",
        [EIMDS_PROPAGATING - EC2NET_ERRNO_BASE] = "the ENI's data did not reach IMDS in time",
        [ELINK_ABSENT - EC2NET_ERRNO_BASE] = "the interface did not appear in time",
        [EUSAGE - EC2NET_ERRNO_BASE] = "invalid usage",
};

bool error_is_ec2net(int r) {
        r = abs(r);
        return r >= EC2NET_ERRNO_BASE && r < _EC2NET_ERRNO_END;
}

bool error_is_imds(int r) {
        r = abs(r);
        return r >= EIMDS_DISABLED && r <= EIMDS_PROPAGATING;
}

bool error_is_imds_no_answer(int r) {
        r = abs(r);
        return r == EIMDS_TIMEOUT || r == EIMDS_UNREACHABLE || r == EIMDS_BUSY;
}

const char *error_to_string(int r) {
        if (error_is_ec2net(r))
                return descriptions[abs(r) - EC2NET_ERRNO_BASE];
        return strerror(abs(r));
}
