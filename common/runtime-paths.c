/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build-config.h"
#include "env-override.h"
#include "macro.h"
#include "runtime-paths.h"

static const char *env_path(const char *name, const char *fallback) {
        return env_override_path(name) ?: fallback;
}

void runtime_paths_get(RuntimePaths *ret) {
        *ret = (RuntimePaths) {
                .runtime_dir = env_path("EC2NET_RUNTIME_DIR", EC2NET_RUNTIME_DIR),
                .network_dir = env_path("EC2NET_NETWORK_DIR", EC2NET_NETWORK_RUNTIME_DIR),
                .state_dir = env_path("EC2NET_STATE_DIR", EC2NET_STATE_DIR),
                .sysfs_root = env_path("EC2NET_SYSFS_ROOT", "/sys"),
        };
}

int writable_dir_prepare(const char *path, bool create) {
        _cleanup_close_ int dir_fd = -1, probe_fd = -1;

        if (create && mkdir(path, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir_fd < 0)
                return !create && errno == ENOENT ? 0 : negative_errno();
        /* An unnamed file that vanishes on close: a real write, so that a read-only mount,
         * a missing ReadWritePaths= or an SELinux/AppArmor denial shows here, with the path,
         * and not later as a failure deep inside a setup. */
        probe_fd = openat(dir_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        if (probe_fd >= 0)
                return 0;
        if (!IN_SET(errno, EOPNOTSUPP, EISDIR))
                return negative_errno();
        /* A file system without O_TMPFILE: ask instead. */
        return faccessat(dir_fd, ".", W_OK, AT_EACCESS) < 0 ? negative_errno() : 0;
}
