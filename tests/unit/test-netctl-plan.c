/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ec2-netctl plan (netctl-plan.c) on hand-built models: nothing to do when in sync; an
 * address assigned in IMDS gives the diffs of the two files, the rule and address networkd
 * would add, one reload that reconfigures the link; a rule deleted by hand while the files
 * are current is left as it is (a refresh does not reload); a pending reload; other agents'
 * rules networkd would remove; an ENI never set up (start); an unmanaged one; the JSON
 * fields documented in ec2-netctl(8) and the text output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "error-codes.h"
#include "netctl-drift.h"
#include "netctl-fixture.h"
#include "netctl-json.h"
#include "netctl-plan.h"
#include "netctl-schema.h"
#include "netctl-table.h"

typedef struct Fixture {
        Config config;
        NetctlStatus s;
        NetctlPlan p;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        NetctlInterface *i;

        if (!f || config_init_defaults(&f->config) < 0)
                return -1;
        f->s.host = (NetctlHost) { .now_usec = 1764630060ULL * USEC_PER_SEC, .enabled = true,
                                   .networkd_known = true, .manage_foreign_rules = true,
                                   .manage_foreign_routes = true };
        i = netctl_status_add_interface(&f->s);
        fixture_interface(i, &f->config);
        /* The whole kernel as the snapshot has it: the ENI's rules and the kernel's own. */
        f->s.kernel.rules = calloc(3, sizeof(KernelRule));
        f->s.kernel.rules[0] = i->kernel.rules[0];
        f->s.kernel.rules[1] = i->kernel.rules[1];
        f->s.kernel.rules[2] = fixture_rule("", 32766, 254);
        f->s.kernel.rules[2].protocol = RTPROT_KERNEL;
        f->s.kernel.n_rules = 3;
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        netctl_plan_done(&f->p);
        netctl_status_done(&f->s);
        config_done(&f->config);
        free(f);
        return 0;
}

static void plan(Fixture *f) {
        for (size_t k = 0; k < f->s.n_interfaces; k++) {
                finding_list_done(&f->s.interfaces[k].findings);
                assert_int_equal(netctl_drift_check(&f->s.interfaces[k]), 0);
        }
        netctl_plan_done(&f->p);
        assert_int_equal(netctl_plan_compute(&f->s, &f->p), 0);
}

static void test_in_sync(void **state) {
        Fixture *f = *state;

        plan(f);
        assert_int_equal(f->p.n_interfaces, 1);
        assert_string_equal(f->p.interfaces[0].action, "refresh");
        assert_int_equal(f->p.interfaces[0].n_files, 0);
        assert_false(f->p.interfaces[0].reconfigure);
        assert_false(f->p.reload);
        assert_int_equal(netctl_plan_changes(&f->p), 0);
        assert_int_equal(netctl_plan_problems(&f->p), 0);
}

static void test_ip_assigned(void **state) {
        Fixture *f = *state;
        NetctlInterface *i = &f->s.interfaces[0];
        const PlanInterface *x;

        strv_extend(&i->imds.state.eni.ipv4s, "10.0.2.22");
        fixture_render(i, &f->config);
        plan(f);
        x = &f->p.interfaces[0];
        assert_int_equal(x->n_files, 2);
        assert_string_equal(x->files[0].name, EC2NET_FILE_PREFIX "-ens6.network.d/ec2net_policy_4.conf");
        assert_int_equal(x->files[0].change, PLAN_FILE_UPDATE);
        assert_string_equal(x->files[0].diff,
                            "--- a/" EC2NET_FILE_PREFIX "-ens6.network.d/ec2net_policy_4.conf\n"
                            "+++ b/" EC2NET_FILE_PREFIX "-ens6.network.d/ec2net_policy_4.conf\n"
                            "@@ -10,3 +10,8 @@\n From=10.0.2.21\n Priority=10001\n Table=10001\n"
                            "+\n+[RoutingPolicyRule]\n+From=10.0.2.22\n+Priority=10001\n+Table=10001\n");
        assert_int_equal(x->files[0].added, 5);
        assert_string_equal(x->files[1].name, EC2NET_FILE_PREFIX "-ens6.network.d/ec2net_alias.conf");
        assert_true(x->reconfigure);
        assert_true(strv_equal(x->rules_add, (char *[]) { "10001: from 10.0.2.22 lookup 10001", NULL }));
        assert_true(strv_equal(x->addresses_add, (char *[]) { "10.0.2.22/32", NULL }));
        assert_null(x->rules_remove);
        assert_null(x->addresses_remove);
        assert_true(f->p.reload);
        assert_true(strv_equal(f->p.reconfigure, (char *[]) { "ens6", NULL }));
        /* The rule and address missing now are what the reload brings: nothing left wrong. */
        assert_int_equal(x->not_fixed.n, 0);
        assert_int_equal(netctl_plan_changes(&f->p), 2 + 1 + 1 + 1);
}

