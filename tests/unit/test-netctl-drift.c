/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The comparison of ec2-netctl status (netctl-drift.c), on hand-built models: an interface
 * in sync has no finding; each way the views can disagree gives its finding, with what was
 * expected, what was found and the right remedy (a refresh when the files are outdated,
 * networkctl reconfigure when they are current but networkd did not apply them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "error-codes.h"
#include "netctl-drift.h"
#include "netctl-fixture.h"

typedef struct Fixture {
        Config config;
        NetctlInterface i;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);

        if (!f || config_init_defaults(&f->config) < 0)
                return -1;
        fixture_interface(&f->i, &f->config);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        netctl_interface_done(&f->i);
        config_done(&f->config);
        free(f);
        return 0;
}

static void test_in_sync(void **state) {
        Fixture *f = *state;

        assert_int_equal(netctl_drift_check(&f->i), 0);
        assert_int_equal(f->i.findings.n, 0);
}

static void test_rule_deleted_by_hand(void **state) {
        Fixture *f = *state;
        const Finding *x;

        f->i.kernel.n_rules = 1;   /* 10.0.2.21's rule is gone */
        assert_int_equal(netctl_drift_check(&f->i), 0);
        assert_int_equal(f->i.findings.n, 1);
        x = fixture_find(&f->i, "rule-missing");
        assert_non_null(x);
        assert_int_equal(x->severity, SEVERITY_ERROR);
        assert_string_equal(x->interface, "ens6");
        assert_string_equal(x->expected, "10001: from 10.0.2.21 lookup 10001");
        assert_null(x->found);
        /* The file asks for it already: only networkd re-applying it helps. */
        assert_string_equal(x->remedy, "networkctl reconfigure ens6");
}

static void test_ip_assigned_not_refreshed(void **state) {
        Fixture *f = *state;
        const Finding *x;

        strv_extend(&f->i.imds.state.eni.ipv4s, "10.0.2.22");
        fixture_render(&f->i, &f->config);   /* IMDS changed; the files on disk did not */
        assert_int_equal(netctl_drift_check(&f->i), 0);
        assert_int_equal(fixture_count(&f->i, "file-outdated"), 2);   /* policy_4 and alias */
        x = fixture_find(&f->i, "file-outdated");
        assert_string_equal(x->found, "12 lines, 5 to add and 0 to remove");
        x = fixture_find(&f->i, "rule-missing");
        assert_non_null(x);
        assert_string_equal(x->expected, "10001: from 10.0.2.22 lookup 10001");
        assert_string_equal(x->remedy, "setup-policy-routes ens6 refresh");
        x = fixture_find(&f->i, "address-missing");
        assert_non_null(x);
        assert_string_equal(x->expected, "10.0.2.22/32");
        assert_string_equal(x->remedy, "setup-policy-routes ens6 refresh");
        assert_int_equal(f->i.findings.n, 4);
}

static void test_ip_unassigned_not_refreshed(void **state) {
        Fixture *f = *state;
        const Finding *x;

        free(f->i.imds.state.eni.ipv4s[1]);
        f->i.imds.state.eni.ipv4s[1] = NULL;
        fixture_render(&f->i, &f->config);
        assert_int_equal(netctl_drift_check(&f->i), 0);
        /* The alias file would go, the rule file change; the kernel keeps both. */
        assert_non_null(fixture_find(&f->i, "file-extra"));
        assert_non_null(fixture_find(&f->i, "file-outdated"));
        x = fixture_find(&f->i, "rule-extra");
        assert_non_null(x);
        assert_string_equal(x->found, "10001: from 10.0.2.21 lookup 10001 proto static");
        x = fixture_find(&f->i, "address-extra");
        assert_non_null(x);
        assert_string_equal(x->found, "10.0.2.21/32");
}

static void test_foreign_rule_at_our_priority(void **state) {
        Fixture *f = *state;
        KernelRule foreign = fixture_rule("10.9.9.9/32", 10001, 200);
        const Finding *x;

        foreign.protocol = RTPROT_BOOT;
        fixture_add_rule(&f->i, foreign);
        assert_int_equal(netctl_drift_check(&f->i), 0);
        assert_int_equal(f->i.findings.n, 1);
        x = fixture_find(&f->i, "rule-foreign");
        assert_non_null(x);
        assert_int_equal(x->severity, SEVERITY_ERROR);
        assert_string_equal(x->found, "10001: from 10.9.9.9 lookup 200 proto boot");
}

