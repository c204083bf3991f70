/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Starts tests/fake-imds/fake_imds.py on 127.0.0.1 (loopback only: SPEC §9 safety) for one
 * test, and stops it by PID. Header-only for the test binaries. */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tree-util.h"

typedef struct FakeImds {
        char *dir;
        char scenario[PATH_MAX], faults[PATH_MAX], log[PATH_MAX], port_file[PATH_MAX];
        char endpoint[64];
        pid_t pid;
} FakeImds;

static inline void fake_imds_set_faults(FakeImds *f, const char *json) {
        char tmp[PATH_MAX + 8];

        /* Write then rename, so the server never reads half a file; the mtime changes. */
        snprintf(tmp, sizeof tmp, "%s.tmp", f->faults);
        if (write_whole_file(tmp, json) < 0 || rename(tmp, f->faults) < 0)
                abort();
        /* The server notices changes by mtime and size: make the next change visible. */
        usleep(20 * 1000);
}

static inline void fake_imds_set_scenario(FakeImds *f, const char *json) {
        char tmp[PATH_MAX + 8];

        snprintf(tmp, sizeof tmp, "%s.tmp", f->scenario);
        if (write_whole_file(tmp, json) < 0 || rename(tmp, f->scenario) < 0)
                abort();
        usleep(20 * 1000);
}

static inline int fake_imds_start(FakeImds *f, const char *scenario_json) {
        char script[PATH_MAX];

        *f = (FakeImds) { .pid = -1 };
        f->dir = make_temp_dir();
        if (!f->dir)
                return -1;
        snprintf(f->scenario, sizeof f->scenario, "%s/scenario.json", f->dir);
        snprintf(f->faults, sizeof f->faults, "%s/faults.json", f->dir);
        snprintf(f->log, sizeof f->log, "%s/requests.log", f->dir);
        snprintf(f->port_file, sizeof f->port_file, "%s/port", f->dir);
        snprintf(script, sizeof script, "%s/tests/fake-imds/fake_imds.py", SOURCE_DIR);
        if (write_whole_file(f->scenario, scenario_json) < 0 || write_whole_file(f->faults, "{}") < 0)
                return -1;

        f->pid = fork();
        if (f->pid < 0)
                return -1;
        if (f->pid == 0) {
                execlp("python3", "python3", script, "--listen", "127.0.0.1:0", "--scenario", f->scenario,
                       "--faults", f->faults, "--log", f->log, "--port-file", f->port_file, (char *) NULL);
                _exit(127);
        }
        for (int i = 0; i < 1000; i++) {
                _cleanup_free_ char *port = read_whole_file(f->port_file);

                if (port && atoi(port) > 0) {
                        snprintf(f->endpoint, sizeof f->endpoint, "http://127.0.0.1:%d", atoi(port));
                        return 0;
                }
                usleep(10 * 1000);
        }
        return -1;
}

static inline void fake_imds_stop(FakeImds *f) {
        if (f->pid > 0) {
                kill(f->pid, SIGTERM);
                waitpid(f->pid, NULL, 0);
        }
        if (f->dir) {
                rm_rf(f->dir);
                free(f->dir);
        }
        *f = (FakeImds) { .pid = -1 };
}

/* Requests in the log whose method and path contain the given strings. */
static inline int fake_imds_count(const FakeImds *f, const char *method, const char *path_part) {
        _cleanup_free_ char *log = read_whole_file(f->log);
        int n = 0;

        for (char *line = log ? strtok(log, "\n") : NULL; line; line = strtok(NULL, "\n")) {
                char m[32];

                snprintf(m, sizeof m, "\"method\": \"%s\"", method);
                if (strstr(line, m) && (!path_part || strstr(line, path_part)))
                        n++;
        }
        return n;
}
