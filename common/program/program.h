/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The start every program shares, for the executables only (it logs at every level; the
 * library in common/ itself never logs above debug): logging, the configuration and its
 * warnings, the package switch, the paths, the directories a program writes, the IMDS
 * client options. One shape, so that the same input reads the same in every program.
 */

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "imds-client.h"
#include "log.h"
#include "runtime-paths.h"

typedef struct Program {
        Config config;
        RuntimePaths paths;
        const char *disabled_by;   /* why the package is disabled (lives as long as config), or NULL */
} Program;

/* Opens the log as ident and applies EC2NET_LOG_LEVEL. */
void program_log_open(const char *ident, LogTarget target);

/* Loads the configuration (logging each warning), reads the paths and the package switch.
 * Returns 1 when the package is enabled, 0 when it is disabled (said at disabled_level,
 * with why), or a negative errno after logging why. */
int program_load(Program *p, int disabled_level);
void program_done(Program *p);

/* Checks that the program can write where it writes: the runtime directory (created when
 * missing) and the networkd directory (when present). Logs the path on failure. */
int program_prepare_directories(const Program *p);

/* After a networkd reload of ours: the ENIs it moved from 2.x's files (SetupRun's
 * moved_from_2x, deferred-takeover.h), at info; nothing when none. */
void program_log_moved_from_2x(const char *moved);

/* IMDS client options from the configuration: its endpoints, the token cached in the runtime
 * directory, requests through interfaces (NULL: the default route). */
ImdsOptions program_imds_options(const Program *p, char *const *interfaces, uint64_t deadline_usec,
                                 unsigned max_attempts);
