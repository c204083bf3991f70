/* SPDX-License-Identifier: Apache-2.0 */
/* The exit statuses systemd and watchdogs act on (RestartPreventExitStatus=). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdlib.h>
#include <cmocka.h>

#include "exit-status.h"

static void test_exit_status(void **state) {
        assert_int_equal(exit_status_from_errno(0), EXIT_SUCCESS);
        assert_int_equal(exit_status_from_errno(1), EXIT_SUCCESS);
        assert_int_equal(exit_status_from_errno(-ETIMEDOUT), 3);
        assert_int_equal(exit_status_from_errno(-EBADMSG), 4);
        assert_int_equal(exit_status_from_errno(-EHOSTUNREACH), 1);
        assert_int_equal(exit_status_from_errno(-EIO), 1);
        assert_int_equal(exit_status_from_errno(-ENODEV), 1);
        /* Usage errors are decided before any run, never by an errno. */
        assert_int_equal(exit_status_from_errno(-EINVAL), 1);
        (void) state;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exit_status),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
