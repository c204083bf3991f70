/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The environment variables that point the programs elsewhere, for tests (EC2NET_CONFIG,
 * EC2NET_IMDS_ENDPOINTS, EC2NET_RUNTIME_DIR, EC2NET_NETWORK_DIR, EC2NET_LOG_LEVEL, ...), are
 * all read here, the same way: through secure_getenv(3), so a program started with more
 * privileges than its caller (setuid, setgid, file capabilities) ignores them, and an empty
 * value counts as unset. The environment of systemd and udev (JOURNAL_STREAM,
 * container) is not an override and is read where it is used.
 */

#define ENV_OVERRIDE_PATH_MAX 1024U

/* The value of name, or NULL when it is unset, empty, or the process runs in secure mode. */
const char *env_override(const char *name);

/* The same for a path: only an absolute one of at most ENV_OVERRIDE_PATH_MAX bytes, with no
 * ".." component and no control character; anything else is NULL. */
const char *env_override_path(const char *name);
