/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Coalesced networkd reloads (SPEC §4): many processes that changed files at once cause one
 * or two Reload() calls, and none is left without a reload that started after its change.
 * A private dbus-daemon carries the calls to a stand-in for networkd's Manager object that
 * counts them (the real networkd is exercised by the e2e tier).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>

#include "lock.h"
#include "macro.h"
#include "networkd.h"
#include "time-util.h"
#include "tree-util.h"

/* Long enough that all children take their ticket during the first reload, even under
 * valgrind: the property tested is that a burst costs one or two reloads. */
#define RELOAD_WORK_USEC (300 * USEC_PER_MSEC)

static char *tmp;
static pid_t bus_pid = -1;
static pthread_t service_thread;
static atomic_bool service_stop;
static atomic_int reloads;

static int method_reload(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        /* Like networkd: the files are read before the reply is sent. */
        usleep(RELOAD_WORK_USEC);
        atomic_fetch_add(&reloads, 1);
        return sd_bus_reply_method_return(m, NULL);
}

/* Like networkd: link 7 is configured by a netplan file, link 8 is unmanaged, others are
 * unknown. */
static int method_describe_link(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int32_t ifindex;
        int r;

        r = sd_bus_message_read(m, "i", &ifindex);
        if (r < 0)
                return r;
        if (ifindex == 7)
                return sd_bus_reply_method_return(m, "s", "{\"Index\":7,\"Name\":\"ens6\","
                                                  "\"NetworkFile\":\"/run/systemd/network/10-netplan-ens6.network\"}");
        if (ifindex == 8)
                return sd_bus_reply_method_return(m, "s", "{\"Index\":8,\"Name\":\"ens7\","
                                                  "\"AdministrativeState\":\"unmanaged\"}");
        return sd_bus_error_setf(error, "org.freedesktop.network1.NoSuchLink", "Link %d not known", (int) ifindex);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Reload", "", "", method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("DescribeLink", "i", "s", method_describe_link, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

static void *service_main(void *arg) {
        sd_bus *bus = NULL;
        sd_bus_slot *slot = NULL;
        int *ready = arg;

        if (sd_bus_open_system(&bus) < 0 ||
            sd_bus_add_object_vtable(bus, &slot, "/org/freedesktop/network1",
                                     "org.freedesktop.network1.Manager", manager_vtable, NULL) < 0 ||
            sd_bus_request_name(bus, "org.freedesktop.network1", 0) < 0) {
                *ready = -1;
                return NULL;
        }
        *ready = 1;
        while (!service_stop) {
                int r = sd_bus_process(bus, NULL);

                if (r < 0)
                        break;
                if (r == 0)
                        (void) sd_bus_wait(bus, 100 * 1000);
        }
        sd_bus_slot_unref(slot);
        sd_bus_flush_close_unref(bus);
        return NULL;
}

static int setup_bus(void **state) {
        char conf[PATH_MAX], sock[PATH_MAX], addr[PATH_MAX + 16];
        static int ready;

        tmp = make_temp_dir();
        snprintf(conf, sizeof conf, "%s/bus.conf", tmp);
        snprintf(sock, sizeof sock, "%s/bus.sock", tmp);
        snprintf(addr, sizeof addr, "unix:path=%s", sock);
        {
                char xml[2 * PATH_MAX];

                snprintf(xml, sizeof xml,
                         "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                         " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                         "<busconfig><type>system</type><listen>%s</listen><auth>EXTERNAL</auth>"
                         "<policy context=\"default\"><allow send_destination=\"*\"/><allow own=\"*\"/>"
                         "<allow receive_sender=\"*\"/></policy></busconfig>\n", addr);
                assert_int_equal(write_whole_file(conf, xml), 0);
        }

        bus_pid = fork();
        assert_true(bus_pid >= 0);
        if (bus_pid == 0) {
                execlp("dbus-daemon", "dbus-daemon", "--nofork", "--nopidfile", "--config-file", conf,
                       (char *) NULL);
                _exit(127);
        }
        for (int i = 0; i < 500 && access(sock, F_OK) < 0; i++)
                usleep(10 * 1000);
        assert_int_equal(access(sock, F_OK), 0);
        setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, 1);

        assert_int_equal(pthread_create(&service_thread, NULL, service_main, &ready), 0);
        for (int i = 0; i < 500 && ready == 0; i++)
                usleep(10 * 1000);
        assert_int_equal(ready, 1);
        return 0;
}