static void test_shadowed(void **state) {
        Fixture *f = *state;
        const Finding *x;

        free(f->i.networkd.network_file);
        f->i.networkd.network_file = strdup("/etc/systemd/network/10-netplan-ens6.network");
        f->i.unmanaged = UNMANAGED_SHADOWED;
        f->i.kernel.n_rules = 0;   /* our drop-ins do not apply: no rules */
        assert_int_equal(netctl_drift_check(&f->i), 0);
        x = fixture_find(&f->i, "network-file-other");
        assert_non_null(x);
        assert_string_equal(x->expected, EC2NET_FILE_PREFIX "-ens6.network");
        assert_string_equal(x->found, "/etc/systemd/network/10-netplan-ens6.network");
        /* The consequences are not reported as causes of their own. */
        assert_int_equal(fixture_count(&f->i, "rule-missing"), 0);
        assert_int_equal(f->i.findings.n, 1);
}

static void test_etc_override_of_same_name_is_ours(void **state) {
        Fixture *f = *state;

        free(f->i.networkd.network_file);
        f->i.networkd.network_file = strdup("/etc/systemd/network/" EC2NET_FILE_PREFIX "-ens6.network");
        assert_true(netctl_network_file_is_ours("ens6", f->i.networkd.network_file));
        assert_false(netctl_network_file_is_ours("ens6", "/run/systemd/network/" EC2NET_FILE_PREFIX "-ens60.network"));
        assert_false(netctl_network_file_is_ours("ens6", NULL));
        assert_int_equal(netctl_drift_check(&f->i), 0);
        assert_int_equal(f->i.findings.n, 0);
}

static void test_not_configured(void **state) {
        Fixture *f = *state;
        const Finding *x;

        for (int k = 0; k < _IFACE_FILE_MAX; k++) {
                free(f->i.files[k].found);
                f->i.files[k].found = NULL;
        }
        f->i.have_files = false;
        free(f->i.networkd.network_file);
        f->i.networkd.network_file = strdup("/usr/lib/systemd/network/80-ec2.network");
        assert_int_equal(netctl_drift_check(&f->i), 0);
        x = fixture_find(&f->i, "not-configured");
        assert_non_null(x);
        assert_string_equal(x->remedy, "setup-policy-routes ens6 start");
        assert_int_equal(fixture_count(&f->i, "file-missing"), 0);
}

static void test_route_altname_address(void **state) {
        Fixture *f = *state;
        const Finding *x;

        f->i.kernel.n_routes = 1;                  /* the subnet route is gone */
        f->i.kernel.altnames[1] = (free(f->i.kernel.altnames[1]), NULL);   /* device-number-1 too */
        fixture_add_address(&f->i, AF_INET, "10.0.2.99", 32, RT_SCOPE_UNIVERSE);
        fixture_add_address(&f->i, AF_INET, "169.254.0.5", 16, RT_SCOPE_LINK);   /* never reported */
        assert_int_equal(netctl_drift_check(&f->i), 0);
        x = fixture_find(&f->i, "route-missing");
        assert_non_null(x);
        assert_string_equal(x->expected, "10.0.2.0/24 table 10001");
        x = fixture_find(&f->i, "altname-missing");
        assert_non_null(x);
        assert_string_equal(x->expected, "device-number-1");
        assert_int_equal(x->severity, SEVERITY_WARNING);
        x = fixture_find(&f->i, "address-extra");
        assert_non_null(x);
        assert_string_equal(x->found, "10.0.2.99/32");
        assert_int_equal(f->i.findings.n, 3);
}

static void test_prefix_addresses_are_the_enis(void **state) {
        Fixture *f = *state;

        strv_extend(&f->i.imds.state.eni.ipv4_prefixes, "10.0.2.48/28");
        fixture_render(&f->i, &f->config);
        fixture_write_files(&f->i);
        fixture_add_rule(&f->i, fixture_rule("10.0.2.48/28", 10001, 10001));
        /* An address of the delegated prefix, put on by the operator. */
        fixture_add_address(&f->i, AF_INET, "10.0.2.50", 32, RT_SCOPE_UNIVERSE);
        assert_int_equal(netctl_drift_check(&f->i), 0);
        assert_int_equal(f->i.findings.n, 0);
        /* One outside it is not. */
        fixture_add_address(&f->i, AF_INET, "10.0.2.64", 32, RT_SCOPE_UNIVERSE);
        assert_int_equal(netctl_drift_check(&f->i), 0);
        assert_int_equal(fixture_count(&f->i, "address-extra"), 1);
}

