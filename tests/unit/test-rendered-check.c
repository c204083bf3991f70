/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fuzz oracle for rendered files (tests/fuzz/rendered-check.h) must accept everything
 * the renderer writes and reject what it never writes: each rejected case below is a
 * single edit of real output (an injected DNS= line, a section out of place, a value from
 * another ENI, ...), every line of which still starts with '#', '[' or a capital letter,
 * the only property the fuzz target checked before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "eni.h"
#include "macro.h"
#include "render.h"
#include "rendered-check.h"

static char *const drivers[] = { (char *) "ena", (char *) "ixgbevf", (char *) "vif", NULL };

/* A secondary ENI with everything: secondary addresses, prefixes, both families. */
static const char rich_eni[] =
        "{\"mac\": \"0a:75:69:92:e2:16\", \"interface-id\": \"eni-043cdce36ded5e79f\", \"device-number\": 1,"
        " \"primary\": false, \"local-ipv4s\": [\"172.31.47.221\", \"172.31.47.30\", \"172.31.40.9\"],"
        " \"ipv6s\": [\"2600:1f16:292:100:c187:593c:4349:136\"],"
        " \"ipv4-prefix\": [\"172.31.33.64/28\"], \"ipv6-prefix\": [\"2600:1f16:292:100:aa00::/80\"],"
        " \"subnet-ipv4-cidr-block\": \"172.31.32.0/20\", \"subnet-ipv6-cidr-blocks\": [\"2600:1f16:292:100::/64\"]}";

typedef struct Rendered {
        Eni eni;
        RenderSettings settings;
        RenderInput input;
        RenderedInterface files;
} Rendered;

static void rendered_done(Rendered *r) {
        rendered_interface_done(&r->files);
        eni_done(&r->eni);
}

static void render_json(const char *eni_json, const char *ifname, bool has_ipv4, bool has_ipv6, bool policy,
                        bool aliases, Rendered *ret) {
        json_auto_t *j = json_loads(eni_json, 0, NULL);

        assert_non_null(j);
        *ret = (Rendered) {};
        assert_int_equal(eni_from_json(j, &ret->eni), 0);
        ret->settings = (RenderSettings) { .drivers = drivers, .policy_rules = policy, .secondary_addresses = aliases };
        ret->input = (RenderInput) { .ifname = ifname, .eni = &ret->eni, .has_ipv4 = has_ipv4, .has_ipv6 = has_ipv6 };
        assert_int_equal(render_interface(&ret->input, &ret->settings, &ret->files), 0);
}

static void test_accepts_what_the_renderer_writes(void **state) {
        static const struct {
                const char *eni;
                const char *ifname;
                bool has_ipv4, has_ipv6, policy, aliases;
        } cases[] = {
                { rich_eni, "ens6", true, true, true, true },
                { rich_eni, "ens6", true, false, true, true },
                { rich_eni, "ens6", false, true, true, true },
                { rich_eni, "eth1", true, true, false, false },
                /* The primary ENI: no rules. */
                { "{\"mac\": \"02:00:00:00:00:01\", \"device-number\": 0, \"primary\": true,"
                  " \"local-ipv4s\": [\"10.0.0.5\"], \"subnet-ipv4-cidr-block\": \"10.0.0.0/24\"}",
                  "ens5", true, false, true, true },
                /* Card 3, device 2; no interface-id. */
                { "{\"mac\": \"02:aa:bb:cc:dd:03\", \"device-number\": 2, \"network-card\": 3, \"primary\": false,"
                  " \"local-ipv4s\": [\"10.3.0.20\", \"10.3.0.21\"], \"subnet-ipv4-cidr-block\": \"10.3.0.0/24\"}",
                  "ens33", true, false, true, true },
                /* IPv6 only, two subnets. */
                { "{\"mac\": \"02:6b:df:a2:4b:2b\", \"device-number\": 1, \"primary\": false,"
                  " \"ipv6s\": [\"2600:1f16:67f:f201:8d2e:4d1f:9e80:4ab9\", \"2600:1f16:67f:f201::7\"],"
                  " \"subnet-ipv6-cidr-blocks\": [\"2600:1f16:67f:f201::/64\", \"2600:1f16:67f:f202::/64\"]}",
                  "ens6", false, true, true, true },
                /* Nothing but a MAC. */
                { "{\"mac\": \"02:00:00:00:00:09\", \"device-number\": 4, \"primary\": false}",
                  "enp0s9", true, true, true, true },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(rendered_done) Rendered r = {};
                char err[512] = "";

                render_json(cases[i].eni, cases[i].ifname, cases[i].has_ipv4, cases[i].has_ipv6, cases[i].policy,
                            cases[i].aliases, &r);
                if (rendered_interface_check(&r.input, &r.settings, &r.files, err, sizeof err) != 0)
                        fail_msg("case %zu rejected: %s", i, err);
        }
}

