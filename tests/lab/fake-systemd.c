/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The part of systemd's D-Bus API that ec2-net-hotplug calls, for the lab's instance, where
 * PID 1 is not systemd (the system tier boots a real systemd; this lets the e2e tier run
 * udev's RUN+= path with the real udevd): Manager.StartUnit("policy-routes@IFACE.service")
 * runs `SETUP IFACE start` as the unit would and replies at once, as systemd queues a job;
 * StopUnit and every other unit are recorded and answered. Units named with --masked are
 * refused with org.freedesktop.systemd1.UnitMasked, as systemd refuses a masked unit.
 *
 *   fake-systemd --setup PATH [--masked UNIT]... --log FILE
 *
 * One line per call on the log: "<monotonic seconds> Start|Stop UNIT [masked]".
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

static const char *arg_setup;
static char **arg_masked;
static size_t n_masked;
static FILE *log_file;
static unsigned job_id;

static double now_seconds(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int is_masked(const char *unit) {
        for (size_t i = 0; i < n_masked; i++)
                if (strcmp(arg_masked[i], unit) == 0)
                        return 1;
        return 0;
}

static void run_setup(const char *unit) {
        char ifname[64];
        const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');
        pid_t pid;

        if (strncmp(unit, "policy-routes@", 14) != 0 || !at || !dot || dot <= at + 1 ||
            (size_t) (dot - at - 1) >= sizeof ifname)
                return;
        memcpy(ifname, at + 1, (size_t) (dot - at - 1));
        ifname[dot - at - 1] = '\0';
        pid = fork();
        if (pid == 0) {
                execl(arg_setup, arg_setup, ifname, "start", (char *) NULL);
                _exit(127);
        }
}

static int method_unit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *unit, *mode, *member = sd_bus_message_get_member(m);
        char path[64];
        int r, start = strcmp(member, "StartUnit") == 0;

        (void) userdata;
        r = sd_bus_message_read(m, "ss", &unit, &mode);
        if (r < 0)
                return r;
        fprintf(log_file, "%.3f %s %s%s\n", now_seconds(), start ? "Start" : "Stop", unit,
                is_masked(unit) ? " masked" : "");
        fflush(log_file);
        if (start && is_masked(unit))
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.UnitMasked", "Unit %s is masked.", unit);
        if (start)
                run_setup(unit);
        snprintf(path, sizeof path, "/org/freedesktop/systemd1/job/%u", ++job_id);
        return sd_bus_reply_method_return(m, "o", path);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("StartUnit", "ss", "o", method_unit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("StopUnit", "ss", "o", method_unit, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

static void reap(int sig) {
        (void) sig;
        while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "setup", required_argument, NULL, 's' },
                { "masked", required_argument, NULL, 'm' },
                { "log", required_argument, NULL, 'l' },
                {}
        };
        sd_bus *bus = NULL;
        sd_bus_slot *slot = NULL;
        const char *log_path = NULL;
        int c, r;

        arg_masked = calloc((size_t) argc, sizeof *arg_masked);
        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 's': arg_setup = optarg; break;
                case 'm': arg_masked[n_masked++] = optarg; break;
                case 'l': log_path = optarg; break;
                default: return 2;
                }
        if (!arg_setup || !log_path || optind != argc) {
                fprintf(stderr, "usage: %s --setup PATH [--masked UNIT]... --log FILE\n", argv[0]);
                return 2;
        }
        log_file = fopen(log_path, "ae");
        if (!log_file)
                return 1;
        signal(SIGCHLD, reap);

        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, &slot, "/org/freedesktop/systemd1",
                                             "org.freedesktop.systemd1.Manager", manager_vtable, NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, "org.freedesktop.systemd1", 0);
        if (r < 0) {
                fprintf(stderr, "fake-systemd: %s\n", strerror(-r));
                return 1;
        }
        printf("ready\n");
        fflush(stdout);
        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return 1;
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return 1;
        }
}
