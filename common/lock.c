/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "lock.h"
#include "log.h"
#include "time-util.h"
#include "validate.h"

#define LOCK_POLL_MIN_USEC (2 * USEC_PER_MSEC)
#define LOCK_POLL_MAX_USEC (50 * USEC_PER_MSEC)

static void sleep_usec(uint64_t usec) {
        struct timespec ts = { .tv_sec = (time_t) (usec / USEC_PER_SEC),
                               .tv_nsec = (long) (usec % USEC_PER_SEC) * 1000 };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* The file we locked is still the one at path (not removed by a previous holder). */
static bool lock_is_current(int fd, const char *path) {
        struct stat a, b;

        return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int file_lock_acquire(const char *path, uint64_t deadline_usec, FileLock *ret) {
        uint64_t poll = LOCK_POLL_MIN_USEC;

        for (;;) {
                _cleanup_close_ int fd = -1;
                uint64_t now;

                fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
                if (fd < 0)
                        return negative_errno();

                /* flock() cannot time out by itself; a short back-off poll keeps every wait
                 * bounded without signals. Contention is rare and brief. */
                if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
                        if (lock_is_current(fd, path)) {
                                ret->path = strdup(path);
                                if (!ret->path)
                                        return -ENOMEM;
                                ret->fd = TAKE_FD(fd);
                                return 0;
                        }
                        continue;   /* the holder removed it while we waited: lock the new one */
                }
                if (errno != EWOULDBLOCK)
                        return negative_errno();

                now = now_usec();
                if (now >= deadline_usec)
                        return -ETIMEDOUT;
                sleep_usec(poll < deadline_usec - now ? poll : deadline_usec - now);
                if (poll < LOCK_POLL_MAX_USEC)
                        poll *= 2;
        }
}

void file_lock_release(FileLock *l) {
        if (!l || l->fd < 0)
                return;
        /* Unlink while still holding the lock, so that a waiter sees it is stale. */
        if (l->path)
                (void) unlink(l->path);
        close(l->fd);
        free(l->path);
        *l = FILE_LOCK_NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

int interface_locks_held(const char *runtime_dir) {
        _cleanup_(closedirp) DIR *d = NULL;
        char path[PATH_MAX];
        struct dirent *de;
        int n = 0;

        snprintf(path, sizeof path, "%s/lock", runtime_dir);
        d = opendir(path);
        if (!d)
                return errno == ENOENT ? 0 : negative_errno();
        while ((de = readdir(d))) {
                _cleanup_close_ int fd = -1;
                size_t len = strlen(de->d_name);

                if (len < 6 || !streq(de->d_name + len - 5, ".lock"))
                        continue;
                fd = openat(dirfd(d), de->d_name, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
                if (fd < 0)
                        continue;   /* released meanwhile */
                if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                        n++;
                        continue;
                }
                /* Nobody holds it: its holder died. Removing it while we hold it is what a
                 * holder does on release, so a waiter on it notices and starts over. */
                (void) unlinkat(dirfd(d), de->d_name, 0);
        }
        return n;
}

int interface_lock_acquire(const char *runtime_dir, const char *ifname, uint64_t deadline_usec,
                           FileLock *ret) {
        char path[PATH_MAX];

        if (!ifname_is_valid(ifname))
                return -EINVAL;
        snprintf(path, sizeof path, "%s/lock", runtime_dir);
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return negative_errno();
        if (snprintf(path, sizeof path, "%s/lock/%s.lock", runtime_dir, ifname) >= (int) sizeof path)
                return -ENAMETOOLONG;
        return file_lock_acquire(path, deadline_usec, ret);
}