static void test_primary_gets_no_rule(void **state) {
        Fixture *f = *state;

        f->i.imds.state.eni.device_number = 0;
        f->i.imds.state.eni.primary = true;
        fixture_render(&f->i, &f->config);
        fixture_write_files(&f->i);
        /* networkd applied the primary's files (no policy file), but a rule exists. */
        for (size_t k = 0; k < f->i.kernel.n_rules; k++)
                f->i.kernel.rules[k].priority = f->i.kernel.rules[k].table = 10000;
        for (size_t k = 0; k < f->i.kernel.n_routes; k++)
                f->i.kernel.routes[k].table = 10000;
        strv_free(f->i.kernel.altnames);
        f->i.kernel.altnames = strv_copy((char *[]) { "eni-0a0000000000000a6", "device-number-0", NULL });
        assert_null(f->i.files[IFACE_FILE_POLICY4].expected);
        assert_int_equal(netctl_drift_check(&f->i), 0);
        assert_int_equal(fixture_count(&f->i, "rule-extra"), 2);
        assert_int_equal(f->i.findings.n, 2);
}

static void test_unmanaged_with_files(void **state) {
        Fixture *f = *state;

        f->i.unmanaged = UNMANAGED_EXCLUDED;
        f->i.kernel.n_rules = 0;
        assert_int_equal(netctl_drift_check(&f->i), 0);
        assert_int_equal(f->i.findings.n, 1);
        assert_string_equal(f->i.findings.items[0].id, "unmanaged-has-files");
        assert_string_equal(f->i.findings.items[0].remedy, "setup-policy-routes ens6 remove");
}

static void test_imds_and_last_run(void **state) {
        Fixture *f = *state;
        const Finding *x;

        interface_state_done(&f->i.imds.state);
        f->i.imds.source = IMDS_VIEW_NONE;
        f->i.imds.error = -EIMDS_TIMEOUT;
        for (int k = 0; k < _IFACE_FILE_MAX; k++)
                f->i.files[k].expected_known = false;
        run_record_init(&f->i.run, "refresh", -EIMDS_BUSY, false, 3);
        f->i.have_run = true;
        assert_int_equal(netctl_drift_check(&f->i), 0);
        x = fixture_find(&f->i, "imds-error");
        assert_non_null(x);
        assert_string_equal(x->found, error_to_string(-EIMDS_TIMEOUT));
        x = fixture_find(&f->i, "last-run-failed");
        assert_non_null(x);
        assert_string_equal(x->found, error_to_string(-EIMDS_BUSY));
        /* Without an IMDS view nothing else can be compared. */
        assert_int_equal(f->i.findings.n, 2);

        finding_list_done(&f->i.findings);
        f->i.imds.error = -EIMDS_DISABLED;
        f->i.have_run = false;
        assert_int_equal(netctl_drift_check(&f->i), 0);
        x = fixture_find(&f->i, "imds-disabled");
        assert_non_null(x);
        assert_int_equal(x->severity, SEVERITY_WARNING);
}

static void test_networkd_states(void **state) {
        Fixture *f = *state;

        free(f->i.networkd.admin_state);
        f->i.networkd.admin_state = strdup("failed");
        assert_int_equal(netctl_drift_check(&f->i), 0);
        assert_non_null(fixture_find(&f->i, "link-failed"));
        finding_list_done(&f->i.findings);

        free(f->i.networkd.admin_state);
        f->i.networkd.admin_state = strdup("configuring");
        assert_int_equal(netctl_drift_check(&f->i), 0);
        assert_int_equal(fixture_find(&f->i, "link-configuring")->severity, SEVERITY_INFO);
        assert_int_equal(finding_list_problems(&f->i.findings), 0);
        finding_list_done(&f->i.findings);

        free(f->i.networkd.network_file);
        f->i.networkd.network_file = NULL;
        free(f->i.networkd.admin_state);
        f->i.networkd.admin_state = strdup("unmanaged");
        assert_int_equal(netctl_drift_check(&f->i), 0);
        assert_non_null(fixture_find(&f->i, "link-unmanaged"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
                T(test_in_sync),
                T(test_rule_deleted_by_hand),
                T(test_ip_assigned_not_refreshed),
                T(test_ip_unassigned_not_refreshed),
                T(test_foreign_rule_at_our_priority),
                T(test_shadowed),
                T(test_etc_override_of_same_name_is_ours),
                T(test_not_configured),
                T(test_route_altname_address),
                T(test_prefix_addresses_are_the_enis),
                T(test_primary_gets_no_rule),
                T(test_unmanaged_with_files),
                T(test_imds_and_last_run),
                T(test_networkd_states),
#undef T
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
