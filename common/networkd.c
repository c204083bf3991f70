/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "bus-call.h"
#include "file-save.h"
#include "lock.h"
#include "networkd-describe.h"
#include "log.h"
#include "networkd.h"
#include "time-util.h"

#define RELOAD_STATE "reload-state"
#define RELOAD_LOCK "reload.lock"
#define RELOAD_GATHER_USEC (500 * USEC_PER_MSEC)

typedef struct ReloadState {
        uint64_t requested;   /* tickets issued */
        uint64_t done;        /* every ticket <= done is covered by a completed reload */
} ReloadState;

int networkd_reload(uint64_t deadline_usec) {
        _cleanup_(bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        uint64_t now = now_usec();
        int r;

        if (now >= deadline_usec)
                return -ETIMEDOUT;
        r = bus_call_method(deadline_usec - now, "org.freedesktop.network1", "/org/freedesktop/network1",
                            "org.freedesktop.network1.Manager", "Reload", &error, NULL, NULL);
        if (r < 0)
                return log_debug_errno(r, "Failed to reload systemd-networkd: %s",
                                       error.message ?: strerror(-r));
        return 0;
}

/* The state file is small and only touched under its own flock. */
static int state_read(int fd, ReloadState *ret) {
        char buf[64] = {};
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

        *ret = (ReloadState) {};
        if (n < 0)
                return negative_errno();
        if (n > 0 && sscanf(buf, "%" SCNu64 " %" SCNu64, &ret->requested, &ret->done) != 2)
                *ret = (ReloadState) {};   /* garbage: start over, at worst one extra reload */
        return 0;
}

static int state_write(int fd, const ReloadState *s) {
        char buf[64];
        int n = snprintf(buf, sizeof buf, "%" PRIu64 " %" PRIu64 "\n", s->requested, s->done);

        if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t) n, 0) != n)
                return negative_errno();
        return 0;
}

/* Opens the state file (creating it when asked), locks it (held only for a read-modify-write
 * of a few bytes) and reads it. */
static int state_lock_and_read(const char *runtime_dir, bool create, int *ret_fd, ReloadState *ret) {
        char path[PATH_MAX];
        _cleanup_close_ int fd = -1;
        int r;

        snprintf(path, sizeof path, "%s/" RELOAD_STATE, runtime_dir);
        fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0600);
        if (fd < 0)
                return negative_errno();
        if (flock(fd, LOCK_EX) < 0)
                return negative_errno();
        r = state_read(fd, ret);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int take_ticket(const char *runtime_dir, uint64_t *ret) {
        _cleanup_close_ int fd = -1;
        ReloadState s = {};
        int r;

        r = state_lock_and_read(runtime_dir, true, &fd, &s);
        if (r < 0)
                return r;
        s.requested++;
        r = state_write(fd, &s);
        if (r < 0)
                return r;
        *ret = s.requested;
        return 0;
}

int networkd_reload_intent(const char *runtime_dir) {
        uint64_t ticket;
        int r;

        r = take_ticket(runtime_dir, &ticket);
        if (r < 0)
                return log_debug_errno(r, "Failed to record a pending networkd reload: %m");
        log_debug("Recorded pending networkd reload %" PRIu64 ".", ticket);
        return 0;
}

/* Makes sure a reload started after ticket was issued has completed: waits for the reload
 * lock, returns at once when another process covered the ticket meanwhile, else reloads
 * for every ticket issued so far. */
static int reload_for_ticket(const char *runtime_dir, uint64_t ticket, bool gather,
                             uint64_t deadline_usec, bool *ret_reloaded) {
        _cleanup_(file_lock_release) FileLock reload_lock = FILE_LOCK_NULL;
        char path[PATH_MAX];
        ReloadState s = {};
        uint64_t target;
        int r;

        snprintf(path, sizeof path, "%s/" RELOAD_LOCK, runtime_dir);
        r = file_lock_acquire(path, deadline_usec, &reload_lock);
        if (r < 0)
                return r;

        /* Interfaces set up at the same time (boot, a burst of hotplug) finish within a few
         * hundred milliseconds of each other: let those in progress finish writing, briefly,
         * so that one reload covers them all. */
        if (gather) {
                uint64_t quiet_deadline = usec_add(now_usec(), RELOAD_GATHER_USEC);

                (void) interface_locks_wait_released(runtime_dir, quiet_deadline < deadline_usec ?
                                                                          quiet_deadline : deadline_usec);
        }
        {
                _cleanup_close_ int fd = -1;

                r = state_lock_and_read(runtime_dir, true, &fd, &s);
                if (r < 0)
                        return r;
                if (s.done >= ticket) {
                        log_debug("networkd reload for ticket %" PRIu64 " already done by another process.", ticket);
                        return 0;
                }
                target = s.requested;   /* everything written so far will be seen */
        }

        r = networkd_reload(deadline_usec);
        if (r < 0)
                return r;
        {
                _cleanup_close_ int fd = -1;

                r = state_lock_and_read(runtime_dir, true, &fd, &s);
                if (r < 0)
                        return r;
                if (s.done < target)
                        s.done = target;
                r = state_write(fd, &s);
                if (r < 0)
                        return r;
        }
        if (ret_reloaded)
                *ret_reloaded = true;
        return 0;
}

