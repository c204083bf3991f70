/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "error-codes.h"
#include "exit-status.h"
#include "file-read.h"
#include "file-save.h"
#include "macro.h"
#include "run-record.h"
#include "time-util.h"
#include "validate.h"

#define RUNS_DIR "runs"
#define RECORD_MAX (4 * 1024)

static int runs_dir_open(const char *runtime_dir, bool create) {
        char path[PATH_MAX];

        if (!runtime_dir)
                return -ENOENT;
        snprintf(path, sizeof path, "%s/" RUNS_DIR, runtime_dir);
        if (create && mkdir(path, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

static int record_name(const char *ifname, char *buf, size_t size) {
        if (!ifname_is_valid(ifname))
                return -EINVAL;
        return snprintf(buf, size, "%s.json", ifname) >= (int) size ? -ENAMETOOLONG : 0;
}

static bool action_is_valid(const char *a) {
        return streq(a, "start") || streq(a, "refresh") || streq(a, "seed");
}

void run_record_init(RunRecord *record, const char *action, int r, bool changed, unsigned imds_requests) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        *record = (RunRecord) {
                .time_usec = (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000,
                .error = r < 0 ? r : 0,
                .exit_status = exit_status_from_errno(r < 0 ? r : 0),
                .changed = changed,
                .imds_requests = imds_requests,
        };
        snprintf(record->action, sizeof record->action, "%s", action);
        if (r < 0)
                snprintf(record->error_text, sizeof record->error_text, "%s", error_to_string(r));
        if (r >= 0)
                record->last_success_usec = record->time_usec;
}

/* A writer killed between its temporary file and the rename leaves ".#IFACE.json.XXXX":
 * the next record of the same interface takes it away (only its own: records of other
 * interfaces may be being written at this very moment). */
static void remove_own_leftovers(int dir_fd, const char *name) {
        _cleanup_close_ int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char prefix[PATH_MAX + 8];
        struct dirent *de;
        DIR *d;

        snprintf(prefix, sizeof prefix, FILE_SAVE_TEMP_PREFIX "%s.", name);
        d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d)
                return;
        TAKE_FD(fd);
        while ((de = readdir(d)))
                if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
                        (void) unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
}

int run_record_save(const char *runtime_dir, const char *ifname, const RunRecord *record) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        json_auto_t *j = NULL;
        RunRecord previous;
        uint64_t last_success = record->last_success_usec;
        char name[PATH_MAX];
        int r;

        r = record_name(ifname, name, sizeof name);
        if (r < 0)
                return r;
        if (record->error < 0 && run_record_load(runtime_dir, ifname, &previous) >= 0)
                last_success = previous.last_success_usec;
        j = json_pack("{s:s, s:I, s:i, s:s, s:i, s:b, s:I, s:I}",
                      "action", record->action,
                      "time_usec", (json_int_t) record->time_usec,
                      "error", record->error,
                      "error_text", record->error_text,
                      "exit_status", record->exit_status,
                      "changed", record->changed,
                      "imds_requests", (json_int_t) record->imds_requests,
                      "last_success_usec", (json_int_t) last_success);
        text = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
        if (!text)
                return -ENOMEM;
        fd = runs_dir_open(runtime_dir, true);
        if (fd < 0)
                return negative_errno();
        remove_own_leftovers(fd, name);
        r = file_save_atomic(fd, name, text);
        return r < 0 ? r : 0;
}

int run_record_load(const char *runtime_dir, const char *ifname, RunRecord *ret) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        json_auto_t *j = NULL;
        const char *action = NULL, *error_text = NULL;
        json_int_t time_usec = 0, requests = 0, last_success = 0;
        int error = 0, exit_status = 0, changed = 0;
        RunRecord rec = {};
        char name[PATH_MAX];
        int r;

        r = record_name(ifname, name, sizeof name);
        if (r < 0)
                return r;
        fd = runs_dir_open(runtime_dir, false);
        if (fd < 0)
                return -ENOENT;
        r = read_file_at(fd, name, RECORD_MAX, &text, NULL);
        if (r < 0)
                return r;
        j = json_loads(text, 0, NULL);
        if (json_unpack(j, "{s:s, s:I, s:i, s:s, s:i, s:b, s:I, s:I}", "action", &action, "time_usec", &time_usec,
                        "error", &error, "error_text", &error_text, "exit_status", &exit_status, "changed",
                        &changed, "imds_requests", &requests, "last_success_usec", &last_success) < 0)
                return -EINVAL;
        /* Ours, but read back from disk: only what we could have written. */
        if (!action_is_valid(action) || time_usec < 0 || last_success < 0 || requests < 0 || requests > 100000 || error > 0 ||
            exit_status < 0 || exit_status > 255 || strlen(error_text) >= sizeof rec.error_text)
                return -EINVAL;
        snprintf(rec.action, sizeof rec.action, "%s", action);
        snprintf(rec.error_text, sizeof rec.error_text, "%s", error_text);
        rec.time_usec = (uint64_t) time_usec;
        rec.error = error;
        rec.exit_status = exit_status;
        rec.changed = changed;
        rec.imds_requests = (unsigned) requests;
        rec.last_success_usec = (uint64_t) last_success;
        *ret = rec;
        return 0;
}

void run_record_remove(const char *runtime_dir, const char *ifname) {
        _cleanup_close_ int fd = runs_dir_open(runtime_dir, false);
        char name[PATH_MAX];

        if (fd >= 0 && record_name(ifname, name, sizeof name) >= 0)
                (void) file_save_atomic(fd, name, NULL);
}
