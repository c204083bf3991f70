/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ec2-netctl's rendering (netctl-json.c, netctl-table.c), pure functions of a hand-built
 * model:
 *   - the JSON schema test: the man page ec2-netctl(8) lists every field (lines of the form
 *     \fB.path\fR in JSON OUTPUT); a fully populated status must have exactly those fields,
 *     none missing and none undocumented, and so must every finding object;
 *   - values in the JSON (numbers, nulls, times) and the text output (table, details,
 *     colour only when asked for).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "error-codes.h"
#include "netctl-drift.h"
#include "netctl-fixture.h"
#include "netctl-json.h"
#include "netctl-schema.h"
#include "netctl-table.h"

static void build_status(NetctlStatus *s, Config *c) {
        NetctlInterface *i;

        assert_int_equal(config_init_defaults(c), 0);
        s->host = (NetctlHost) {
                .now_usec = 1764630060ULL * USEC_PER_SEC,
                .enabled = true,
                .config_files = strv_copy((char *[]) { "/etc/amazon-ec2-net-utils.conf", NULL }),
                .config_warnings = strv_copy((char *[]) { "/etc/x.conf:3: Unknown key, ignoring.", NULL }),
                .network_dir = strdup("/run/systemd/network"),
                .runtime_dir = strdup("/run/amazon-ec2-net-utils"),
                .networkd_known = true,
                .networkd_version = strdup("252.39-1~deb12u2"),
                .systemd_known = true,
                .imds_endpoint = strdup("http://169.254.169.254"),
                .imds_interface = strdup("ens6"),
                .imds_requests = 3,
        };
        i = netctl_status_add_interface(s);
        assert_non_null(i);
        fixture_interface(i, c);
        i->networkd.dropin_files = strv_copy((char *[]) { "/run/systemd/network/" EC2NET_FILE_PREFIX "-ens6.network.d/eni.conf", NULL });
        run_record_init(&i->run, "refresh", 0, false, 2);
        i->run.time_usec = i->run.last_success_usec = 1764630000ULL * USEC_PER_SEC;
        i->have_run = true;
        i->timer = (NetctlTimerView) { .known = true, .active_state = strdup("active"),
                                       .next_usec = 1764630090ULL * USEC_PER_SEC };
        i->kernel.n_rules = 1;   /* one finding, so that finding objects are walked */
        assert_int_equal(netctl_drift_check(i), 0);
        assert_int_equal(finding_add(&s->findings, "stale-files", SEVERITY_WARNING, NULL, "absent", "ens9",
                                     "setup-policy-routes ens9 remove", "Left for ens9."), 0);
}

static void test_status_fields_are_documented(void **state) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        _cleanup_(config_done) Config c = {};
        json_auto_t *j = NULL;

        build_status(&s, &c);
        assert_int_equal(netctl_status_to_json(&s, &j), 0);
        check_documented(j, "status");
}

