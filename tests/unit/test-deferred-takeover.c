/* SPDX-License-Identifier: Apache-2.0 */
/* The record of ENIs left on 2.x's files after an upgrade (deferred-takeover.h): marked,
 * listed, forgotten; names that are not interface names never come back out of it. The
 * decisions built on it (when to defer, moving every deferred ENI before a reload) run
 * against the real networkd in e2e-adopt-2x and the package tier. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <unistd.h>

#include "deferred-takeover.h"
#include "strv.h"
#include "tree-util.h"

static void test_mark_list_forget(void **state) {
        const char *run = *state;
        _cleanup_strv_free_ char **list = NULL, **again = NULL, **none = NULL;

        /* Nothing recorded yet: no directory, an empty list. */
        assert_int_equal(deferred_takeover_is_marked(run, "ens6"), 0);
        assert_int_equal(deferred_takeover_interfaces(run, &none), 0);
        assert_non_null(none);
        assert_null(none[0]);

        assert_int_equal(deferred_takeover_mark(run, "ens7"), 0);
        assert_int_equal(deferred_takeover_mark(run, "ens6"), 0);
        assert_int_equal(deferred_takeover_mark(run, "ens6"), 0);   /* twice is once */
        assert_int_equal(deferred_takeover_is_marked(run, "ens6"), 1);
        assert_int_equal(deferred_takeover_is_marked(run, "ens8"), 0);
        assert_int_equal(deferred_takeover_interfaces(run, &list), 0);
        assert_int_equal(strv_length(list), 2);
        assert_string_equal(list[0], "ens6");
        assert_string_equal(list[1], "ens7");

        deferred_takeover_forget(run, "ens6");
        deferred_takeover_forget(run, "ens9");   /* not there: nothing happens */
        assert_int_equal(deferred_takeover_is_marked(run, "ens6"), 0);
        assert_int_equal(deferred_takeover_interfaces(run, &again), 0);
        assert_int_equal(strv_length(again), 1);
        assert_string_equal(again[0], "ens7");
}

static void test_invalid_names(void **state) {
        const char *run = *state;
        _cleanup_strv_free_ char **list = NULL;
        char path[PATH_MAX];

        assert_int_equal(deferred_takeover_mark(run, "../ens6"), -EINVAL);
        assert_int_equal(deferred_takeover_mark(run, "ens*"), -EINVAL);
        assert_int_equal(deferred_takeover_mark(run, ""), -EINVAL);
        assert_int_equal(deferred_takeover_is_marked(run, "a/b"), -EINVAL);

        /* What else is in the directory (a temporary file, a name no interface can have, a
         * directory) is not an ENI to move. */
        assert_int_equal(deferred_takeover_mark(run, "ens5"), 0);
        snprintf(path, sizeof path, "%s/takeover-deferred/.#ens6.tmp", run);
        assert_int_equal(write_whole_file(path, ""), 0);
        snprintf(path, sizeof path, "%s/takeover-deferred/ens[1]", run);
        assert_int_equal(write_whole_file(path, ""), 0);
        snprintf(path, sizeof path, "%s/takeover-deferred/ens9", run);
        assert_int_equal(mkdir(path, 0755), 0);
        assert_int_equal(deferred_takeover_is_marked(run, "ens9"), 0);
        assert_int_equal(deferred_takeover_interfaces(run, &list), 0);
        assert_int_equal(strv_length(list), 1);
        assert_string_equal(list[0], "ens5");
}

static void test_unusable_runtime_dir(void **state) {
        const char *run = *state;
        _cleanup_strv_free_ char **list = NULL;
        char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/missing", run);
        assert_int_equal(deferred_takeover_mark(path, "ens6"), -ENOENT);
        /* The record's name taken by a file: an error, never a wrong answer. */
        snprintf(path, sizeof path, "%s/takeover-deferred", run);
        assert_int_equal(write_whole_file(path, "x"), 0);
        assert_int_equal(deferred_takeover_mark(run, "ens6"), -ENOTDIR);
        assert_int_equal(deferred_takeover_is_marked(run, "ens6"), -ENOTDIR);
        assert_int_equal(deferred_takeover_interfaces(run, &list), -ENOTDIR);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_mark_list_forget, setup_tmpdir, teardown_tmpdir),
                cmocka_unit_test_setup_teardown(test_invalid_names, setup_tmpdir, teardown_tmpdir),
                cmocka_unit_test_setup_teardown(test_unusable_runtime_dir, setup_tmpdir, teardown_tmpdir),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