static int teardown_bus(void **state) {
        service_stop = true;
        pthread_join(service_thread, NULL);
        if (bus_pid > 0) {
                kill(bus_pid, SIGTERM);
                waitpid(bus_pid, NULL, 0);
        }
        rm_rf(tmp);
        free(tmp);
        return 0;
}

static void read_state_in(const char *run, uint64_t *requested, uint64_t *done) {
        char path[PATH_MAX];
        _cleanup_free_ char *s = NULL;

        snprintf(path, sizeof path, "%s/reload-state", run);
        s = read_whole_file(path);
        assert_non_null(s);
        assert_int_equal(sscanf(s, "%" SCNu64 " %" SCNu64, requested, done), 2);
}

static void test_sequential_changes_each_reload(void **state) {
        char run[PATH_MAX];
        uint64_t req, done;

        snprintf(run, sizeof run, "%s/run", tmp);
        mkdir(run, 0755);
        atomic_store(&reloads, 0);
        for (int i = 0; i < 3; i++) {
                bool reloaded = false;

                assert_int_equal(networkd_reload_coalesced(run, usec_add(now_usec(), 10 * USEC_PER_SEC),
                                                           &reloaded), 0);
                assert_true(reloaded);
        }
        assert_int_equal(atomic_load(&reloads), 3);
        read_state_in(run, &req, &done);
        assert_true(req == done);
}

static void test_concurrent_changes_coalesce(void **state) {
        enum { N = 16 };
        char run[PATH_MAX];
        pid_t pids[N];
        int go[2], results[2], before, ok = 0;
        uint64_t req, done;

        snprintf(run, sizeof run, "%s/run", tmp);
        mkdir(run, 0755);
        before = atomic_load(&reloads);
        assert_int_equal(pipe(go), 0);
        assert_int_equal(pipe(results), 0);
        for (int i = 0; i < N; i++) {
                pids[i] = fork();
                assert_true(pids[i] >= 0);
                if (pids[i] == 0) {
                        char c;

                        close(go[1]);
                        (void) !read(go[0], &c, 1);   /* start together */
                        /* The result goes through a pipe, not the exit status: under
                         * valgrind a forked child's exit status reports the parent's leaks. */
                        c = networkd_reload_coalesced(run, usec_add(now_usec(), 20 * USEC_PER_SEC), NULL) >= 0;
                        (void) !write(results[1], &c, 1);
                        _exit(0);
                }
        }
        close(go[0]);
        close(go[1]);   /* EOF releases every child at once */
        close(results[1]);
        for (int i = 0; i < N; i++)
                assert_int_equal(waitpid(pids[i], NULL, 0), pids[i]);
        for (char c; read(results[0], &c, 1) == 1;)
                ok += c;
        close(results[0]);
        assert_int_equal(ok, N);

        /* Each child's change is covered: every ticket is done. */
        read_state_in(run, &req, &done);
        assert_true(req == done);
        fprintf(stderr, "%d concurrent changes caused %d reloads\n", N, atomic_load(&reloads) - before);
        assert_true(atomic_load(&reloads) - before >= 1);
        assert_true(atomic_load(&reloads) - before <= 2);
}

static void test_link_network_file_over_the_bus(void **state) {
        _cleanup_free_ char *file = NULL;
        char *none = NULL;
        uint64_t deadline = usec_add(now_usec(), 5 * USEC_PER_SEC);

        assert_int_equal(networkd_link_network_file(7, deadline, &file), 0);
        assert_string_equal(file, "/run/systemd/network/10-netplan-ens6.network");
        assert_int_equal(networkd_link_network_file(8, deadline, &none), -ENOENT);
        assert_int_equal(networkd_link_network_file(9, deadline, &none), -ENOENT);
        assert_null(none);
        (void) state;
}