static void test_status_values(void **state) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        _cleanup_(config_done) Config c = {};
        json_auto_t *j = NULL;
        const json_t *i, *f;

        build_status(&s, &c);
        assert_int_equal(netctl_status_to_json(&s, &j), 0);
        assert_string_equal(json_string_value(json_object_get(j, "schema")), "ec2-netctl/1");
        assert_string_equal(json_string_value(json_object_get(j, "time")), "2025-12-01T23:01:00Z");
        i = json_array_get(json_object_get(j, "interfaces"), 0);
        assert_int_equal(json_integer_value(json_object_get(i, "table")), 10001);
        assert_int_equal(json_integer_value(json_object_get(i, "metric")), 513);
        assert_true(json_is_null(json_object_get(i, "network_card")));
        assert_true(json_is_false(json_object_get(i, "primary")));
        assert_int_equal(json_integer_value(json_object_get(json_object_get(i, "imds"), "age_sec")), 60);
        assert_string_equal(json_string_value(json_object_get(json_object_get(i, "last_run"), "result")), "ok");
        assert_string_equal(json_string_value(json_object_get(json_object_get(i, "refresh_timer"), "next_time")),
                            "2025-12-01T23:01:30Z");
        f = json_array_get(json_object_get(i, "findings"), 0);
        assert_string_equal(json_string_value(json_object_get(f, "id")), "rule-missing");
        assert_string_equal(json_string_value(json_object_get(f, "severity")), "error");
        assert_string_equal(json_string_value(json_object_get(f, "expected")), "10001: from 10.0.2.21 lookup 10001");
        assert_true(json_is_null(json_object_get(f, "found")));
        f = json_object_get(j, "summary");
        assert_int_equal(json_integer_value(json_object_get(f, "findings")), 2);
        assert_int_equal(json_integer_value(json_object_get(f, "problems")), 2);
        assert_true(json_is_false(json_object_get(f, "in_sync")));

        /* Without an IMDS view the ENI's fields are null, not absent. */
        interface_state_done(&s.interfaces[0].imds.state);
        s.interfaces[0].imds.source = IMDS_VIEW_NONE;
        s.interfaces[0].imds.error = -EIMDS_TIMEOUT;
        json_decref(j);
        j = NULL;
        assert_int_equal(netctl_status_to_json(&s, &j), 0);
        i = json_array_get(json_object_get(j, "interfaces"), 0);
        assert_true(json_is_null(json_object_get(i, "table")));
        assert_true(json_is_null(json_object_get(json_object_get(i, "imds"), "ipv4s")));
        assert_string_equal(json_string_value(json_object_get(json_object_get(i, "imds"), "error")),
                            error_to_string(-EIMDS_TIMEOUT));
}

static char *dump(const NetctlStatus *s, bool detailed, bool colour) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        assert_non_null(f);
        assert_int_equal(netctl_status_dump(f, s, detailed, colour), 0);
        fclose(f);
        return buf;
}

static void test_text(void **state) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        _cleanup_(config_done) Config c = {};
        _cleanup_free_ char *table = NULL, *details = NULL, *coloured = NULL;

        build_status(&s, &c);
        table = dump(&s, false, false);
        assert_non_null(strstr(table, "amazon-ec2-net-utils "));
        assert_non_null(strstr(table, "systemd-networkd 252.39-1~deb12u2"));
        assert_non_null(strstr(table, "IDX IFACE"));
        assert_non_null(strstr(table, "  6 ens6       0e:00:00:00:00:06 eni-0a0000000000000a6     1  10001    513 yes"));
        assert_non_null(strstr(table, "✗ ens6 rule-missing: No policy rule from 10.0.2.21/32 at priority 10001"));
        assert_non_null(strstr(table, "    expected: 10001: from 10.0.2.21 lookup 10001\n"));
        assert_non_null(strstr(table, "    fix:      networkctl reconfigure ens6\n"));
        assert_non_null(strstr(table, "! stale-files: Left for ens9."));
        assert_non_null(strstr(table, "1 interface, 2 problems."));
        assert_null(strchr(table, '\033'));

        details = dump(&s, true, false);
        assert_non_null(strstr(details, "● 6: ens6\n"));
        assert_non_null(strstr(details, "  Table/priority: 10001, metric 513\n"));
        assert_non_null(strstr(details, "           Rules: 10001: from 10.0.2.20 lookup 10001 proto static\n"));
        assert_non_null(strstr(details, "     Table 10001: default via 10.0.2.1 dev ens6 proto dhcp metric 513\n"));
        assert_non_null(strstr(details, "        Altnames: eni-0a0000000000000a6 device-number-1\n"));
        assert_non_null(strstr(details, "   Refresh timer: active, next in 30 s\n"));
        assert_non_null(strstr(details, EC2NET_FILE_PREFIX "-ens6.network.d/ec2net_alias.conf          in sync\n"));
        assert_null(strchr(details, '\033'));

        coloured = dump(&s, true, true);
        assert_non_null(strstr(coloured, "\033[0;31m●\033[0m 6: ens6"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_status_fields_are_documented),
                cmocka_unit_test(test_status_values),
                cmocka_unit_test(test_text),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
