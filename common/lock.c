/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"
#include "time-util.h"
#include "validate.h"

/* The file we locked is still the one at path (not removed by a previous holder). */
static bool lock_is_current(int fd, const char *path) {
        struct stat a, b;

        return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Drains the queued inotify events: they only say "look again". */
static void inotify_drain(int fd) {
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

        while (read(fd, buf, sizeof buf) > 0)
                ;
}

/* The kernel reports a descriptor's close (IN_CLOSE_*) before it drops the flock() held
 * through it, so a waiter woken by a killed holder's close can find the lock still held.
 * After every wake-up whose try failed, one more try this much later covers that; a holder
 * that releases unlocks before it closes (file_lock_release) and needs none. */
#define LOCK_RECHECK_USEC (20 * USEC_PER_MSEC)

/* Waits for an inotify event, or for the grace after the last one. 1: an event, 0: the
 * grace passed (look again), -ETIMEDOUT: the deadline passed. */
static int inotify_wait(int fd, uint64_t deadline_usec, uint64_t *recheck_usec) {
        uint64_t until = *recheck_usec && *recheck_usec < deadline_usec ? *recheck_usec : deadline_usec;
        int r;

        r = fd_wait_readable(fd, until);
        if (r < 0)
                return r;
        if (r == 0) {
                if (until >= deadline_usec)
                        return -ETIMEDOUT;
                *recheck_usec = 0;   /* one look after the grace, then events only */
                return 0;
        }
        inotify_drain(fd);
        *recheck_usec = usec_add(now_usec(), LOCK_RECHECK_USEC);
        return 1;
}


int file_lock_acquire(const char *path, uint64_t deadline_usec, FileLock *ret) {
        _cleanup_close_ int inotify_fd = -1;
        uint64_t recheck = 0;

        for (;;) {
                _cleanup_close_ int fd = -1;

                fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
                if (fd < 0)
                        return negative_errno();

                /* flock() cannot time out by itself. Instead of polling, the kernel wakes us:
                 * a holder closes its descriptor when it releases (it also unlinks the file)
                 * or dies, and inotify reports both. The watch is set up before the second
                 * try, so a release between the two tries is not missed. */
                for (bool watching = false;;) {
                        int r;

                        if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
                                if (!lock_is_current(fd, path))
                                        break;   /* the holder removed it: lock the new one */
                                ret->path = strdup(path);
                                if (!ret->path)
                                        return -ENOMEM;
                                ret->fd = TAKE_FD(fd);
                                return 0;
                        }
                        if (errno != EWOULDBLOCK)
                                return negative_errno();
                        if (!watching) {
                                if (inotify_fd < 0) {
                                        inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
                                        if (inotify_fd < 0)
                                                return negative_errno();
                                }
                                /* IN_CLOSE_NOWRITE too: interface_locks_count_held() probes
                                 * with a read-only descriptor. */
                                if (inotify_add_watch(inotify_fd, path, IN_CLOSE | IN_ATTRIB | IN_DELETE_SELF |
                                                      IN_MOVE_SELF | IN_DONT_FOLLOW) < 0) {
                                        if (errno == ENOENT)
                                                break;   /* released and removed meanwhile */
                                        return negative_errno();
                                }
                                watching = true;
                                continue;
                        }
                        r = inotify_wait(inotify_fd, deadline_usec, &recheck);
                        if (r < 0)
                                return r;
                }
        }
}

void file_lock_release(FileLock *l) {
        if (!l || l->fd < 0)
                return;
        /* Unlink while still holding the lock, so that a waiter sees it is stale; unlock
         * before the close, whose inotify event wakes the waiters, so that they find it free. */
        if (l->path)
                (void) unlink(l->path);
        (void) flock(l->fd, LOCK_UN);
        close(l->fd);
        free(l->path);
        *l = FILE_LOCK_NULL;
}

typedef enum LockFileState { LOCK_FILE_HELD, LOCK_FILE_STALE, LOCK_FILE_GONE } LockFileState;

/* Probes one lock file. A shared, non-blocking try on a read-only descriptor: it never
 * blocks anyone for longer than the try, and its close is not an event that
 * interface_locks_wait_released() waits for. */
static LockFileState lock_file_state(int dir_fd, const char *name) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);

        if (fd < 0)
                return LOCK_FILE_GONE;   /* released meanwhile */
        return flock(fd, LOCK_SH | LOCK_NB) < 0 ? LOCK_FILE_HELD : LOCK_FILE_STALE;
}

static bool is_lock_file_name(const char *name) {
        size_t len = strlen(name);

        return len >= 6 && streq(name + len - 5, ".lock");
}

/* RUNTIME_DIR/lock; *ret NULL (and 0) when there is none: no lock was ever taken. */
static int lock_dir_open(const char *runtime_dir, DIR **ret) {
        char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/lock", runtime_dir);
        *ret = opendir(path);
        return *ret || errno == ENOENT ? 0 : negative_errno();
}

int interface_locks_count_held(const char *runtime_dir) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int n = 0, r;

        r = lock_dir_open(runtime_dir, &d);
        if (r < 0 || !d)
                return r;
        while ((de = readdir(d)))
                if (is_lock_file_name(de->d_name) && lock_file_state(dirfd(d), de->d_name) == LOCK_FILE_HELD)
                        n++;
        return n;
}

int interface_locks_remove_stale(const char *runtime_dir) {
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int n = 0, r;

        r = lock_dir_open(runtime_dir, &d);
        if (r < 0 || !d)
                return r;
        while ((de = readdir(d))) {
                _cleanup_close_ int fd = -1;

                if (!is_lock_file_name(de->d_name))
                        continue;
                fd = openat(dirfd(d), de->d_name, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
                if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
                        continue;
                /* Nobody holds it: its holder died. Removing it while we hold it is what a
                 * holder does on release, so a waiter on it notices and starts over. */
                if (unlinkat(dirfd(d), de->d_name, 0) == 0)
                        n++;
        }
        return n;
}

int interface_locks_wait_released(const char *runtime_dir, uint64_t deadline_usec) {
        _cleanup_close_ int inotify_fd = -1;
        uint64_t recheck = 0;
        char path[PATH_MAX];
        int r;

        snprintf(path, sizeof path, "%s/lock", runtime_dir);
        inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (inotify_fd < 0)
                return negative_errno();
        /* A holder unlinks its file on release; a killed holder's descriptor is closed. The
         * watch comes first, so a release between the count and the wait is not missed. */
        if (inotify_add_watch(inotify_fd, path, IN_DELETE | IN_CLOSE_WRITE | IN_ONLYDIR) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        for (;;) {
                r = interface_locks_count_held(runtime_dir);
                if (r <= 0)
                        return r;
                r = inotify_wait(inotify_fd, deadline_usec, &recheck);
                if (r < 0)
                        return r;
        }
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
