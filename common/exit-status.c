/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>

#include "exit-status.h"

int exit_status_from_errno(int r) {
        if (r >= 0)
                return EXIT_SUCCESS;
        switch (r) {
        case -ETIMEDOUT:
                return EXIT_DEADLINE;
        case -EBADMSG:
                return EXIT_INVALID_DATA;
        default:
                return EXIT_FAILURE;
        }
}
