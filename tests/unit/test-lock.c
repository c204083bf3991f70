/* SPDX-License-Identifier: Apache-2.0 */
/* Interface locks: bounded waits, no file left behind, stale files of killed holders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sys/wait.h>

#include "lock.h"
#include "macro.h"
#include "time-util.h"
#include "tree-util.h"

static void test_lock_wait_release(void **state) {
        _cleanup_free_ char *dir = make_temp_dir();
        FileLock a = FILE_LOCK_NULL, b = FILE_LOCK_NULL;
        char path[PATH_MAX];
        uint64_t t0;

        assert_int_equal(interface_lock_acquire(dir, "eth1", usec_add(now_usec(), USEC_PER_SEC), &a), 0);
        assert_int_equal(interface_locks_held(dir), 1);

        /* Taken: a second locker gives up at its deadline, not later. */
        t0 = now_usec();
        assert_int_equal(interface_lock_acquire(dir, "eth1", usec_add(now_usec(), 200 * USEC_PER_MSEC), &b),
                         -ETIMEDOUT);
        assert_true(now_usec() - t0 < 400 * USEC_PER_MSEC);

        /* Released: the file is gone and the next locker gets it at once. */
        file_lock_release(&a);
        snprintf(path, sizeof path, "%s/lock/eth1.lock", dir);
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(interface_lock_acquire(dir, "eth1", usec_add(now_usec(), USEC_PER_SEC), &b), 0);
        file_lock_release(&b);
        assert_int_equal(interface_lock_acquire(dir, "../x", usec_add(now_usec(), USEC_PER_SEC), &b), -EINVAL);
        rm_rf(dir);
}

static void test_killed_holder(void **state) {
        _cleanup_free_ char *dir = make_temp_dir();
        FileLock held = FILE_LOCK_NULL;
        char path[PATH_MAX];
        pid_t pid;

        assert_int_equal(interface_lock_acquire(dir, "eth2", usec_add(now_usec(), USEC_PER_SEC), &held), 0);

        /* A holder killed with SIGKILL leaves its file; the lock dies with it. */
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                FileLock l = FILE_LOCK_NULL;

                if (interface_lock_acquire(dir, "eth3", usec_add(now_usec(), USEC_PER_SEC), &l) < 0)
                        _exit(1);
                raise(SIGKILL);
        }
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        snprintf(path, sizeof path, "%s/lock/eth3.lock", dir);
        assert_int_equal(access(path, F_OK), 0);

        /* Counting held locks sees eth2 only, and removes eth3's leftover. */
        assert_int_equal(interface_locks_held(dir), 1);
        assert_int_equal(access(path, F_OK), -1);
        file_lock_release(&held);
        assert_int_equal(interface_locks_held(dir), 0);
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lock_wait_release),
                cmocka_unit_test(test_killed_holder),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
