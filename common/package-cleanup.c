/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interface-files.h"
#include "legacy-files.h"
#include "log.h"
#include "macro.h"
#include "package-cleanup.h"
#include "strv.h"

/* The runtime directory holds two levels (interfaces/, lock/ and 2.x's setup-policy-routes/);
 * anything deeper is not ours to walk into. */
#define RUNTIME_DEPTH_MAX 3

void cleanup_outcome_done(CleanupOutcome *o) {
        strv_free(o->interfaces);
        strv_free(o->legacy_interfaces);
        *o = (CleanupOutcome) {};
}

/* Removes dir_fd/name, a directory with what is in it; never follows a symbolic link. */
static int remove_tree_at(int dir_fd, const char *name, unsigned depth) {
        _cleanup_close_ int fd = -1;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        struct stat st;
        int r = 0;

        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (!S_ISDIR(st.st_mode))
                return unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT ? negative_errno() : 0;
        if (depth >= RUNTIME_DEPTH_MAX)
                return -ELOOP;
        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d)
                return negative_errno();
        TAKE_FD(fd);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        int k = remove_tree_at(dirfd(d), de->d_name, depth + 1);
                        if (k < 0 && r == 0)
                                r = k;
                }
        if (r < 0)
                return r;
        return unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? negative_errno() : 0;
}

/* Removal: the directory itself. Hand-over: what is not 2.x's in it. */
static int remove_runtime_state(const char *runtime_dir, CleanupScope scope) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r = 0;

        if (scope == CLEANUP_REMOVAL)
                return remove_tree_at(AT_FDCWD, runtime_dir, 0);

        d = opendir(runtime_dir);
        if (!d)
                return errno == ENOENT ? 0 : negative_errno();
        while ((de = readdir(d))) {
                int k;

                if (streq(de->d_name, ".") || streq(de->d_name, "..") || legacy_runtime_entry(de->d_name))
                        continue;
                k = remove_tree_at(dirfd(d), de->d_name, 1);
                if (k < 0 && r == 0)
                        r = log_debug_errno(k, "Failed to remove %s/%s: %m", runtime_dir, de->d_name);
        }
        return r;
}

int package_cleanup(const char *network_dir, const char *runtime_dir, CleanupScope scope, CleanupOutcome *ret) {
        _cleanup_(cleanup_outcome_done) CleanupOutcome o = {};
        _cleanup_strv_free_ char **ours = NULL, **legacy = NULL;
        int r;

        o.interfaces = calloc(1, sizeof(char *));
        o.legacy_interfaces = calloc(1, sizeof(char *));
        if (!o.interfaces || !o.legacy_interfaces)
                return -ENOMEM;
        r = interface_files_interfaces(network_dir, &ours);
        if (r < 0)
                return log_debug_errno(r, "Failed to list %s: %m", network_dir);
        STRV_FOREACH(i, ours) {
                bool changed = false;

                r = interface_files_remove_generated(network_dir, *i, &changed);
                if (r < 0)
                        return log_debug_errno(r, "Failed to remove the files of %s: %m", *i);
                if (!changed)
                        continue;
                o.changed = true;
                r = strv_extend(&o.interfaces, *i);
                if (r < 0)
                        return r;
        }

        if (scope == CLEANUP_REMOVAL) {
                r = legacy_files_interfaces(network_dir, &legacy);
                if (r < 0)
                        return log_debug_errno(r, "Failed to list 2.x's files in %s: %m", network_dir);
                STRV_FOREACH(i, legacy) {
                        bool changed = false;

                        r = legacy_files_remove(network_dir, *i, NULL, &changed);
                        if (r < 0)
                                return log_debug_errno(r, "Failed to remove 2.x's files of %s: %m", *i);
                        if (!changed)
                                continue;
                        o.changed = true;
                        r = strv_extend(&o.legacy_interfaces, *i);
                        if (r < 0)
                                return r;
                }
        }

        r = remove_runtime_state(runtime_dir, scope);
        if (r < 0)
                return log_debug_errno(r, "Failed to remove the state in %s: %m", runtime_dir);
        *ret = o;
        o = (CleanupOutcome) {};
        return 0;
}
