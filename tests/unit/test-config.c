/* SPDX-License-Identifier: Apache-2.0 */
/* Configuration parsing (SPEC §7): every key good and bad, file handling, overrides. */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "strv-test-util.h"
#include "tree-util.h"

/* ---- helpers ---- */

static int teardown_config_tmpdir(void **state) {
        unsetenv(CONFIG_ENV_PATH);
        unsetenv(CONFIG_ENV_IMDS_ENDPOINTS);
        return teardown_tmpdir(state);
}

static char *path_join(const char *dir, const char *name) {
        char *p;

        assert_true(asprintf(&p, "%s/%s", dir, name) >= 0);
        return p;
}

static void write_bytes(const char *dir, const char *name, const void *data, size_t len) {
        _cleanup_free_ char *p = path_join(dir, name);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t) len);
        assert_int_equal(close(fd), 0);
}

static void write_text(const char *dir, const char *name, const char *text) {
        write_bytes(dir, name, text, strlen(text));
}

static void make_dir(const char *dir, const char *name) {
        _cleanup_free_ char *p = path_join(dir, name);

        assert_int_equal(mkdir(p, 0755), 0);
}

static int parse(Config *c, const char *text) {
        return config_parse_text(c, text, strlen(text), "test.conf");
}

static void init(Config *c) {
        assert_int_equal(config_init_defaults(c), 0);
}

static size_t n_warnings(const Config *c) {
        return strv_length(c->warnings);
}

/* The diagnostic at index i contains s. */
static void assert_warning(const Config *c, size_t i, const char *s) {
        assert_true(i < n_warnings(c));
        if (!strstr(c->warnings[i], s))
                fail_msg("warning '%s' does not contain '%s'", c->warnings[i], s);
}

static void assert_strv(char *const *l, const char *joined) {
        _cleanup_strv_free_ char **expected = NULL;

        assert_int_equal(strv_split_blank(joined, &expected), 0);
        if (!strv_equal(l, expected))
                fail_msg("list differs from '%s'", joined);
}

static void assert_defaults(const Config *c) {
        assert_true(c->enabled);
        assert_strv(c->drivers, "ena ixgbevf vif");
        assert_int_equal(strv_length(c->exclude_interfaces), 0);
        assert_int_equal(strv_length(c->exclude_macs), 0);
        assert_true(c->policy_rules);
        assert_true(c->secondary_addresses);
        assert_int_equal(c->refresh_interval_sec, 60);
        assert_int_equal(c->seed_timeout_sec, 30);
        assert_int_equal(c->hold_until_configured, CONFIG_AUTO);
        assert_int_equal(c->defer_take_over, CONFIG_AUTO);
        assert_strv(c->imds_endpoints, "http://169.254.169.254 http://[fd00:ec2::254]");
}

/* ---- defaults and single keys ---- */

static void test_defaults(void **state) {
        _cleanup_(config_done) Config c = {};

        init(&c);
        assert_defaults(&c);
        assert_null(c.warnings);
        assert_true(config_driver_allowed(&c, "ena"));
        assert_true(config_driver_allowed(&c, "ixgbevf"));
        assert_true(config_driver_allowed(&c, "vif"));
        assert_false(config_driver_allowed(&c, "veth"));
        assert_false(config_driver_allowed(&c, NULL));
        assert_false(config_interface_excluded(&c, "eth0", "0a:00:00:00:00:01"));

        /* Done twice is harmless. */
        config_done(&c);
        config_done(&c);
        config_done(NULL);
}

static void test_every_key_good(void **state) {
        _cleanup_(config_done) Config c = {};

        init(&c);
        assert_int_equal(parse(&c,
                               "# a comment\n"
                               "; another comment\n"
                               "\n"
                               "[Main]\n"
                               "Enable=no\n"
                               "[Interfaces]\n"
                               "Drivers=ena veth\n"
                               "ExcludeInterfaces=eth9 docker*\n"
                               "ExcludeMACs=0A:1B:2C:*\n"
                               "[PolicyRouting]\n"
                               "PolicyRules=off\n"
                               "SecondaryAddresses=false\n"
                               "[Refresh]\n"
                               "IntervalSec=120\n"
                               "[Boot]\n"
                               "SeedTimeoutSec=0\n"
                               "[IMDS]\n"
                               "Endpoints=http://127.0.0.1:8080 http://[::1]:8081 http://localhost\n"),
                         0);
        assert_null(c.warnings);
        assert_false(c.enabled);
        assert_strv(c.drivers, "ena veth");
        assert_strv(c.exclude_interfaces, "eth9 docker*");
        assert_strv(c.exclude_macs, "0a:1b:2c:*");
        assert_false(c.policy_rules);
        assert_false(c.secondary_addresses);
        assert_int_equal(c.refresh_interval_sec, 120);
        assert_int_equal(c.seed_timeout_sec, 0);
        assert_strv(c.imds_endpoints, "http://127.0.0.1:8080 http://[::1]:8081 http://localhost");
}

