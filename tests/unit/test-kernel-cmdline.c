/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel command line switch (SPEC §7): ec2net.enable= in every form the kernel allows. */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel-cmdline.h"
#include "macro.h"
#include "tree-util.h"

typedef struct Case {
        const char *cmdline;
        int expected;
} Case;

static void test_enabled_forms(void **state) {
        static const Case cases[] = {
                /* Absent: enabled. */
                { "", 1 },
                { "   \t\n", 1 },
                { "BOOT_IMAGE=/vmlinuz root=UUID=1234 ro console=ttyS0", 1 },
                /* Every value. */
                { "ec2net.enable=0", 0 },
                { "ec2net.enable=no", 0 },
                { "ec2net.enable=false", 0 },
                { "ec2net.enable=off", 0 },
                { "ec2net.enable=NO", 0 },
                { "ec2net.enable=1", 1 },
                { "ec2net.enable=yes", 1 },
                { "ec2net.enable=true", 1 },
                { "ec2net.enable=on", 1 },
                /* A bare switch means yes. */
                { "ec2net.enable", 1 },
                { "ec2net.enable=0 ec2net.enable", 1 },
                /* The last one wins. */
                { "ec2net.enable=0 ec2net.enable=1", 1 },
                { "ec2net.enable=1 ro ec2net.enable=0", 0 },
                { "ec2net.enable=yes ec2net.enable=no quiet", 0 },
                /* Garbage is ignored, never fatal, and does not undo an earlier value. */
                { "ec2net.enable=maybe", 1 },
                { "ec2net.enable=0 ec2net.enable=maybe", 0 },
                { "ec2net.enable=", 1 },
                { "ec2net.enable=0 ec2net.enable=", 0 },
                { "ec2net.enable=00", 1 },
                { "ec2net.enable=0x", 1 },
                { "ec2net.enable=0=0", 1 },
                /* Other names are not ours. */
                { "ec2net.enabled=0", 1 },
                { "xec2net.enable=0", 1 },
                { "ec2net.enable.x=0", 1 },
                { "EC2NET.ENABLE=0", 1 },
                { "rd.ec2net.enable=0", 1 },
                { "ec2net.enable0", 1 },
                /* Any whitespace separates. */
                { "ro\tec2net.enable=0\tquiet", 0 },
                { "ro\nec2net.enable=0\n", 0 },
                { "  ec2net.enable=0  ", 0 },
                { "ro\r\nec2net.enable=no\r\n", 0 },
                { "ro ec2net.enable=0\vquiet", 0 },
                /* Quotes, as the kernel writes them. */
                { "ec2net.enable=\"0\"", 0 },
                { "\"ec2net.enable=0\"", 0 },
                { "\"ec2net.enable\"", 1 },
                { "ec2net.enable=\"0\" quiet", 0 },
                { "ec2net.enable=\"no\"", 0 },
                { "ec2net.enable=\"\"", 1 },
                /* A quoted word containing blanks is one word. */
                { "foo=\"a ec2net.enable=0 b\"", 1 },
                { "ec2net.enable=0 foo=\"a ec2net.enable=1 b\"", 0 },
                { "ec2net.enable=\" 0\"", 1 },
                /* An unterminated quote runs to the end. */
                { "ec2net.enable=0 init=\"/bin/sh ec2net.enable=1", 0 },
                { "ec2net.enable=\"0", 0 },
                /* A long word is skipped, the next one still counts. */
                { "foo=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ec2net.enable=0", 0 },
                { "ec2net.enable=000000000000000000000000000000000000000000000000000", 1 },
                /* After "--" the words are init's; systemd reads them too, and so do we. */
                { "ro -- ec2net.enable=0", 0 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int r = kernel_cmdline_ec2net_enabled(cases[i].cmdline);

                if (r != cases[i].expected)
                        fail_msg("'%s': got %d, expected %d", cases[i].cmdline, r,
                                 cases[i].expected);
        }
}

static void test_bad_input(void **state) {
        _cleanup_free_ char *big = NULL;

        assert_int_equal(kernel_cmdline_ec2net_enabled(NULL), -EINVAL);

        /* Up to the cap is parsed, one byte more is refused. */
        big = malloc(KERNEL_CMDLINE_SIZE_MAX + 2);
        assert_non_null(big);
        memset(big, ' ', KERNEL_CMDLINE_SIZE_MAX);
        memcpy(big + KERNEL_CMDLINE_SIZE_MAX - 15, "ec2net.enable=0", 15);
        big[KERNEL_CMDLINE_SIZE_MAX] = '\0';
        assert_int_equal(kernel_cmdline_ec2net_enabled(big), 0);
        big[KERNEL_CMDLINE_SIZE_MAX] = ' ';
        big[KERNEL_CMDLINE_SIZE_MAX + 1] = '\0';
        assert_int_equal(kernel_cmdline_ec2net_enabled(big), -E2BIG);

        /* One huge word. */
        memset(big, 'x', KERNEL_CMDLINE_SIZE_MAX);
        big[KERNEL_CMDLINE_SIZE_MAX] = '\0';
        assert_int_equal(kernel_cmdline_ec2net_enabled(big), 1);
}

/* ---- reading ---- */


static char *write_fake(const char *dir, const char *name, const void *data, size_t len) {
        char *p;
        int fd;

        assert_true(asprintf(&p, "%s/%s", dir, name) >= 0);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t) len);
        assert_int_equal(close(fd), 0);
        return p;
}

