/* SPDX-License-Identifier: Apache-2.0 */
/* The exit statuses systemd and watchdogs act on (RestartPreventExitStatus=). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "error-codes.h"
#include "exit-status.h"
#include "log.h"

static void test_exit_status(void **state) {
        assert_int_equal(exit_status_from_errno(0), EXIT_SUCCESS);
        assert_int_equal(exit_status_from_errno(1), EXIT_SUCCESS);
        /* IMDS's answers */
        assert_int_equal(exit_status_from_errno(-EIMDS_DISABLED), 0);
        assert_int_equal(exit_status_from_errno(-EIMDS_TIMEOUT), 3);
        assert_int_equal(exit_status_from_errno(-EIMDS_PROPAGATING), 3);
        assert_int_equal(exit_status_from_errno(-EIMDS_INVALID), 4);
        assert_int_equal(exit_status_from_errno(-EIMDS_REJECTED), 4);
        assert_int_equal(exit_status_from_errno(-EIMDS_UNREACHABLE), 1);
        assert_int_equal(exit_status_from_errno(-EIMDS_BUSY), 1);
        assert_int_equal(exit_status_from_errno(-EIMDS_UNAUTHORIZED), 1);
        assert_int_equal(exit_status_from_errno(-EIMDS_UNKNOWN_MAC), 1);
        assert_int_equal(exit_status_from_errno(-ELINK_ABSENT), 3);
        assert_int_equal(exit_status_from_errno(-EUSAGE), 2);
        /* Local failures are never taken for IMDS's answers: a denied file is a failure
         * (systemd retries, monitoring sees it), not "IMDS disabled" (0). */
        assert_int_equal(exit_status_from_errno(-EACCES), 1);
        assert_int_equal(exit_status_from_errno(-EPERM), 1);
        assert_int_equal(exit_status_from_errno(-EROFS), 1);
        assert_int_equal(exit_status_from_errno(-ETIMEDOUT), 3);
        assert_int_equal(exit_status_from_errno(-EBADMSG), 1);
        assert_int_equal(exit_status_from_errno(-EHOSTUNREACH), 1);
        assert_int_equal(exit_status_from_errno(-ENODEV), 1);
        assert_int_equal(exit_status_from_errno(-EINVAL), 1);
        (void) state;
}

static void test_reports(void **state) {
        RunFailure f;

        f = run_failure_from_error(-EIMDS_DISABLED);
        assert_int_equal(f.priority, LOG_NOTICE);
        assert_string_equal(f.message_id, MESSAGE_ID_IMDS_UNAVAILABLE);
        f = run_failure_from_error(-EIMDS_INVALID);
        assert_string_equal(f.message_id, MESSAGE_ID_IMDS_INVALID);
        f = run_failure_from_error(-EACCES);
        assert_int_equal(f.priority, LOG_ERR);
        assert_null(f.message_id);
        (void) state;
}

/* The two domains never share a value or a text. */
static void test_error_codes(void **state) {
        assert_true(EC2NET_ERRNO_BASE > 4095);
        assert_false(error_is_ec2net(-EACCES));
        assert_false(error_is_imds(-ETIMEDOUT));
        assert_true(error_is_imds(-EIMDS_DISABLED));
        assert_true(error_is_imds(-EIMDS_PROPAGATING));
        assert_false(error_is_imds(-ELINK_ABSENT));
        assert_true(error_is_imds_no_answer(-EIMDS_TIMEOUT));
        assert_false(error_is_imds_no_answer(-EIMDS_DISABLED));
        assert_false(error_is_imds_no_answer(-ETIMEDOUT));
        for (int e = EC2NET_ERRNO_BASE; e < _EC2NET_ERRNO_END; e++) {
                assert_non_null(error_to_string(-e));
                assert_null(strstr(error_to_string(-e), "Unknown error"));
        }
        assert_string_equal(error_to_string(-EACCES), strerror(EACCES));
        (void) state;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exit_status),
                cmocka_unit_test(test_reports),
                cmocka_unit_test(test_error_codes),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