static void test_booleans(void **state) {
        static const char *const yes[] = { "1", "yes", "YES", "true", "True", "on", "y", "t" };
        static const char *const no[] = { "0", "no", "No", "false", "FALSE", "off", "n", "f" };
        static const char *const bad[] = { "", "2", "maybe", "yess", " yes", "-1", "oui" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                assert_int_equal(config_parse_boolean(yes[i]), 1);
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                assert_int_equal(config_parse_boolean(no[i]), 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(config_parse_boolean(bad[i]), -EINVAL);
        assert_int_equal(config_parse_boolean(NULL), -EINVAL);
}

static void test_bad_values_keep_setting(void **state) {
        _cleanup_(config_done) Config c = {};
        char long_name[64], many[1024] = "Drivers=", long_pattern[128], many_patterns[2048];

        init(&c);
        assert_int_equal(parse(&c,
                               "[Main]\n"
                               "Enable=no\n"
                               "Enable=maybe\n"               /* 3 */
                               "[PolicyRouting]\n"
                               "PolicyRules=no\n"
                               "PolicyRules=2\n"              /* 6 */
                               "SecondaryAddresses=nope\n"    /* 7 */
                               "[Refresh]\n"
                               "IntervalSec=30\n"
                               "IntervalSec=9\n"              /* 10 */
                               "IntervalSec=86401\n"          /* 11 */
                               "IntervalSec=-1\n"             /* 12 */
                               "IntervalSec=0x10\n"           /* 13 */
                               "IntervalSec=060\n"            /* 14 */
                               "IntervalSec=60s\n"            /* 15 */
                               "IntervalSec=99999999999999\n" /* 16 */
                               "[Boot]\n"
                               "SeedTimeoutSec=601\n"         /* 18 */
                               "SeedTimeoutSec=abc\n"         /* 19 */
                               "[Interfaces]\n"
                               "Drivers=ena\n"
                               "Drivers=ena bad$name\n"       /* 22 */
                               "Drivers=ena/x\n"              /* 23 */
                               "ExcludeInterfaces=eth1\n"
                               "ExcludeMACs=aa:*\n"
                               "[IMDS]\n"
                               "Endpoints=http://x/path\n"),  /* 27 */
                         0);
        assert_false(c.enabled);
        assert_false(c.policy_rules);
        assert_true(c.secondary_addresses);
        assert_int_equal(c.refresh_interval_sec, 30);
        assert_int_equal(c.seed_timeout_sec, 30);
        assert_strv(c.drivers, "ena");
        assert_strv(c.imds_endpoints, "http://169.254.169.254 http://[fd00:ec2::254]");
        assert_int_equal(n_warnings(&c), 15);
        assert_string_equal(c.warnings[0],
                            "test.conf:3: Failed to parse Enable= value 'maybe' as a boolean, "
                            "ignoring.");
        assert_warning(&c, 1, "test.conf:6: ");
        assert_warning(&c, 2, "test.conf:7: ");
        assert_warning(&c, 3, "test.conf:10: Invalid IntervalSec= value '9', expected an "
                              "integer from 10 to 86400, ignoring.");
        assert_warning(&c, 4, "test.conf:11: ");
        assert_warning(&c, 9, "test.conf:16: ");
        assert_warning(&c, 10, "test.conf:18: ");
        assert_warning(&c, 11, "test.conf:19: ");
        assert_warning(&c, 12, "test.conf:22: Invalid entry 'bad$name' in Drivers=");
        assert_warning(&c, 13, "test.conf:23: ");
        assert_warning(&c, 14, "test.conf:27: Invalid entry 'http://x/path' in Endpoints=");

        /* Bounds of the integers are inclusive. */
        assert_int_equal(parse(&c, "[Refresh]\nIntervalSec=10\n[Boot]\nSeedTimeoutSec=600\n"), 0);
        assert_int_equal(c.refresh_interval_sec, 10);
        assert_int_equal(c.seed_timeout_sec, 600);
        assert_int_equal(parse(&c, "[Refresh]\nIntervalSec=86400\n"), 0);
        assert_int_equal(c.refresh_interval_sec, 86400);
        assert_int_equal(n_warnings(&c), 15);

        /* Driver names: 31 characters at most, 32 drivers at most. */
        memset(long_name, 'a', 31);
        long_name[31] = '\0';
        {
                _cleanup_free_ char *text = NULL;

                assert_true(asprintf(&text, "[Interfaces]\nDrivers=%s\n", long_name) > 0);
                assert_int_equal(parse(&c, text), 0);
                assert_strv(c.drivers, long_name);
                free(text);
                assert_true(asprintf(&text, "[Interfaces]\nDrivers=ena %sb\n", long_name) > 0);
                assert_int_equal(parse(&c, text), 0);
                assert_strv(c.drivers, long_name);
        }
        for (unsigned i = 0; i < CONFIG_DRIVERS_MAX + 1; i++)
                snprintf(many + strlen(many), sizeof(many) - strlen(many), "d%u ", i);
        {
                _cleanup_free_ char *text = NULL;
                size_t before = n_warnings(&c);

                assert_true(asprintf(&text, "[Interfaces]\n%s\n", many) > 0);
                assert_int_equal(parse(&c, text), 0);
                assert_strv(c.drivers, long_name);
                assert_int_equal(n_warnings(&c), before + 1);
                assert_warning(&c, before, "Too many entries in Drivers=");
        }

        /* Patterns: 64 bytes at most, 64 patterns at most. */
        memset(long_pattern, 'e', 64);
        long_pattern[64] = '\0';
        {
                _cleanup_free_ char *text = NULL;
                size_t before = n_warnings(&c);

                assert_true(asprintf(&text, "[Interfaces]\nExcludeInterfaces=%s\n",
                                     long_pattern) > 0);
                assert_int_equal(parse(&c, text), 0);
                assert_strv(c.exclude_interfaces, long_pattern);
                free(text);
                assert_true(asprintf(&text, "[Interfaces]\nExcludeInterfaces=%sx\n",
                                     long_pattern) > 0);
                assert_int_equal(parse(&c, text), 0);
                assert_strv(c.exclude_interfaces, long_pattern);
                assert_int_equal(n_warnings(&c), before + 1);
        }
        strcpy(many_patterns, "[Interfaces]\nExcludeMACs=");
        for (unsigned i = 0; i < CONFIG_PATTERNS_MAX + 1; i++)
                snprintf(many_patterns + strlen(many_patterns),
                         sizeof(many_patterns) - strlen(many_patterns), "%02x:* ", i);
        {
                size_t before = n_warnings(&c);

                assert_int_equal(parse(&c, many_patterns), 0);
                assert_strv(c.exclude_macs, "aa:*");
                assert_int_equal(n_warnings(&c), before + 1);
        }
}

static void test_empty_assignment_resets(void **state) {
        _cleanup_(config_done) Config c = {};

        init(&c);
        assert_int_equal(parse(&c,
                               "[Main]\nEnable=no\n"
                               "[Interfaces]\nDrivers=veth\nExcludeInterfaces=eth1 eth2\n"
                               "ExcludeMACs=aa:*\n"
                               "[PolicyRouting]\nPolicyRules=no\nSecondaryAddresses=no\n"
                               "[Refresh]\nIntervalSec=300\n"
                               "[Boot]\nSeedTimeoutSec=5\n"
                               "[IMDS]\nEndpoints=http://127.0.0.1:1\n"),
                         0);
        assert_false(c.enabled);
        assert_int_equal(parse(&c,
                               "[Main]\nEnable=\n"
                               "[Interfaces]\nDrivers=\nExcludeInterfaces=\nExcludeMACs=   \n"
                               "[PolicyRouting]\nPolicyRules=\nSecondaryAddresses=\n"
                               "[Refresh]\nIntervalSec=\n"
                               "[Boot]\nSeedTimeoutSec=\n"
                               "[IMDS]\nEndpoints=\n"),
                         0);
        assert_null(c.warnings);
        assert_defaults(&c);
}

static void test_later_assignment_replaces_list(void **state) {
        _cleanup_(config_done) Config c = {};

        init(&c);
        assert_int_equal(parse(&c,
                               "[Interfaces]\n"
                               "ExcludeInterfaces=eth1 eth2\n"
                               "ExcludeInterfaces=eth3\n"
                               "Drivers=veth\n"),
                         0);
        assert_strv(c.exclude_interfaces, "eth3");
        assert_strv(c.drivers, "veth");
        assert_true(config_driver_allowed(&c, "veth"));
        assert_false(config_driver_allowed(&c, "ena"));
        assert_null(c.warnings);
}

/* ---- syntax ---- */

static void test_syntax(void **state) {
        _cleanup_(config_done) Config c = {};

        init(&c);
        assert_int_equal(parse(&c,
                               "Enable=no\n"                    /* 1: before any section */
                               "   [Main]   \n"                 /* 2: blanks around: fine */
                               "\t Enable \t=\t no \t\n"        /* 3: fine */
                               "enable=yes\n"                   /* 4: keys are case-sensitive */
                               "Enable yes\n"                   /* 5: no '=' */
                               "=yes\n"                         /* 6: no key */
                               "Bogus=1\n"                      /* 7: unknown key */
                               "[main]\n"                       /* 8: unknown section */
                               "Enable=yes\n"                   /* 9: skipped silently */
                               "Whatever=1\n"                   /* 10: skipped silently */
                               "[Main\n"                        /* 11: bad header */
                               "Enable=yes\n"                   /* 12: skipped silently */
                               "[Refresh]\n"
                               "IntervalSec = 90 # not a comment\n" /* 14: bad value */
                               "  # indented comment\n"
                               "  ; indented comment\n"
                               "[Refresh]\n"                    /* a section may repeat */
                               "IntervalSec=90"),               /* no final newline */
                         0);
        assert_false(c.enabled);
        assert_int_equal(c.refresh_interval_sec, 90);
        assert_int_equal(n_warnings(&c), 8);
        assert_string_equal(c.warnings[0],
                            "test.conf:1: Assignment to Enable= outside of any section, ignoring.");
        assert_string_equal(c.warnings[1],
                            "test.conf:4: Unknown key enable= in section [Main], ignoring.");
        assert_string_equal(c.warnings[2], "test.conf:5: Missing '=' in line 'Enable yes', ignoring.");
        assert_string_equal(c.warnings[3], "test.conf:6: Missing key name before '=', ignoring.");
        assert_string_equal(c.warnings[4],
                            "test.conf:7: Unknown key Bogus= in section [Main], ignoring.");
        assert_string_equal(c.warnings[5], "test.conf:8: Unknown section [main], ignoring.");
        assert_string_equal(c.warnings[6], "test.conf:11: Invalid section header '[Main', ignoring.");
        assert_warning(&c, 7, "test.conf:14: Invalid IntervalSec= value '90 # not a comment'");
}

static void test_crlf(void **state) {
        _cleanup_(config_done) Config c = {};

        init(&c);
        assert_int_equal(parse(&c, "[Main]\r\nEnable=no\r\n[Refresh]\r\nIntervalSec=11\r\n"), 0);
        assert_null(c.warnings);
        assert_false(c.enabled);
        assert_int_equal(c.refresh_interval_sec, 11);

        /* A lone CR inside a line is binary junk, not a line break. */
        assert_int_equal(parse(&c, "[Main]\nEnable=yes\rEnable=no\n"), 0);
        assert_false(c.enabled);
        assert_int_equal(n_warnings(&c), 1);
        assert_string_equal(c.warnings[0], "test.conf:2: Line contains binary data, ignoring.");
}

static void test_overlong_line(void **state) {
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ char *text = NULL;
        size_t n = 0;

        init(&c);
        /* A comment of exactly CONFIG_LINE_MAX bytes is fine, one more byte is not; the
         * lines after a long one still count. */
        text = malloc(3 * CONFIG_LINE_MAX + 100);
        assert_non_null(text);
        n += (size_t) sprintf(text + n, "[Main]\n#");
        memset(text + n, 'x', CONFIG_LINE_MAX - 1);
        n += CONFIG_LINE_MAX - 1;
        n += (size_t) sprintf(text + n, "\nEnable=no\n");
        memcpy(text + n, "Enable=yes", 10);
        memset(text + n + 10, ' ', CONFIG_LINE_MAX - 9);
        n += CONFIG_LINE_MAX + 1;
        n += (size_t) sprintf(text + n, "\n[Refresh]\nIntervalSec=42\n");
        assert_int_equal(config_parse_text(&c, text, n, "long.conf"), 0);
        assert_false(c.enabled);
        assert_int_equal(c.refresh_interval_sec, 42);
        assert_int_equal(n_warnings(&c), 1);
        assert_string_equal(c.warnings[0], "long.conf:4: Line longer than 4096 bytes, ignoring.");
}

static void test_nul_and_binary_lines(void **state) {
        static const char text[] = "[Main]\nEnable=no\0 yes\n[Refresh]\nIntervalSec=\x01" "20\n"
                                   "[Boot]\nSeedTimeoutSec=5\xff\n"
                                   "# caf\xc3\xa9 is fine in a comment\n"
                                   "# overlong \xc0\xaf is not\n"
                                   "[Interfaces]\nDrivers=\xc3\xa9na\n";
        _cleanup_(config_done) Config c = {};

        init(&c);
        assert_int_equal(config_parse_text(&c, text, sizeof(text) - 1, "bin.conf"), 0);
        assert_defaults(&c);
        assert_int_equal(n_warnings(&c), 5);
        assert_string_equal(c.warnings[0], "bin.conf:2: Line contains a NUL byte, ignoring.");
        assert_string_equal(c.warnings[1], "bin.conf:4: Line contains binary data, ignoring.");
        assert_string_equal(c.warnings[2],
                            "bin.conf:6: Line contains binary data (not UTF-8), ignoring.");
        assert_warning(&c, 3, "bin.conf:8: Line contains binary data (not UTF-8)");
        assert_warning(&c, 4, "bin.conf:10: Invalid entry");

        /* A sequence cut by the end of the text; an exact-size buffer so that valgrind
         * sees any read past it. */
        {
                static const char cut[] = "[Main]\nEnable=no\xc3";
                _cleanup_free_ char *exact = malloc(sizeof(cut) - 1);

                assert_non_null(exact);
                memcpy(exact, cut, sizeof(cut) - 1);
                assert_int_equal(config_parse_text(&c, exact, sizeof(cut) - 1, "cut.conf"), 0);
                assert_true(c.enabled);
                assert_int_equal(n_warnings(&c), 6);
                assert_string_equal(c.warnings[5],
                                    "cut.conf:2: Line contains binary data (not UTF-8), ignoring.");
        }

        /* Degenerate input. */
        assert_int_equal(config_parse_text(&c, NULL, 0, "empty.conf"), 0);
        assert_int_equal(config_parse_text(&c, "", 0, "empty.conf"), 0);
        assert_int_equal(config_parse_text(&c, NULL, 1, "x"), -EINVAL);
        assert_int_equal(config_parse_text(NULL, "", 0, "x"), -EINVAL);
        /* A byte order mark is skipped. */
        assert_int_equal(parse(&c, "\xef\xbb\xbf[Main]\nEnable=no\n"), 0);
        assert_false(c.enabled);
        assert_int_equal(n_warnings(&c), 6);
}

/* A section header that cannot be read still ends the section before it: the keys under
 * it are dropped, they do not fall into the previous section. */
static void test_unreadable_header_ends_section(void **state) {
        static const char bin[] = "[Main]\n[\xff]\nEnable=no\n";
        static const char nul[] = "[Main]\n  [Ma\0in]\nEnable=no\n";
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ char *text = NULL;
        size_t n = 0;

        init(&c);
        assert_int_equal(config_parse_text(&c, bin, sizeof(bin) - 1, "h.conf"), 0);
        assert_true(c.enabled);
        assert_int_equal(n_warnings(&c), 1);
        assert_string_equal(c.warnings[0],
                            "h.conf:2: Line contains binary data (not UTF-8), ignoring.");

        assert_int_equal(config_parse_text(&c, nul, sizeof(nul) - 1, "h.conf"), 0);
        assert_true(c.enabled);
        assert_int_equal(n_warnings(&c), 2);

        text = malloc(CONFIG_LINE_MAX + 64);
        assert_non_null(text);
        n += (size_t) sprintf(text + n, "[Main]\n[");
        memset(text + n, 'M', CONFIG_LINE_MAX);
        n += CONFIG_LINE_MAX;
        n += (size_t) sprintf(text + n, "]\nEnable=no\n");
        assert_int_equal(config_parse_text(&c, text, n, "h.conf"), 0);
        assert_true(c.enabled);
        assert_int_equal(n_warnings(&c), 3);
        assert_string_equal(c.warnings[2], "h.conf:2: Line longer than 4096 bytes, ignoring.");

        /* A bad line that is not a header leaves the section alone. */
        assert_int_equal(parse(&c, "[Main]\nX=\x01\nEnable=no\n"), 0);
        assert_false(c.enabled);
        (void) state;
}

static void test_warnings_are_bounded(void **state) {
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ char *text = NULL;
        size_t n = 1000 * 4;

        init(&c);
        text = malloc(n);
        assert_non_null(text);
        for (size_t i = 0; i < n; i += 4)
                memcpy(text + i, "xx\n\n", 4);
        assert_int_equal(config_parse_text(&c, text, n, "many.conf"), 0);
        assert_int_equal(n_warnings(&c), CONFIG_WARNINGS_MAX + 1);
        assert_string_equal(c.warnings[CONFIG_WARNINGS_MAX],
                            "many.conf: Too many configuration problems, further diagnostics "
                            "suppressed.");
}

static void test_imds_endpoint_validation(void **state) {
        static const char *const good[] = {
                "http://169.254.169.254", "http://[fd00:ec2::254]", "http://127.0.0.1:8080",
                "http://[::1]:1", "http://localhost", "http://imds.example-1.internal:65535",
        };
        static const char *const bad[] = {
                "", "http://", "http://x/path", "http://x/", "https://169.254.169.254",
                "HTTP://x", "ftp://x", "http://x\n", "http://x\nhttp://y", "http://x:0",
                "http://x:65536", "http://x:", "http://x:08", "http://user@x", "http://x?q",
                "http://[fd00::1", "http://[]", "http://[fd00::g]", "http://a:b:c",
                "http://x#f", " http://x", "http://x y", "http://[::1]x",
        };
        char long_url[CONFIG_IMDS_ENDPOINT_MAX + 2];

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                if (!config_imds_endpoint_is_valid(good[i]))
                        fail_msg("'%s' should be accepted", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (config_imds_endpoint_is_valid(bad[i]))
                        fail_msg("'%s' should be rejected", bad[i]);
        assert_false(config_imds_endpoint_is_valid(NULL));

        memcpy(long_url, "http://", 7);
        memset(long_url + 7, 'a', sizeof(long_url) - 8);
        long_url[sizeof(long_url) - 1] = '\0';
        assert_false(config_imds_endpoint_is_valid(long_url));
        long_url[sizeof(long_url) - 2] = '\0';
        assert_true(config_imds_endpoint_is_valid(long_url));
}

static void test_imds_endpoints_key(void **state) {
        _cleanup_(config_done) Config c = {};

        init(&c);
        assert_int_equal(parse(&c,
                               "[IMDS]\n"
                               "Endpoints=http://127.0.0.1:1 http://127.0.0.1:2 http://127.0.0.1:3 "
                               "http://127.0.0.1:4\n"
                               "Endpoints=http://1.1.1.1 http://2.2.2.2 http://3.3.3.3 "
                               "http://4.4.4.4 http://5.5.5.5\n"
                               "Endpoints=https://127.0.0.1\n"
                               "Endpoints=http://127.0.0.1 http://x/path\n"),
                         0);
        assert_strv(c.imds_endpoints,
                    "http://127.0.0.1:1 http://127.0.0.1:2 http://127.0.0.1:3 http://127.0.0.1:4");
        assert_int_equal(n_warnings(&c), 3);
        assert_warning(&c, 0, "Too many entries in Endpoints=");
        assert_warning(&c, 1, "'https://127.0.0.1'");
        assert_warning(&c, 2, "'http://x/path'");
}

static void test_exclusion(void **state) {
        _cleanup_(config_done) Config c = {};

        init(&c);
        assert_int_equal(parse(&c,
                               "[Interfaces]\n"
                               "ExcludeInterfaces=eth[2-3] docker* veth?x\n"
                               "ExcludeMACs=0A:1B:2C:* 02:00:00:00:00:0[0-9]\n"),
                         0);
        assert_null(c.warnings);
        assert_strv(c.exclude_macs, "0a:1b:2c:* 02:00:00:00:00:0[0-9]");

        assert_true(config_interface_excluded(&c, "eth2", NULL));
        assert_true(config_interface_excluded(&c, "eth3", "06:00:00:00:00:01"));
        assert_false(config_interface_excluded(&c, "eth1", "06:00:00:00:00:01"));
        assert_false(config_interface_excluded(&c, "eth23", NULL));
        assert_true(config_interface_excluded(&c, "docker0", NULL));
        assert_true(config_interface_excluded(&c, "veth1x", NULL));
        assert_false(config_interface_excluded(&c, "Docker0", NULL));

        assert_true(config_interface_excluded(&c, NULL, "0a:1b:2c:dd:ee:ff"));
        assert_true(config_interface_excluded(&c, "eth0", "0A:1B:2C:DD:EE:FF"));
        assert_true(config_interface_excluded(&c, "eth0", "02:00:00:00:00:07"));
        assert_false(config_interface_excluded(&c, "eth0", "02:00:00:00:00:17"));
        assert_false(config_interface_excluded(&c, "eth0", "0a:1b:2d:00:00:00"));
        assert_false(config_interface_excluded(&c, NULL, NULL));
        assert_false(config_interface_excluded(NULL, "eth2", NULL));
}

/* ---- files ---- */

static void load(Config *c, const char *dir, const char *name) {
        _cleanup_free_ char *p = path_join(dir, name);

        init(c);
        assert_int_equal(config_load_from(c, p), 0);
}

static void test_missing_file(void **state) {
        _cleanup_(config_done) Config c = {};

        load(&c, *state, "absent.conf");
        assert_defaults(&c);
        assert_null(c.warnings);
}

static void test_dropin_order(void **state) {
        _cleanup_(config_done) Config c = {};
        const char *dir = *state;

        write_text(dir, "main.conf", "[Refresh]\nIntervalSec=100\n[Main]\nEnable=no\n"
                                     "[Interfaces]\nExcludeInterfaces=eth1\nDrivers=veth\n");
        make_dir(dir, "main.conf.d");
        /* Written out of order: the result must not depend on readdir(). */
        write_text(dir, "main.conf.d/50-b.conf", "[Refresh]\nIntervalSec=500\n"
                                                 "[Interfaces]\nExcludeInterfaces=\n");
        write_text(dir, "main.conf.d/10-a.conf", "[Refresh]\nIntervalSec=200\n[Main]\nEnable=yes\n"
                                                 "[Boot]\nSeedTimeoutSec=7\n");
        write_text(dir, "main.conf.d/90-z.conf.disabled", "[Refresh]\nIntervalSec=900\n");
        write_text(dir, "main.conf.d/.hidden.conf", "[Refresh]\nIntervalSec=901\n");
        write_text(dir, "main.conf.d/README", "not configuration\n");
        write_text(dir, "main.conf.d/20-bad.conf", "[Refresh]\nIntervalSec=5\n");

        load(&c, dir, "main.conf");
        assert_int_equal(c.refresh_interval_sec, 500);
        assert_true(c.enabled);
        assert_int_equal(c.seed_timeout_sec, 7);
        assert_int_equal(strv_length(c.exclude_interfaces), 0);
        assert_strv(c.drivers, "veth");
        assert_int_equal(n_warnings(&c), 1);
        assert_warning(&c, 0, "/main.conf.d/20-bad.conf:2: Invalid IntervalSec= value '5'");
}

static void test_dropins_without_main_file(void **state) {
        _cleanup_(config_done) Config c = {};
        const char *dir = *state;

        make_dir(dir, "main.conf.d");
        write_text(dir, "main.conf.d/a.conf", "[PolicyRouting]\nSecondaryAddresses=no\n");
        load(&c, dir, "main.conf");
        assert_false(c.secondary_addresses);
        assert_null(c.warnings);
}

static void test_unknown_section_and_key_in_file(void **state) {
        _cleanup_(config_done) Config c = {};
        const char *dir = *state;

        write_text(dir, "main.conf", "[Future]\nThing=1\n[Main]\nNewKey=2\nEnable=no\n");
        load(&c, dir, "main.conf");
        assert_false(c.enabled);
        assert_int_equal(n_warnings(&c), 2);
        assert_warning(&c, 0, "main.conf:1: Unknown section [Future], ignoring.");
        assert_warning(&c, 1, "main.conf:4: Unknown key NewKey= in section [Main], ignoring.");
}

static void test_garbage_file(void **state) {
        _cleanup_(config_done) Config c = {};
        const char *dir = *state;
        unsigned char junk[8192];
        uint32_t x = 0x2545f491;

        /* Fixed seed: the same "random" bytes on every run, NUL bytes included. */
        for (size_t i = 0; i < sizeof(junk); i++) {
                x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                junk[i] = (unsigned char) x;
        }
        junk[10] = '\0';
        write_bytes(dir, "main.conf", junk, sizeof(junk));
        load(&c, dir, "main.conf");
        assert_defaults(&c);
        assert_true(n_warnings(&c) >= 1);
        assert_true(n_warnings(&c) <= CONFIG_WARNINGS_MAX + 1);
}

static void test_oversized_file(void **state) {
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ char *text = NULL;
        const char *dir = *state;
        size_t n = CONFIG_FILE_SIZE_MAX + 1;

        /* Valid settings first: a too-big file is ignored as a whole, not cut. */
        text = malloc(n);
        assert_non_null(text);
        memset(text, '#', n);
        memcpy(text, "[Main]\nEnable=no\n", 17);
        for (size_t i = 100; i < n; i += 100)
                text[i] = '\n';
        write_bytes(dir, "main.conf", text, n);
        load(&c, dir, "main.conf");
        assert_true(c.enabled);
        assert_int_equal(n_warnings(&c), 1);
        assert_warning(&c, 0, "main.conf: File larger than 65536 bytes, ignoring.");
        config_done(&c);

        /* Exactly the limit is fine. */
        write_bytes(dir, "main.conf", text, n - 1);
        load(&c, dir, "main.conf");
        assert_false(c.enabled);
        assert_null(c.warnings);
}

static void test_not_a_file(void **state) {
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ char *fifo = NULL, *null_link = NULL;
        const char *dir = *state;

        /* A directory where the file should be, a file where the directory should be. */
        make_dir(dir, "main.conf");
        write_text(dir, "main.conf.d", "[Main]\nEnable=no\n");
        load(&c, dir, "main.conf");
        assert_defaults(&c);
        assert_int_equal(n_warnings(&c), 2);
        assert_warning(&c, 0, "main.conf: Is a directory, not a file, ignoring.");
        assert_warning(&c, 1, "main.conf.d: Failed to open drop-in directory: ");
        config_done(&c);

        /* In the drop-in directory: a directory, a FIFO (must not block), a link to
         * /dev/null (masks, quietly), a dangling link (as good as absent). */
        write_text(dir, "other.conf", "[Refresh]\nIntervalSec=77\n");
        make_dir(dir, "other.conf.d");
        make_dir(dir, "other.conf.d/10-dir.conf");
        fifo = path_join(dir, "other.conf.d/20-fifo.conf");
        assert_int_equal(mkfifo(fifo, 0644), 0);
        null_link = path_join(dir, "other.conf.d/30-null.conf");
        assert_int_equal(symlink("/dev/null", null_link), 0);
        free(null_link);
        null_link = path_join(dir, "other.conf.d/40-dangling.conf");
        assert_int_equal(symlink("/nonexistent/ec2net", null_link), 0);
        load(&c, dir, "other.conf");
        assert_int_equal(c.refresh_interval_sec, 77);
        assert_int_equal(n_warnings(&c), 2);
        assert_warning(&c, 0, "10-dir.conf: Is a directory, not a file, ignoring.");
        assert_warning(&c, 1, "20-fifo.conf: Not a regular file, ignoring.");
}

static void test_unreadable_file(void **state) {
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ char *p = NULL;
        const char *dir = *state;

        /* An open() failure that root gets too: a symlink loop. */
        p = path_join(dir, "loop.conf");
        assert_int_equal(symlink("loop.conf", p), 0);
        load(&c, dir, "loop.conf");
        assert_defaults(&c);
        assert_int_equal(n_warnings(&c), 1);
        assert_warning(&c, 0, "loop.conf: Failed to open: ");
        config_done(&c);
        free(p);
        p = NULL;

        if (geteuid() == 0)
                skip(); /* root reads files whatever their mode */
        write_text(dir, "main.conf", "[Main]\nEnable=no\n");
        p = path_join(dir, "main.conf");
        assert_int_equal(chmod(p, 0), 0);
        load(&c, dir, "main.conf");
        assert_true(c.enabled);
        assert_int_equal(n_warnings(&c), 1);
        assert_warning(&c, 0, "main.conf: Failed to open: Permission denied, ignoring.");
}

static void test_too_many_dropins(void **state) {
        _cleanup_(config_done) Config c = {};
        const char *dir = *state;
        unsigned total = CONFIG_DROPINS_MAX + 44;

        make_dir(dir, "main.conf.d");
        /* Created from the last to the first; only the lexically first 256 are read, so the
         * last one applied sets IntervalSec to 10 + 255. */
        for (unsigned i = total; i-- > 0;) {
                char name[64], text[64];

                snprintf(name, sizeof(name), "main.conf.d/d%03u.conf", i);
                snprintf(text, sizeof(text), "[Refresh]\nIntervalSec=%u\n", 10 + i);
                write_text(dir, name, text);
        }
        load(&c, dir, "main.conf");
        assert_int_equal(c.refresh_interval_sec, 10 + CONFIG_DROPINS_MAX - 1);
        assert_int_equal(n_warnings(&c), 1);
        assert_warning(&c, 0, "More than 256 drop-ins, only the first 256 are read");
}

/* The shipped example documents every key with its default: as shipped it changes nothing,
 * and with every "#Key=" line uncommented it still changes nothing. */
static void test_example_file(void **state) {
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ char *text = NULL;
        const char *path = SOURCE_DIR "/units/amazon-ec2-net-utils.conf";
        size_t n = 0, keys = 0;
        FILE *f;

        f = fopen(path, "re");
        assert_non_null(f);
        text = malloc(CONFIG_FILE_SIZE_MAX);
        assert_non_null(text);
        n = fread(text, 1, CONFIG_FILE_SIZE_MAX, f);
        assert_true(n > 0 && n < CONFIG_FILE_SIZE_MAX);
        assert_int_equal(fclose(f), 0);

        init(&c);
        assert_int_equal(config_parse_text(&c, text, n, path), 0);
        assert_defaults(&c);
        assert_null(c.warnings);

        for (size_t i = 0; i + 1 < n; i++)
                if ((i == 0 || text[i - 1] == '\n') && text[i] == '#' && text[i + 1] >= 'A' &&
                    text[i + 1] <= 'Z') {
                        text[i] = ' ';
                        keys++;
                }
        assert_int_equal(keys, 11);
        assert_int_equal(config_parse_text(&c, text, n, path), 0);
        assert_defaults(&c);
        assert_null(c.warnings);
}

/* ---- environment ---- */

static void test_env_config_path(void **state) {
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ char *p = NULL;
        const char *dir = *state;

        write_text(dir, "env.conf", "[Main]\nEnable=no\n[IMDS]\nEndpoints=http://127.0.0.1:9\n");
        make_dir(dir, "env.conf.d");
        write_text(dir, "env.conf.d/a.conf", "[Refresh]\nIntervalSec=15\n");
        p = path_join(dir, "env.conf");
        assert_int_equal(setenv(CONFIG_ENV_PATH, p, 1), 0);
        unsetenv(CONFIG_ENV_IMDS_ENDPOINTS);

        init(&c);
        assert_int_equal(config_load(&c), 0);
        assert_false(c.enabled);
        assert_int_equal(c.refresh_interval_sec, 15);
        assert_strv(c.imds_endpoints, "http://127.0.0.1:9");
        assert_null(c.warnings);
        config_done(&c);

        /* The environment overrides the file's endpoints. */
        assert_int_equal(setenv(CONFIG_ENV_IMDS_ENDPOINTS, " http://127.0.0.1:1234\thttp://[::1]:1234 ",
                                1), 0);
        init(&c);
        assert_int_equal(config_load(&c), 0);
        assert_strv(c.imds_endpoints, "http://127.0.0.1:1234 http://[::1]:1234");
        assert_null(c.warnings);
        config_done(&c);

        /* Invalid environment values are diagnosed, and the file's value stays. */
        static const char *const bad[] = {
                "http://x/path", "https://127.0.0.1", "http://127.0.0.1\nhttp://[::1]",
                "http://1.1.1.1 http://2.2.2.2 http://3.3.3.3 http://4.4.4.4 http://5.5.5.5",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_int_equal(setenv(CONFIG_ENV_IMDS_ENDPOINTS, bad[i], 1), 0);
                init(&c);
                assert_int_equal(config_load(&c), 0);
                assert_strv(c.imds_endpoints, "http://127.0.0.1:9");
                assert_int_equal(n_warnings(&c), 1);
                assert_warning(&c, 0, "$EC2NET_IMDS_ENDPOINTS: ");
                config_done(&c);
        }

        /* Set but blank counts as unset. */
        assert_int_equal(setenv(CONFIG_ENV_IMDS_ENDPOINTS, "  ", 1), 0);
        init(&c);
        assert_int_equal(config_load(&c), 0);
        assert_strv(c.imds_endpoints, "http://127.0.0.1:9");
        assert_null(c.warnings);
        config_done(&c);

        /* The environment works without any file too. */
        free(p);
        p = path_join(dir, "absent.conf");
        assert_int_equal(setenv(CONFIG_ENV_PATH, p, 1), 0);
        assert_int_equal(setenv(CONFIG_ENV_IMDS_ENDPOINTS, "http://127.0.0.1:5", 1), 0);
        init(&c);
        assert_int_equal(config_load(&c), 0);
        assert_true(c.enabled);
        assert_strv(c.imds_endpoints, "http://127.0.0.1:5");
        assert_null(c.warnings);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_every_key_good),
                cmocka_unit_test(test_booleans),
                cmocka_unit_test(test_bad_values_keep_setting),
                cmocka_unit_test(test_empty_assignment_resets),
                cmocka_unit_test(test_later_assignment_replaces_list),
                cmocka_unit_test(test_syntax),
                cmocka_unit_test(test_crlf),
                cmocka_unit_test(test_overlong_line),
                cmocka_unit_test(test_nul_and_binary_lines),
                cmocka_unit_test(test_unreadable_header_ends_section),
                cmocka_unit_test(test_warnings_are_bounded),
                cmocka_unit_test(test_imds_endpoint_validation),
                cmocka_unit_test(test_imds_endpoints_key),
                cmocka_unit_test(test_exclusion),
                cmocka_unit_test(test_example_file),
                cmocka_unit_test_setup_teardown(test_missing_file, setup_tmpdir, teardown_config_tmpdir),
                cmocka_unit_test_setup_teardown(test_dropin_order, setup_tmpdir, teardown_config_tmpdir),
                cmocka_unit_test_setup_teardown(test_dropins_without_main_file, setup_tmpdir,
                                                teardown_config_tmpdir),
                cmocka_unit_test_setup_teardown(test_unknown_section_and_key_in_file, setup_tmpdir,
                                                teardown_config_tmpdir),
                cmocka_unit_test_setup_teardown(test_garbage_file, setup_tmpdir, teardown_config_tmpdir),
                cmocka_unit_test_setup_teardown(test_oversized_file, setup_tmpdir, teardown_config_tmpdir),
                cmocka_unit_test_setup_teardown(test_not_a_file, setup_tmpdir, teardown_config_tmpdir),
                cmocka_unit_test_setup_teardown(test_unreadable_file, setup_tmpdir, teardown_config_tmpdir),
                cmocka_unit_test_setup_teardown(test_too_many_dropins, setup_tmpdir, teardown_config_tmpdir),
                cmocka_unit_test_setup_teardown(test_env_config_path, setup_tmpdir, teardown_config_tmpdir),
        };

        /* The tests set these themselves; whatever the caller's environment says must not
         * leak in. */
        unsetenv(CONFIG_ENV_PATH);
        unsetenv(CONFIG_ENV_IMDS_ENDPOINTS);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