static void test_read(void **state) {
        static const char nuls[] = "ro\0ec2net.enable=0\0\0";
        _cleanup_free_ char *p = NULL, *s = NULL, *big = NULL;
        const char *dir = *state;

        /* As /proc/cmdline looks: one line with a final newline. */
        p = write_fake(dir, "cmdline", "BOOT_IMAGE=/vmlinuz ro ec2net.enable=0\n", 39);
        assert_int_equal(kernel_cmdline_read(p, &s), 0);
        assert_string_equal(s, "BOOT_IMAGE=/vmlinuz ro ec2net.enable=0");
        assert_int_equal(kernel_cmdline_ec2net_enabled(s), 0);
        free(s), s = NULL;
        free(p);

        /* NUL bytes must not hide what follows them. */
        p = write_fake(dir, "nuls", nuls, sizeof(nuls) - 1);
        assert_int_equal(kernel_cmdline_read(p, &s), 0);
        assert_string_equal(s, "ro ec2net.enable=0");
        free(s), s = NULL;
        free(p);

        p = write_fake(dir, "empty", "", 0);
        assert_int_equal(kernel_cmdline_read(p, &s), 0);
        assert_string_equal(s, "");
        assert_int_equal(kernel_cmdline_ec2net_enabled(s), 1);
        free(s), s = NULL;
        free(p);

        /* Exactly the cap is read, one byte more is refused and *ret left alone. */
        big = malloc(KERNEL_CMDLINE_SIZE_MAX + 1);
        assert_non_null(big);
        memset(big, 'x', KERNEL_CMDLINE_SIZE_MAX + 1);
        p = write_fake(dir, "big", big, KERNEL_CMDLINE_SIZE_MAX);
        assert_int_equal(kernel_cmdline_read(p, &s), 0);
        assert_int_equal(strlen(s), KERNEL_CMDLINE_SIZE_MAX);
        free(s), s = NULL;
        free(p);
        p = write_fake(dir, "bigger", big, KERNEL_CMDLINE_SIZE_MAX + 1);
        assert_int_equal(kernel_cmdline_read(p, &s), -E2BIG);
        assert_null(s);
        free(p);

        /* Missing file, directory. */
        assert_true(asprintf(&p, "%s/absent", dir) >= 0);
        assert_int_equal(kernel_cmdline_read(p, &s), -ENOENT);
        assert_null(s);
        assert_int_equal(kernel_cmdline_read(dir, &s), -EISDIR);
        assert_null(s);
        assert_int_equal(kernel_cmdline_read(p, NULL), -EINVAL);
}

/* /proc/cmdline as the test reads it by itself (stdio, not the product's reader): NULs as
 * spaces, trailing whitespace gone. */
static char *proc_cmdline_by_hand(void) {
        FILE *f = fopen(KERNEL_CMDLINE_PATH, "re");
        char *buf = calloc(1, KERNEL_CMDLINE_SIZE_MAX + 1);
        size_t n;

        assert_non_null(f);
        assert_non_null(buf);
        n = fread(buf, 1, KERNEL_CMDLINE_SIZE_MAX, f);
        assert_int_equal(ferror(f), 0);
        fclose(f);
        for (size_t i = 0; i < n; i++)
                if (buf[i] == '\0')
                        buf[i] = ' ';
        while (n > 0 && strchr(" \t\n\r\v\f", buf[n - 1]))
                buf[--n] = '\0';
        return buf;
}

static int cmdline_enabled_with(const char *cmdline, const char *suffix) {
        _cleanup_free_ char *line = NULL;

        assert_true(asprintf(&line, "%s %s", cmdline, suffix) >= 0);
        return kernel_cmdline_ec2net_enabled(line);
}

static void test_read_proc(void **state) {
        _cleanup_free_ char *s = NULL, *by_hand = NULL;
        const char *ours;
        size_t quotes = 0;

        /* The real one: every machine that runs the product (and these tests) has /proc, so
         * a missing one is a failure, not a skip. */
        assert_int_equal(kernel_cmdline_read(NULL, &s), 0);
        by_hand = proc_cmdline_by_hand();
        assert_string_equal(s, by_hand);

        /* No test machine is booted with our switch: absent means enabled. A machine that
         * is cannot tell us what it expects, so there only the appended forms below count. */
        ours = strstr(s, "ec2net.enable");
        if (!ours)
                assert_int_equal(kernel_cmdline_ec2net_enabled(s), 1);
        else
                fprintf(stderr, "this machine's command line sets ec2net.enable: not asserting its value\n");

        /* Whatever the real line holds (other modules' NAME.enable=, "--" and init's
         * arguments), a switch appended after it decides... */
        for (const char *p = s; *p; p++)
                quotes += *p == '"';
        if (quotes % 2 == 0) {
                assert_int_equal(cmdline_enabled_with(s, "ec2net.enable=0"), 0);
                assert_int_equal(cmdline_enabled_with(s, "ec2net.enable=no quiet"), 0);
                assert_int_equal(cmdline_enabled_with(s, "ec2net.enable=0 ec2net.enable=1"), 1);
                assert_int_equal(cmdline_enabled_with(s, "ec2net.enable=0 ec2net.enable=maybe"), 0);
        } else if (!ours)
                /* ...unless an unterminated quote swallows it into another word. */
                assert_int_equal(cmdline_enabled_with(s, "ec2net.enable=0"), 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_enabled_forms),
                cmocka_unit_test(test_bad_input),
                cmocka_unit_test_setup_teardown(test_read, setup_tmpdir, teardown_tmpdir),
                cmocka_unit_test(test_read_proc),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
