/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Whose configuration a remove may take away (SPEC §6, §8). udev events can arrive late or
 * out of order: a remove for ens6 can come after another ENI took the name ens6 and was
 * set up. The generated files name the MAC they were written for (eni.conf `[Match]
 * MACAddress=`, the saved state), the remove event names the MAC that went away, and the
 * kernel says whether a link holds the name now; from these alone this decides what goes.
 */

#include <stdbool.h>

typedef enum RemoveVerdict {
        REMOVE_ALL,               /* files, state and units belong to what went away */
        REMOVE_FILES_ONLY,        /* its files, not the units: the name (and so the units
                                   * named after it) belongs to another interface now */
        REMOVE_NONE_NOT_OWNER,    /* the files were written for another MAC */
        REMOVE_NONE_NAME_IN_USE,  /* a present link holds the name and owns, or may own,
                                   * the files: the remove event is stale */
} RemoveVerdict;

typedef struct RemoveFacts {
        const char *removed_mac;  /* the MAC of the interface that went away; "" unknown
                                   * (2.x command line, a udev database without it) */
        const char *owner_mac;    /* the MAC the files were written for; "" unknown */
        bool name_in_use;         /* a link of that name exists now (checked only for udev
                                   * events: by hand, remove does what it is told) */
        const char *present_mac;  /* that link's MAC; "" when it has none */
} RemoveFacts;

RemoveVerdict interface_remove_verdict(const RemoveFacts *f);
const char *remove_verdict_to_string(RemoveVerdict v);