int networkd_reload_coalesced(const char *runtime_dir, uint64_t deadline_usec, bool *ret_reloaded) {
        uint64_t ticket;
        int r;

        if (ret_reloaded)
                *ret_reloaded = false;
        /* A ticket taken after our files were written: a reload that covers it started
         * after the writes, so networkd sees them. */
        r = take_ticket(runtime_dir, &ticket);
        if (r < 0)
                return r;
        return reload_for_ticket(runtime_dir, ticket, true, deadline_usec, ret_reloaded);
}

int networkd_reload_pending(const char *runtime_dir, uint64_t deadline_usec, bool *ret_reloaded) {
        ReloadState s = {};
        int r;

        if (ret_reloaded)
                *ret_reloaded = false;
        {
                _cleanup_close_ int fd = -1;

                r = state_lock_and_read(runtime_dir, false, &fd, &s);
                if (r == -ENOENT)
                        return 0;
                if (r < 0)
                        return r;
        }
        if (s.done >= s.requested)
                return 0;
        /* A setup in progress owns its tickets and reloads for them itself; a killed one's
         * lock file is left over and must not count as in progress. */
        (void) interface_locks_remove_stale(runtime_dir);
        if (interface_locks_count_held(runtime_dir) > 0)
                return 0;
        log_debug("networkd reloads %" PRIu64 "..%" PRIu64 " were left pending by a process that "
                  "did not finish, reloading.", s.done + 1, s.requested);
        return reload_for_ticket(runtime_dir, s.requested, false, deadline_usec, ret_reloaded);
}

int networkd_reloads_pending(const char *runtime_dir, uint64_t *ret) {
        char path[PATH_MAX];
        _cleanup_close_ int fd = -1;
        ReloadState s = {};
        int r;

        snprintf(path, sizeof path, "%s/" RELOAD_STATE, runtime_dir);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT) {
                *ret = 0;
                return 0;
        }
        if (fd < 0)
                return negative_errno();
        if (flock(fd, LOCK_SH) < 0)
                return negative_errno();
        r = state_read(fd, &s);
        if (r < 0)
                return r;
        *ret = s.requested > s.done ? s.requested - s.done : 0;
        return 0;
}

int networkd_link_network_file(int ifindex, uint64_t deadline_usec, char **ret) {
        _cleanup_(networkd_link_view_done) NetworkdLinkView view = {};
        _cleanup_(bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(bus_message_unrefp) sd_bus_message *reply = NULL;
        uint64_t now = now_usec();
        const char *json;
        int r;

        if (now >= deadline_usec)
                return -ETIMEDOUT;
        r = bus_call_method(deadline_usec - now, "org.freedesktop.network1", "/org/freedesktop/network1",
                            "org.freedesktop.network1.Manager", "DescribeLink", &error, &reply,
                            "i", (int32_t) ifindex);
        if (r < 0) {
                if (bus_error_has_name(&error, "org.freedesktop.network1.NoSuchLink"))
                        return -ENOENT;
                return log_debug_errno(r, "Failed to ask systemd-networkd about link %d: %s", ifindex,
                                       error.message ?: strerror(-r));
        }
        r = bus_message_read_string(reply, &json);
        if (r < 0)
                return r;
        r = networkd_link_view_from_json(json, &view);
        if (r < 0)
                return r;
        if (!view.network_file)
                return -ENOENT;   /* unmanaged, or not matched yet */
        *ret = TAKE_PTR(view.network_file);
        return 0;
}