static void test_reload_failure_is_reported(void **state) {
        char run[PATH_MAX];
        const char *saved = getenv("DBUS_SYSTEM_BUS_ADDRESS");
        _cleanup_free_ char *copy = strdup(saved);
        uint64_t req, done;

        snprintf(run, sizeof run, "%s/run", tmp);
        mkdir(run, 0755);
        setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus", 1);
        assert_true(networkd_reload_coalesced(run, usec_add(now_usec(), 2 * USEC_PER_SEC), NULL) < 0);
        setenv("DBUS_SYSTEM_BUS_ADDRESS", copy, 1);
        /* The failed ticket stays pending, so the next process reloads for it. */
        read_state_in(run, &req, &done);
        assert_true(req > done);
        assert_int_equal(networkd_reload_coalesced(run, usec_add(now_usec(), 10 * USEC_PER_SEC), NULL), 0);
        read_state_in(run, &req, &done);
        assert_true(req == done);
}

/* A writer killed between recording its intent (before its first file) and its reload:
 * the next run that changes nothing still reloads, once. */
static void test_pending_reload_of_killed_writer(void **state) {
        char run[PATH_MAX], path[PATH_MAX];
        int before, status;
        uint64_t req, done;
        bool reloaded = true;
        pid_t pid;

        snprintf(run, sizeof run, "%s/run-pending", tmp);
        mkdir(run, 0755);
        /* Nothing recorded yet: nothing to do, and no state file is created for it. */
        assert_int_equal(networkd_reload_pending(run, usec_add(now_usec(), 5 * USEC_PER_SEC), &reloaded), 0);
        assert_false(reloaded);
        snprintf(path, sizeof path, "%s/reload-state", run);
        assert_int_equal(access(path, F_OK), -1);

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (networkd_reload_intent(run) >= 0)
                        raise(SIGKILL);
                _exit(1);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

        before = atomic_load(&reloads);
        assert_int_equal(networkd_reload_pending(run, usec_add(now_usec(), 10 * USEC_PER_SEC), &reloaded), 0);
        assert_true(reloaded);
        assert_int_equal(atomic_load(&reloads) - before, 1);
        read_state_in(run, &req, &done);
        assert_true(req == done);
        assert_int_equal(networkd_reload_pending(run, usec_add(now_usec(), 10 * USEC_PER_SEC), &reloaded), 0);
        assert_false(reloaded);
        assert_int_equal(atomic_load(&reloads) - before, 1);
}

/* While a setup holds its interface lock its tickets are its own: it will reload after
 * writing, and a reload now would come too early and cost one more. */
static void test_pending_leaves_live_setup_alone(void **state) {
        _cleanup_(file_lock_release) FileLock lock = FILE_LOCK_NULL;
        char run[PATH_MAX];
        uint64_t req, done;
        bool reloaded = true;
        int before = atomic_load(&reloads);

        snprintf(run, sizeof run, "%s/run-live", tmp);
        mkdir(run, 0755);
        assert_int_equal(interface_lock_acquire(run, "eth1", usec_add(now_usec(), USEC_PER_SEC), &lock), 0);
        assert_int_equal(networkd_reload_intent(run), 0);
        assert_int_equal(networkd_reload_pending(run, usec_add(now_usec(), 5 * USEC_PER_SEC), &reloaded), 0);
        assert_false(reloaded);
        read_state_in(run, &req, &done);
        assert_true(req > done);
        assert_int_equal(atomic_load(&reloads), before);

        /* The writer finishes: its own reload covers the intent as well. */
        file_lock_release(&lock);
        assert_int_equal(networkd_reload_coalesced(run, usec_add(now_usec(), 10 * USEC_PER_SEC), &reloaded), 0);
        assert_true(reloaded);
        assert_int_equal(atomic_load(&reloads) - before, 1);
        assert_int_equal(networkd_reload_pending(run, usec_add(now_usec(), 5 * USEC_PER_SEC), &reloaded), 0);
        assert_false(reloaded);
        assert_int_equal(atomic_load(&reloads) - before, 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sequential_changes_each_reload),
                cmocka_unit_test(test_concurrent_changes_coalesce),
                cmocka_unit_test(test_link_network_file_over_the_bus),
                cmocka_unit_test(test_reload_failure_is_reported),
                cmocka_unit_test(test_pending_reload_of_killed_writer),
                cmocka_unit_test(test_pending_leaves_live_setup_alone),
        };
        if (access("/usr/bin/dbus-daemon", X_OK) < 0) {
                fprintf(stderr, "dbus-daemon not installed, skipping\n");
                return 77;
        }
        return cmocka_run_group_tests(tests, setup_bus, teardown_bus);
}
