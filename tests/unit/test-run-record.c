/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The per-interface record of the last setup/refresh (run-record.h) and the saved state
 * (interface-state.h): round trip, the last success kept across a failed run, invalid
 * records refused, and removal of an interface taking both away.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <limits.h>

#include "error-codes.h"
#include "interface-state.h"
#include "run-record.h"
#include "tree-util.h"

static void test_round_trip(void **state) {
        const char *dir = *state;
        RunRecord rec, got;

        run_record_init(&rec, "refresh", 0, true, 4);
        assert_true(rec.time_usec > 1600000000ULL * USEC_PER_SEC);
        assert_int_equal(rec.last_success_usec, rec.time_usec);
        assert_int_equal(run_record_save(dir, "ens6", &rec), 0);
        assert_int_equal(run_record_load(dir, "ens6", &got), 0);
        assert_string_equal(got.action, "refresh");
        assert_int_equal(got.time_usec, rec.time_usec);
        assert_int_equal(got.error, 0);
        assert_string_equal(got.error_text, "");
        assert_int_equal(got.exit_status, 0);
        assert_true(got.changed);
        assert_int_equal(got.imds_requests, 4);
        assert_int_equal(run_record_load(dir, "ens7", &got), -ENOENT);
        assert_int_equal(run_record_load(dir, "../x", &got), -EINVAL);
}

static void test_failure_keeps_last_success(void **state) {
        const char *dir = *state;
        RunRecord ok, failed, got;

        run_record_init(&ok, "start", 0, true, 9);
        assert_int_equal(run_record_save(dir, "ens6", &ok), 0);
        usleep(2000);
        run_record_init(&failed, "refresh", -EIMDS_TIMEOUT, false, 3);
        assert_int_equal(failed.last_success_usec, 0);
        assert_int_equal(failed.exit_status, 3);
        assert_int_equal(run_record_save(dir, "ens6", &failed), 0);
        assert_int_equal(run_record_load(dir, "ens6", &got), 0);
        assert_string_equal(got.action, "refresh");
        assert_int_equal(got.error, -EIMDS_TIMEOUT);
        assert_string_equal(got.error_text, error_to_string(-EIMDS_TIMEOUT));
        assert_int_equal(got.exit_status, 3);
        assert_true(got.time_usec > ok.time_usec);
        assert_int_equal(got.last_success_usec, ok.time_usec);
        /* A failure with no success before it this boot: none. */
        assert_int_equal(run_record_save(dir, "ens7", &failed), 0);
        assert_int_equal(run_record_load(dir, "ens7", &got), 0);
        assert_int_equal(got.last_success_usec, 0);
}

static void test_leftovers_of_a_killed_writer(void **state) {
        const char *dir = *state;
        char mine[PATH_MAX], other[PATH_MAX], path[PATH_MAX];
        RunRecord rec;

        snprintf(path, sizeof path, "%s/runs", dir);
        assert_int_equal(mkdir(path, 0755), 0);
        snprintf(mine, sizeof mine, "%s/runs/.#ens6.json.0123456789abcdef", dir);
        snprintf(other, sizeof other, "%s/runs/.#ens7.json.0123456789abcdef", dir);
        assert_int_equal(write_whole_file(mine, "{"), 0);
        assert_int_equal(write_whole_file(other, "{"), 0);
        run_record_init(&rec, "refresh", 0, false, 2);
        assert_int_equal(run_record_save(dir, "ens6", &rec), 0);
        assert_false(access(mine, F_OK) == 0);
        /* Another interface's writer may be between its write and its rename right now. */
        assert_true(access(other, F_OK) == 0);
}

static void test_invalid_records(void **state) {
        const char *dir = *state;
        static const char *const bad[] = {
                "",
                "not json",
                "{\"action\": \"reboot\", \"time_usec\": 1, \"error\": 0, \"error_text\": \"\", \"exit_status\": 0,"
                " \"changed\": false, \"imds_requests\": 1, \"last_success_usec\": 1}",
                "{\"action\": \"start\", \"time_usec\": -1, \"error\": 0, \"error_text\": \"\", \"exit_status\": 0,"
                " \"changed\": false, \"imds_requests\": 1, \"last_success_usec\": 1}",
                "{\"action\": \"start\", \"time_usec\": 1, \"error\": 5, \"error_text\": \"\", \"exit_status\": 0,"
                " \"changed\": false, \"imds_requests\": 1, \"last_success_usec\": 1}",
                "{\"action\": \"start\", \"time_usec\": 1, \"error\": 0, \"error_text\": \"\", \"exit_status\": 300,"
                " \"changed\": false, \"imds_requests\": 1, \"last_success_usec\": 1}",
                "{\"action\": \"start\", \"time_usec\": 1}",
        };
        char path[PATH_MAX];
        RunRecord got;

        snprintf(path, sizeof path, "%s/runs", dir);
        assert_int_equal(mkdir(path, 0755), 0);
        snprintf(path, sizeof path, "%s/runs/ens6.json", dir);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_int_equal(write_whole_file(path, bad[i]), 0);
                assert_int_equal(run_record_load(dir, "ens6", &got), -EINVAL);
        }
}

static void test_remove_takes_state_and_record(void **state) {
        const char *dir = *state;
        _cleanup_(interface_state_done) InterfaceState s = {}, got = {};
        RunRecord rec;
        uint64_t mtime = 0;

        assert_int_equal(eni_init(&s.eni), 0);
        snprintf(s.eni.mac, sizeof s.eni.mac, "0e:00:00:00:00:06");
        s.eni.device_number = 1;
        s.eni.network_card = NETWORK_CARD_NONE;
        s.has_ipv4 = true;
        /* A save killed half-way left its temporary file (stress-kill9): the next save takes it. */
        {
                char tmp[PATH_MAX], d[PATH_MAX];

                snprintf(d, sizeof d, "%s/interfaces", dir);
                assert_int_equal(mkdir(d, 0755), 0);
                snprintf(tmp, sizeof tmp, "%s/.#ens6.json.0123456789abcdef", d);
                assert_int_equal(write_whole_file(tmp, "{"), 0);
                assert_int_equal(interface_state_save(dir, "ens6", &s), 0);
                assert_int_equal(access(tmp, F_OK), -1);
        }
        assert_int_equal(interface_state_mtime(dir, "ens6", &mtime), 0);
        assert_true(mtime > 1600000000ULL * USEC_PER_SEC);
        assert_int_equal(interface_state_load(dir, "ens6", "0e:00:00:00:00:06", &got), 0);
        assert_true(got.has_ipv4);
        assert_false(got.has_ipv6);
        interface_state_done(&got);
        assert_int_equal(interface_state_load(dir, "ens6", "0e:00:00:00:00:07", &got), -ESTALE);
        run_record_init(&rec, "start", 0, true, 9);
        assert_int_equal(run_record_save(dir, "ens6", &rec), 0);

        interface_state_remove(dir, "ens6");
        assert_int_equal(interface_state_load(dir, "ens6", "0e:00:00:00:00:06", &got), -ENOENT);
        assert_int_equal(run_record_load(dir, "ens6", &rec), -ENOENT);
        assert_int_equal(interface_state_mtime(dir, "ens6", &mtime), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup_tmpdir, teardown_tmpdir)
                T(test_round_trip),
                T(test_failure_keeps_last_success),
                T(test_leftovers_of_a_killed_writer),
                T(test_invalid_records),
                T(test_remove_takes_state_and_record),
#undef T
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
