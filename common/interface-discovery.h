/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The ENIs present, found in sysfs (SPEC §5: at boot the udev database is not there yet,
 * so the driver comes from the device's driver link). */

#include <stddef.h>

#include "config.h"
#include "validate.h"

#define DISCOVERY_MAX_INTERFACES 256

typedef struct PresentInterface {
        char ifname[IFNAME_MAX];
        char mac[MAC_STR_MAX];
        char driver[32];
} PresentInterface;

/* Interfaces under SYSFS_ROOT/class/net whose driver config allows and that are not
 * excluded, sorted by name. Entries that cannot be read or fail validation are skipped
 * (and counted in *ret_n_skipped, for the caller to log). */
int interfaces_discover(const char *sysfs_root, const Config *config, PresentInterface **ret,
                        size_t *ret_n, size_t *ret_n_skipped);