/* Replaces the first occurrence of from in *content by to. */
static void edit(char **content, const char *from, const char *to) {
        char *at, *out;

        assert_non_null(*content);
        at = strstr(*content, from);
        if (!at)
                fail_msg("'%s' not in:\n%s", from, *content);
        assert_true(asprintf(&out, "%.*s%s%s", (int) (at - *content), *content, to, at + strlen(from)) >= 0);
        free(*content);
        *content = out;
}

static void test_rejects_what_it_never_writes(void **state) {
        static const struct {
                InterfaceFile file;
                const char *from, *to;
                const char *reason;
        } cases[] = {
                { IFACE_FILE_ENI, "[Network]\nDHCP=yes\n", "[Network]\nDHCP=yes\nDNS=192.0.2.53\n",
                  "eni.conf line 10: key not written in [Network]" },
                { IFACE_FILE_POLICY6, "Table=10001\n", "Table=10001\n\n[Network]\nDHCP=yes\n",
                  "section not written in this file" },
                { IFACE_FILE_ENI, "Table=10001\nDestination=172.31.32.0/20", "Table=10002\nDestination=172.31.32.0/20",
                  "value not what the renderer writes" },
                { IFACE_FILE_ENI, "Destination=172.31.32.0/20", "Destination=0.0.0.0/0",
                  "value not what the renderer writes" },
                { IFACE_FILE_ENI, "Gateway=_dhcp4", "Gateway=10.0.0.1", "value not what the renderer writes" },
                { IFACE_FILE_ENI, "MACAddress=0a:75:69:92:e2:16", "MACAddress=0A:75:69:92:E2:16",
                  "value not what the renderer writes" },
                { IFACE_FILE_ENI, "RouteMetric=513", "RouteMetric=512", "value not what the renderer writes" },
                { IFACE_FILE_ENI, "Name=ens6\n", "Name=ens6\nName=ens6\n", "key twice in one [Match]" },
                { IFACE_FILE_ENI, "UseGateway=true\n", "UseGateway=true\n# a comment\n",
                  "neither empty, a section nor key=value" },
                { IFACE_FILE_POLICY4, "From=172.31.47.221", "From=10.9.9.9", "value not what the renderer writes" },
                { IFACE_FILE_POLICY4, "From=172.31.33.64/28", "From=2600:1f16:292:100:aa00::/80",
                  "value not what the renderer writes" },
                { IFACE_FILE_POLICY4, "Priority=10001", "Priority=0", "value not what the renderer writes" },
                { IFACE_FILE_POLICY4, "[RoutingPolicyRule]", "[RoutingPolicyRule", "malformed section header" },
                { IFACE_FILE_ALIAS, "Address=172.31.40.9/32", "Address=172.31.47.221/32",
                  "value not what the renderer writes" },
                { IFACE_FILE_ALIAS, "Address=172.31.40.9/32", "Address=172.31.40.9/24",
                  "value not what the renderer writes" },
                { IFACE_FILE_ALIAS, "172.31.47.30/32\nAddPrefixRoute=false\n", "172.31.47.30/32\nAddPrefixRoute=false",
                  "no newline at the end" },
                { IFACE_FILE_NETWORK, "DHCP=yes\n", "DHCP=yes \n", "value not what the renderer writes" },
                { IFACE_FILE_NETWORK, "MTUBytes=9001", "MTUBytes=1500", "value not what the renderer writes" },
                { IFACE_FILE_NETWORK, "Driver=ena ixgbevf vif", "Driver=ena ixgbevf",
                  "value not what the renderer writes" },
                { IFACE_FILE_NETWORK, "\n[Match]", "\nDHCP=yes\n[Match]", "key before any section" },
                { IFACE_FILE_NETWORK, "for ens6.", "for ens7.", "not the header" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(rendered_done) Rendered r = {};
                char err[512] = "";

                render_json(rich_eni, "ens6", true, true, true, true, &r);
                edit(&r.files.content[cases[i].file], cases[i].from, cases[i].to);
                if (rendered_interface_check(&r.input, &r.settings, &r.files, err, sizeof err) != -EBADMSG)
                        fail_msg("case %zu ('%s' -> '%s') accepted", i, cases[i].from, cases[i].to);
                if (!strstr(err, cases[i].reason))
                        fail_msg("case %zu: '%s', expected '%s'", i, err, cases[i].reason);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_accepts_what_the_renderer_writes),
                cmocka_unit_test(test_rejects_what_it_never_writes),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
