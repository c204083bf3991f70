/* SPDX-License-Identifier: Apache-2.0 */
/* Names and arguments from udev or the command line reach log lines escaped: one call is
 * always one line, whatever the bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "escape.h"
#include "log.h"
#include "macro.h"

static void test_escape_for_log(void **state) {
        char buf[ESCAPE_SHORT_MAX];
        char small[8];

        assert_string_equal(escape_for_log("eth0", true, buf, sizeof buf), "eth0");
        assert_string_equal(escape_for_log("eth0\n[Network]", true, buf, sizeof buf),
                            "eth0\\x0a[Network]");
        assert_string_equal(escape_for_log("a\"b\\c\x7f\xc3\xa9", true, buf, sizeof buf),
                            "a\\x22b\\x5cc\\x7f\\xc3\\xa9");
        /* Without ascii_only, UTF-8 and quotes stay; control bytes still go. */
        assert_string_equal(escape_for_log("caf\xc3\xa9\t\"x\"", false, buf, sizeof buf),
                            "caf\xc3\xa9\\x09\"x\"");
        assert_string_equal(escape_for_log("", true, buf, sizeof buf), "");
        assert_string_equal(escape_for_log(NULL, true, buf, sizeof buf), "(null)");

        /* Truncation never cuts an escape in half and always says so. */
        assert_string_equal(escape_for_log("abcdefg", true, small, sizeof small), "abcdefg");
        assert_string_equal(escape_for_log("abcdefgh", true, small, sizeof small), "abcd...");
        assert_string_equal(escape_for_log("ab\ncdef", true, small, sizeof small), "ab...");
        assert_string_equal(escape_for_log("\n", true, small, 5), "\\x0a");
        assert_string_equal(escape_for_log("\n\n", true, small, 5), "...");
        assert_string_equal(escape_for_log("x", true, small, 4), "");
        (void) state;
}

static void test_controls_in_place(void **state) {
        char s[] = "a\nb\rc\td\x7f" "e\xc3\xa9";

        escape_controls_in_place(s);
        assert_string_equal(s, "a?b?c?d?e\xc3\xa9");
        escape_controls_in_place(NULL);
        (void) state;
}

/* The console target, read back from a file in place of stderr. */
static void test_log_line_is_one_line(void **state) {
        char path[] = "/tmp/test-escape-XXXXXX";
        char out[512] = {};
        _cleanup_close_ int fd = mkstemp(path);
        int saved = dup(STDERR_FILENO);
        ssize_t n;

        assert_true(fd >= 0 && saved >= 0);
        (void) unlink(path);
        log_open("test-escape", LOG_TARGET_CONSOLE);
        log_context_set(NULL, NULL, NULL);
        fflush(stderr);
        assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
        log_error("Invalid interface name \"%s\".", "x\ntest-escape: forged");
        fflush(stderr);
        assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);

        n = pread(fd, out, sizeof out - 1, 0);
        assert_true(n > 0);
        assert_string_equal(out, "test-escape: Invalid interface name \"x?test-escape: forged\".\n");
        (void) state;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escape_for_log),
                cmocka_unit_test(test_controls_in_place),
                cmocka_unit_test(test_log_line_is_one_line),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
