/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /etc/hostname as set-hostname-imds reads it (SPEC §2): only a missing file or one holding
 * nothing but blank and comment lines means "no static hostname"; a file that cannot be
 * read (symbolic link, too large, not a regular file, no permission) is an error, never
 * "unset", so that the hostname it may hold is not replaced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sys/wait.h>

#include "hostname-file.h"
#include "tree-util.h"

/* A path in the test's directory (one static buffer: use it before the next call). */
static const char *path_in(void **state, const char *name) {
        static char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/%s", (char *) *state, name);
        return path;
}

static const char *with_content(void **state, const char *content) {
        const char *p = path_in(state, "hostname");

        assert_int_equal(write_whole_file(p, content), 0);
        return p;
}

static void test_unset(void **state) {
        assert_int_equal(hostname_file_is_set(path_in(state, "missing")), 0);
        assert_int_equal(hostname_file_is_set(with_content(state, "")), 0);
        assert_int_equal(hostname_file_is_set(with_content(state, "\n")), 0);
        assert_int_equal(hostname_file_is_set(with_content(state, " \t\r\n\n  \n")), 0);
        assert_int_equal(hostname_file_is_set(with_content(state, "# set by cloud-init\n")), 0);
        assert_int_equal(hostname_file_is_set(with_content(state, "\n  # comment\n#other")), 0);
}

static void test_set(void **state) {
        assert_int_equal(hostname_file_is_set(with_content(state, "my-host\n")), 1);
        assert_int_equal(hostname_file_is_set(with_content(state, "my-host")), 1);
        assert_int_equal(hostname_file_is_set(with_content(state, "# comment\n\n  my-host\n")), 1);
        /* Not a valid name, but someone put it there: not ours to replace. */
        assert_int_equal(hostname_file_is_set(with_content(state, "not a host name!\n")), 1);
}

static void test_unreadable(void **state) {
        char big[HOSTNAME_FILE_MAX + 2];
        const char *p;

        /* A symbolic link, even to a file that holds nothing. */
        with_content(state, "");
        assert_int_equal(symlink("hostname", path_in(state, "link")), 0);
        assert_int_equal(hostname_file_is_set(path_in(state, "link")), -ELOOP);
        /* ... or to nothing at all. */
        assert_int_equal(symlink("nowhere", path_in(state, "dangling")), 0);
        assert_int_equal(hostname_file_is_set(path_in(state, "dangling")), -ELOOP);

        /* Larger than the bound: blanks only, yet not "unset". */
        memset(big, ' ', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        assert_int_equal(hostname_file_is_set(with_content(state, big)), -EFBIG);
        big[HOSTNAME_FILE_MAX] = '\0';   /* exactly the bound: read */
        assert_int_equal(hostname_file_is_set(with_content(state, big)), 0);

        /* Not a regular file. */
        p = path_in(state, "dir");
        assert_int_equal(mkdir(p, 0755), 0);
        assert_int_equal(hostname_file_is_set(p), -EISDIR);
        p = path_in(state, "fifo");
        assert_int_equal(mkfifo(p, 0644), 0);
        assert_int_equal(hostname_file_is_set(p), -EBADFD);

        /* A NUL byte: not text. */
        p = path_in(state, "nul");
        {
                FILE *f = fopen(p, "we");

                assert_non_null(f);
                assert_int_equal(fwrite("a\0b\n", 1, 4, f), 4);
                assert_int_equal(fclose(f), 0);
        }
        assert_int_equal(hostname_file_is_set(p), -EBADMSG);

        /* A path through a file. */
        with_content(state, "my-host\n");
        assert_int_equal(hostname_file_is_set(path_in(state, "hostname/x")), -ENOTDIR);
}

/* No permission. As root, permissions do not apply: the check runs in a child that has
 * dropped to nobody. */
static void test_no_permission(void **state) {
        const char *p = with_content(state, "");
        int status;
        pid_t pid;

        assert_int_equal(chmod(*state, 0755), 0);
        assert_int_equal(chmod(p, 0), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (geteuid() == 0 && (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0))
                        _exit(2);
                _exit(hostname_file_is_set(p) == -EACCES ? 0 : 1);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_reasons(void **state) {
        (void) state;
        assert_string_equal(hostname_file_error_reason(-ELOOP), "it is a symbolic link");
        assert_string_equal(hostname_file_error_reason(-EFBIG), "it is larger than 4096 bytes");
        assert_string_equal(hostname_file_error_reason(-EBADFD), "it is not a regular file");
        assert_string_equal(hostname_file_error_reason(-EACCES), strerror(EACCES));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_unset, setup_tmpdir, teardown_tmpdir),
                cmocka_unit_test_setup_teardown(test_set, setup_tmpdir, teardown_tmpdir),
                cmocka_unit_test_setup_teardown(test_unreadable, setup_tmpdir, teardown_tmpdir),
                cmocka_unit_test_setup_teardown(test_no_permission, setup_tmpdir, teardown_tmpdir),
                cmocka_unit_test(test_reasons),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
