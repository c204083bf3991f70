/* SPDX-License-Identifier: Apache-2.0 */
/* Config.files: the configuration files that were parsed, in order (shown by ec2-netctl
 * status): the main file and its drop-ins, not the missing or masked ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "config.h"
#include "strv.h"
#include "tree-util.h"

static void test_files_read_in_order(void **state) {
        const char *dir = *state;
        _cleanup_(config_done) Config c = {};
        char main_path[PATH_MAX], d[PATH_MAX], a[PATH_MAX], b[PATH_MAX], masked[PATH_MAX];

        snprintf(main_path, sizeof main_path, "%s/ec2.conf", dir);
        snprintf(d, sizeof d, "%s/ec2.conf.d", dir);
        snprintf(a, sizeof a, "%s/20-b.conf", d);
        snprintf(b, sizeof b, "%s/10-a.conf", d);
        snprintf(masked, sizeof masked, "%s/30-masked.conf", d);
        assert_int_equal(mkdir(d, 0755), 0);
        assert_int_equal(write_whole_file(a, "[Main]\nEnable=yes\n"), 0);
        assert_int_equal(write_whole_file(b, "[Interfaces]\nExcludeInterfaces=eth9\n"), 0);
        assert_int_equal(symlink("/dev/null", masked), 0);

        /* No main file: only the drop-ins were read. */
        assert_int_equal(config_init_defaults(&c), 0);
        assert_int_equal(config_load_from(&c, main_path), 0);
        assert_int_equal(strv_length(c.files), 2);
        assert_string_equal(c.files[0], b);
        assert_string_equal(c.files[1], a);
        config_done(&c);
        assert_null(c.files);

        assert_int_equal(write_whole_file(main_path, "[Main]\n"), 0);
        assert_int_equal(config_init_defaults(&c), 0);
        assert_int_equal(config_load_from(&c, main_path), 0);
        assert_int_equal(strv_length(c.files), 3);
        assert_string_equal(c.files[0], main_path);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_files_read_in_order, setup_tmpdir, teardown_tmpdir),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
