/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

/* Where we write. The defaults come from the build; tests point them elsewhere with
 * EC2NET_RUNTIME_DIR, EC2NET_NETWORK_DIR and EC2NET_STATE_DIR (absolute paths; anything else is
 * ignored). */

typedef struct RuntimePaths {
        const char *runtime_dir;   /* /run/amazon-ec2-net-utils */
        const char *network_dir;   /* /run/systemd/network */
        const char *state_dir;     /* /var/lib/amazon-ec2-net-utils: kept across boots */
        const char *sysfs_root;    /* /sys (where interfaces are probed, eni-probe.h) */
} RuntimePaths;

void runtime_paths_get(RuntimePaths *ret);

/* Checks that this process can create files in the directory, creating it first (mode
 * 0755) when create is set; a missing directory is fine otherwise (its writer creates it).
 * -errno (e.g. -EACCES, -EROFS, -ELOOP for a symlink) when it cannot. */
int writable_dir_prepare(const char *path, bool create);