static void test_ip_unassigned(void **state) {
        Fixture *f = *state;
        NetctlInterface *i = &f->s.interfaces[0];
        const PlanInterface *x;

        free(i->imds.state.eni.ipv4s[1]);
        i->imds.state.eni.ipv4s[1] = NULL;
        fixture_render(i, &f->config);
        plan(f);
        x = &f->p.interfaces[0];
        assert_int_equal(x->n_files, 2);
        assert_int_equal(x->files[1].change, PLAN_FILE_REMOVE);
        assert_true(strv_equal(x->rules_remove, (char *[]) { "10001: from 10.0.2.21 lookup 10001 proto static", NULL }));
        assert_true(strv_equal(x->addresses_remove, (char *[]) { "10.0.2.21/32", NULL }));
}

static void test_rule_deleted_files_current(void **state) {
        Fixture *f = *state;
        const PlanInterface *x;

        f->s.interfaces[0].kernel.n_rules = 1;
        plan(f);
        x = &f->p.interfaces[0];
        assert_int_equal(x->n_files, 0);
        assert_false(x->reconfigure);
        assert_false(f->p.reload);
        assert_null(x->rules_add);
        assert_int_equal(x->not_fixed.n, 1);
        assert_string_equal(x->not_fixed.items[0].id, "rule-missing");
        assert_string_equal(x->not_fixed.items[0].remedy, "networkctl reconfigure ens6");
        assert_int_equal(netctl_plan_changes(&f->p), 0);
        assert_int_equal(netctl_plan_problems(&f->p), 1);
}

static void test_pending_reload(void **state) {
        Fixture *f = *state;

        f->s.host.reloads_pending = 2;
        plan(f);
        assert_true(f->p.reload);
        assert_int_equal(f->p.reloads_pending, 2);
        assert_null(f->p.reconfigure[0]);
        assert_int_equal(netctl_plan_changes(&f->p), 1);
}

static void test_foreign_rules(void **state) {
        Fixture *f = *state;
        NetctlInterface *i = &f->s.interfaces[0];
        KernelRule cni = fixture_rule("10.0.9.9/32", 1536, 2), at_ours = fixture_rule("10.9.9.9/32", 10001, 200);

        cni.protocol = at_ours.protocol = RTPROT_UNSPEC;
        f->s.kernel.rules = realloc(f->s.kernel.rules, 5 * sizeof(KernelRule));
        f->s.kernel.rules[f->s.kernel.n_rules++] = cni;
        f->s.kernel.rules[f->s.kernel.n_rules++] = at_ours;
        fixture_add_rule(i, at_ours);

        /* No reconfiguration, nothing removed: the foreign rule at our priority stays. */
        plan(f);
        assert_null(f->p.foreign_rules_removed[0]);
        assert_int_equal(f->p.interfaces[0].not_fixed.n, 1);
        assert_string_equal(f->p.interfaces[0].not_fixed.items[0].id, "rule-foreign");

        /* A change reconfigures ens6: networkd drops every rule no .network file asks for. */
        strv_extend(&i->imds.state.eni.ipv4s, "10.0.2.22");
        fixture_render(i, &f->config);
        plan(f);
        assert_true(strv_equal(f->p.foreign_rules_removed,
                               (char *[]) { "1536: from 10.0.9.9 lookup 2", "10001: from 10.9.9.9 lookup 200", NULL }));
        assert_int_equal(f->p.interfaces[0].not_fixed.n, 0);

        /* ManageForeignRoutingPolicyRules=no: they stay, and so does the finding. */
        f->s.host.manage_foreign_rules = false;
        plan(f);
        assert_null(f->p.foreign_rules_removed[0]);
        assert_int_equal(f->p.interfaces[0].not_fixed.n, 1);
}

