/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file-read.h"
#include "file-save.h"
#include "log.h"
#include "macro.h"

static bool bytes_match(int dir_fd, const char *name, const char *content, size_t len) {
        _cleanup_free_ char *old = NULL;
        size_t old_len = 0;

        if (read_file_at(dir_fd, name, FILE_SAVE_MAX_SIZE, &old, &old_len) < 0)
                return false;
        return old && old_len == len && memcmp(old, content, len) == 0;
}

int file_save_is_current(int dir_fd, const char *name, const char *content) {
        struct stat st;

        if (!content || !*content)
                return fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
        return bytes_match(dir_fd, name, content, strlen(content)) &&
               fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & 07777) == 0644;
}

static int content_matches(int dir_fd, const char *name, const char *content, size_t len, mode_t mode) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *old = NULL;
        size_t old_len = 0;
        struct stat st;

        if (file_open_regular_at(dir_fd, name, &fd) < 0 || file_read_fd(fd, FILE_SAVE_MAX_SIZE, &old, &old_len) < 0)
                return 0;
        if (!old || old_len != len || memcmp(old, content, len) != 0)
                return 0;
        /* Same bytes: only make sure the mode is right, without touching the content. On the
         * file we read, not by name: a symlink put there meanwhile is never followed. */
        if (fstat(fd, &st) == 0 && (st.st_mode & 07777) != mode)
                (void) fchmod(fd, mode);
        return 1;
}

static int write_all(int fd, const char *p, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, p, len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

static int remove_file(int dir_fd, const char *name) {
        if (unlinkat(dir_fd, name, 0) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        return 1;
}

int file_save_open_subdir(const char *parent, const char *name, bool create) {
        _cleanup_close_ int fd = -1;
        int dir_fd;

        fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        if (create && mkdirat(fd, name, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        dir_fd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        return dir_fd < 0 ? negative_errno() : dir_fd;
}

int file_save_atomic(int dir_fd, const char *name, const char *content) {
        return file_save_atomic_mode(dir_fd, name, content, 0644);
}

int file_save_atomic_mode(int dir_fd, const char *name, const char *content, mode_t mode) {
        char tmp[NAME_MAX + 1];
        _cleanup_close_ int fd = -1;
        uint64_t rnd;
        size_t len;
        int r;

        if (!name || !*name || strchr(name, '/') || strlen(name) > NAME_MAX - 20)
                return -EINVAL;
        if (!content || !*content)
                return remove_file(dir_fd, name);

        len = strlen(content);
        if (len > FILE_SAVE_MAX_SIZE)
                return -EFBIG;
        if (content_matches(dir_fd, name, content, len, mode))
                return 0;

        if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != sizeof rnd)
                rnd = (uint64_t) getpid() << 32 ^ (uint64_t) (uintptr_t) &rnd;
        snprintf(tmp, sizeof tmp, FILE_SAVE_TEMP_PREFIX "%s.%0*llx", name, FILE_SAVE_TEMP_SUFFIX_LEN,
                 (unsigned long long) rnd);

        fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return negative_errno();
        r = write_all(fd, content, len);
        if (r >= 0 && fchmod(fd, mode) < 0)   /* the umask must not decide the mode */
                r = negative_errno();
        if (r >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                r = negative_errno();
        if (r < 0) {
                (void) unlinkat(dir_fd, tmp, 0);
                return log_debug_errno(r, "Failed to write %s: %m", name);
        }
        return 1;
}

bool file_save_is_temp_of(const char *name, const char *target) {
        size_t p = strlen(FILE_SAVE_TEMP_PREFIX), t = strlen(target);

        /* Exactly what file_save_atomic_mode() creates: PREFIX TARGET "." 16 hex digits. */
        if (strlen(name) != p + t + 1 + FILE_SAVE_TEMP_SUFFIX_LEN ||
            strncmp(name, FILE_SAVE_TEMP_PREFIX, p) != 0 || strncmp(name + p, target, t) != 0 ||
            name[p + t] != '.')
                return false;
        for (const char *h = name + p + t + 1; *h; h++)
                if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
                        return false;
        return true;
}

int file_save_remove_leftovers(int dir_fd, const char *const *targets) {
        _cleanup_close_ int fd = -1;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d)
                return negative_errno();
        TAKE_FD(fd);
        while ((de = readdir(d)))
                for (const char *const *t = targets; t && *t; t++)
                        if (file_save_is_temp_of(de->d_name, *t)) {
                                (void) unlinkat(dirfd(d), de->d_name, 0);
                                break;
                        }
        return 0;
}
