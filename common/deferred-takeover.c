/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deferred-takeover.h"
#include "file-save.h"
#include "macro.h"
#include "strv.h"
#include "validate.h"

#define DEFERRED_DIR "takeover-deferred"

static int deferred_dir_open(const char *runtime_dir, bool create) {
        return file_save_open_subdir(runtime_dir, DEFERRED_DIR, create);
}

int deferred_takeover_mark(const char *runtime_dir, const char *ifname) {
        _cleanup_close_ int fd = -1;
        int r;

        if (!ifname_is_valid(ifname))
                return -EINVAL;
        fd = deferred_dir_open(runtime_dir, true);
        if (fd < 0)
                return fd;
        r = file_save_atomic(fd, ifname, "deferred\n");
        return r < 0 ? r : 0;
}

int deferred_takeover_is_marked(const char *runtime_dir, const char *ifname) {
        _cleanup_close_ int fd = -1;
        struct stat st;

        if (!ifname_is_valid(ifname))
                return -EINVAL;
        fd = deferred_dir_open(runtime_dir, false);
        if (fd == -ENOENT)
                return 0;
        if (fd < 0)
                return fd;
        if (fstatat(fd, ifname, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        return S_ISREG(st.st_mode);
}

void deferred_takeover_forget(const char *runtime_dir, const char *ifname) {
        _cleanup_close_ int fd = -1;

        if (!ifname_is_valid(ifname))
                return;
        fd = deferred_dir_open(runtime_dir, false);
        if (fd >= 0)
                (void) unlinkat(fd, ifname, 0);
}

int deferred_takeover_interfaces(const char *runtime_dir, char ***ret) {
        _cleanup_strv_free_ char **found = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd, r;

        found = calloc(1, sizeof(char *));
        if (!found)
                return -ENOMEM;
        fd = deferred_dir_open(runtime_dir, false);
        if (fd < 0 && fd != -ENOENT)
                return fd;
        if (fd >= 0) {
                d = fdopendir(fd);
                if (!d) {
                        r = negative_errno();
                        close(fd);
                        return r;
                }
                while ((errno = 0, de = readdir(d))) {
                        if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
                                continue;
                        if (!ifname_is_valid(de->d_name) || de->d_name[0] == '.')
                                continue;
                        r = strv_extend(&found, de->d_name);
                        if (r < 0)
                                return r;
                }
                if (errno != 0)
                        return negative_errno();
        }
        strv_sort(found);
        *ret = TAKE_PTR(found);
        return 0;
}