static void test_never_configured(void **state) {
        Fixture *f = *state;
        NetctlInterface *i = &f->s.interfaces[0];
        const PlanInterface *x;

        for (int k = 0; k < _IFACE_FILE_MAX; k++) {
                free(i->files[k].found);
                i->files[k].found = NULL;
        }
        i->have_files = false;
        i->kernel.n_rules = 0;
        plan(f);
        x = &f->p.interfaces[0];
        assert_string_equal(x->action, "start");
        assert_int_equal(x->n_files, 4);
        for (size_t k = 0; k < x->n_files; k++)
                assert_int_equal(x->files[k].change, PLAN_FILE_CREATE);
        assert_non_null(strstr(x->files[0].diff, "--- /dev/null\n+++ b/" EC2NET_FILE_PREFIX "-ens6.network"));
        assert_int_equal(strv_length(x->rules_add), 2);
}

static void test_unmanaged(void **state) {
        Fixture *f = *state;

        f->s.interfaces[0].unmanaged = UNMANAGED_EXCLUDED;
        plan(f);
        assert_null(f->p.interfaces[0].action);
        assert_string_equal(f->p.interfaces[0].reason, "not managed: excluded-by-config");
        assert_int_equal(f->p.interfaces[0].n_files, 0);
        assert_string_equal(f->p.interfaces[0].not_fixed.items[0].id, "unmanaged-has-files");
}

static void test_json_and_text(void **state) {
        Fixture *f = *state;
        NetctlInterface *i = &f->s.interfaces[0];
        KernelRule cni = fixture_rule("10.0.9.9/32", 1536, 2);
        json_auto_t *j = NULL;
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *out;

        /* Every array non-empty, so that every documented field shows. */
        f->s.kernel.rules = realloc(f->s.kernel.rules, 4 * sizeof(KernelRule));
        f->s.kernel.rules[f->s.kernel.n_rules++] = cni;
        fixture_add_route(i, AF_INET, "10.0.9.0/24", NULL, 2, 0, RTPROT_BOOT);
        f->s.kernel.routes = malloc(sizeof(KernelRoute));
        f->s.kernel.routes[0] = i->kernel.routes[i->kernel.n_routes - 1];
        f->s.kernel.n_routes = 1;
        strv_extend(&i->imds.state.eni.ipv4s, "10.0.2.22");
        fixture_render(i, &f->config);
        free(i->imds.state.eni.ipv4s[1]);   /* 10.0.2.21 gone from the kernel too: a rule to remove */
        i->imds.state.eni.ipv4s[1] = strdup("10.0.2.23");
        fixture_render(i, &f->config);
        i->kernel.altnames[1] = (free(i->kernel.altnames[1]), NULL);
        fixture_add_rule(i, fixture_rule("10.9.9.9/32", 10001, 200));
        f->s.host.manage_foreign_rules = false;   /* so that rule-foreign is left */
        plan(f);
        assert_int_equal(netctl_plan_to_json(&f->p, &j), 0);
        check_documented(j, "plan");
        assert_string_equal(json_string_value(json_object_get(j, "command")), "plan");

        out = open_memstream(&text, &size);
        assert_int_equal(netctl_plan_dump(out, &f->p, false), 0);
        fclose(out);
        assert_non_null(strstr(text, "ens6: setup-policy-routes ens6 refresh would:\n"));
        assert_non_null(strstr(text, "  update " EC2NET_FILE_PREFIX "-ens6.network.d/ec2net_policy_4.conf (+"));
        assert_non_null(strstr(text, "    -From=10.0.2.21\n"));
        assert_non_null(strstr(text, "  add altname device-number-1\n"));
        assert_non_null(strstr(text, "  and networkd, reconfiguring ens6, would:\n"));
        assert_non_null(strstr(text, "  add rule 10001: from 10.0.2.22 lookup 10001\n"));
        assert_non_null(strstr(text, "  remove address 10.0.2.21/32\n"));
        assert_non_null(strstr(text, "systemd-networkd would be reloaded once, reconfiguring ens6.\n"));
        assert_non_null(strstr(text, "  and remove the route of another agent 10.0.9.0/24 dev ens6 proto boot scope link"));
        assert_non_null(strstr(text, "✗ ens6 rule-foreign"));
        assert_null(strchr(text, '\033'));
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
                T(test_in_sync),
                T(test_ip_assigned),
                T(test_ip_unassigned),
                T(test_rule_deleted_files_current),
                T(test_pending_reload),
                T(test_foreign_rules),
                T(test_never_configured),
                T(test_unmanaged),
                T(test_json_and_text),
#undef T
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
