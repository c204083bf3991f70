/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * What the package leaves behind when it goes (SPEC §10), decided by the product so that the
 * maintainer scripts of the .deb and the .rpm recognise nothing themselves:
 *   - removal: every file generated under /run/systemd/network, 2.x's included (this
 *     package replaced 2.x, whose files may still be there), and the whole runtime
 *     directory;
 *   - hand-over to 2.x (a downgrade): only this product's files (interface-files.h) and its
 *     own state; 2.x's files, at whatever names, and 2.x's state stay.
 * networkd is not reloaded here: the caller decides when it reads the change.
 */

#include <stdbool.h>

typedef enum CleanupScope {
        CLEANUP_REMOVAL,
        CLEANUP_HANDOVER,
} CleanupScope;

typedef struct CleanupOutcome {
        char **interfaces;        /* whose generated files of ours were removed (sorted) */
        char **legacy_interfaces; /* removal: whose 2.x files were removed (sorted) */
        bool changed;             /* a file under the networkd directory was removed */
} CleanupOutcome;

void cleanup_outcome_done(CleanupOutcome *o);

int package_cleanup(const char *network_dir, const char *runtime_dir, CleanupScope scope, CleanupOutcome *ret);
