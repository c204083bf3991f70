/* SPDX-License-Identifier: Apache-2.0 */
/* Interface locks: bounded waits, no file left behind, stale files of killed holders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "lock.h"
#include "macro.h"
#include "time-util.h"
#include "tree-util.h"

/* Every flock() of this process, counted (-Wl,--wrap=flock): a wait must not poll. */
static atomic_int flock_calls;
int __real_flock(int fd, int op);
int __wrap_flock(int fd, int op);
int __wrap_flock(int fd, int op) {
        atomic_fetch_add(&flock_calls, 1);
        return __real_flock(fd, op);
}

static void test_lock_wait_release(void **state) {
        _cleanup_free_ char *dir = make_temp_dir();
        FileLock a = FILE_LOCK_NULL, b = FILE_LOCK_NULL;
        char path[PATH_MAX];
        uint64_t t0;

        assert_int_equal(interface_lock_acquire(dir, "eth1", usec_add(now_usec(), USEC_PER_SEC), &a), 0);
        assert_int_equal(interface_locks_count_held(dir), 1);

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

        /* Counting held locks sees eth2 only and touches nothing; removing the stale ones
         * takes eth3's leftover and leaves the held one. */
        assert_int_equal(interface_locks_count_held(dir), 1);
        assert_int_equal(access(path, F_OK), 0);
        assert_int_equal(interface_locks_remove_stale(dir), 1);
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(interface_locks_count_held(dir), 1);
        file_lock_release(&held);
        assert_int_equal(interface_locks_count_held(dir), 0);
        rm_rf(dir);
}

static void *hold_then_release(void *arg) {
        FileLock *l = arg;

        sleep_usec(400 * USEC_PER_MSEC);
        file_lock_release(l);
        return NULL;
}

/* A waiter is woken by the release (inotify), not by polling: it gets the lock right after
 * the holder lets go, having tried flock() a handful of times in 400 ms (a poll with
 * back-off tried a dozen times). */
static void test_waiter_is_woken_not_polling(void **state) {
        _cleanup_free_ char *dir = make_temp_dir();
        FileLock held = FILE_LOCK_NULL, mine = FILE_LOCK_NULL;
        pthread_t t;
        uint64_t t0;
        int calls;

        assert_int_equal(interface_lock_acquire(dir, "eth4", usec_add(now_usec(), USEC_PER_SEC), &held), 0);
        assert_int_equal(pthread_create(&t, NULL, hold_then_release, &held), 0);
        atomic_store(&flock_calls, 0);
        t0 = now_usec();
        assert_int_equal(interface_lock_acquire(dir, "eth4", usec_add(now_usec(), 5 * USEC_PER_SEC), &mine), 0);
        calls = atomic_load(&flock_calls);
        assert_int_equal(pthread_join(t, NULL), 0);
        fprintf(stderr, "lock taken after %llu ms with %d flock() calls\n",
                (unsigned long long) ((now_usec() - t0) / USEC_PER_MSEC), calls);
        assert_true(now_usec() - t0 >= 350 * USEC_PER_MSEC);
        /* The waiter's tries (before and after setting up its watch, after the wake-up, on the
         * new file) plus the holder's unlock. */
        assert_true(calls <= 6);
        file_lock_release(&mine);
        rm_rf(dir);
}

/* A holder killed while a waiter waits: the kernel closes its descriptor (an inotify event
 * that comes just before the lock is dropped) and the waiter gets the lock at once, not at
 * its deadline. */
static void test_waiter_woken_by_killed_holder(void **state) {
        _cleanup_free_ char *dir = make_temp_dir();
        FileLock mine = FILE_LOCK_NULL;
        uint64_t t0;
        pid_t pid;
        int p[2];
        char c;

        for (int round = 0; round < 5; round++) {
                assert_int_equal(pipe(p), 0);
                pid = fork();
                assert_true(pid >= 0);
                if (pid == 0) {
                        FileLock l = FILE_LOCK_NULL;

                        close(p[0]);
                        if (interface_lock_acquire(dir, "eth7", usec_add(now_usec(), USEC_PER_SEC), &l) < 0)
                                _exit(1);
                        (void) !write(p[1], "x", 1);
                        sleep_usec(100 * USEC_PER_MSEC);
                        raise(SIGKILL);
                }
                close(p[1]);
                assert_int_equal(read(p[0], &c, 1), 1);
                close(p[0]);
                t0 = now_usec();
                assert_int_equal(interface_lock_acquire(dir, "eth7", usec_add(now_usec(), 10 * USEC_PER_SEC), &mine), 0);
                assert_true(now_usec() - t0 < 2 * USEC_PER_SEC);
                assert_int_equal(waitpid(pid, NULL, 0), pid);
                file_lock_release(&mine);
        }
        rm_rf(dir);
}

/* Waiting for every interface lock to be released: woken when a holder dies (its
 * descriptor closed by the kernel) or releases; bounded otherwise. */
static void test_wait_released(void **state) {
        _cleanup_free_ char *dir = make_temp_dir();
        FileLock held = FILE_LOCK_NULL;
        uint64_t t0;
        pid_t pid;
        int p[2];
        char c;

        assert_int_equal(interface_locks_wait_released(dir, usec_add(now_usec(), USEC_PER_SEC)), 0);

        assert_int_equal(interface_lock_acquire(dir, "eth5", usec_add(now_usec(), USEC_PER_SEC), &held), 0);
        t0 = now_usec();
        assert_int_equal(interface_locks_wait_released(dir, usec_add(now_usec(), 200 * USEC_PER_MSEC)), -ETIMEDOUT);
        assert_true(now_usec() - t0 < 400 * USEC_PER_MSEC);
        file_lock_release(&held);

        assert_int_equal(pipe(p), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                FileLock l = FILE_LOCK_NULL;

                close(p[0]);
                if (interface_lock_acquire(dir, "eth6", usec_add(now_usec(), USEC_PER_SEC), &l) < 0)
                        _exit(1);
                (void) !write(p[1], "x", 1);
                sleep_usec(300 * USEC_PER_MSEC);
                raise(SIGKILL);
        }
        close(p[1]);
        assert_int_equal(read(p[0], &c, 1), 1);
        close(p[0]);
        t0 = now_usec();
        assert_int_equal(interface_locks_wait_released(dir, usec_add(now_usec(), 5 * USEC_PER_SEC)), 0);
        assert_true(now_usec() - t0 < 2 * USEC_PER_SEC);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        rm_rf(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lock_wait_release),
                cmocka_unit_test(test_killed_holder),
                cmocka_unit_test(test_waiter_is_woken_not_polling),
                cmocka_unit_test(test_waiter_woken_by_killed_holder),
                cmocka_unit_test(test_wait_released),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
