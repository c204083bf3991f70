/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading ENIs from IMDS into the model (SPEC §3), against the fake IMDS serving real data
 * recorded by others (tests/fixtures/imds, cloud-init's DEFAULT_METADATA and
 * MULTI_NIC_V6_ONLY_MD): keys fetched only when listed, validation, propagation delays,
 * and the request budget of a refresh. A missing fixture is a failure, never a skip: these
 * cases are the only ones built on metadata we did not write ourselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>

#include "error-codes.h"
#include "fake-imds-server.h"
#include "imds-eni.h"
#include "macro.h"
#include "strv.h"
#include "time-util.h"

/* IMDS_FIXTURE_DIR comes from tests/unit/CMakeLists.txt: the copy in this repository. */
#define FIXTURE IMDS_FIXTURE_DIR "/cloud-init-test_ec2-metadata.json"

static FakeImds fake;
static char *run_dir;

static json_t *fixture_load(void) {
        json_error_t err;
        json_t *all = json_load_file(FIXTURE, 0, &err);

        if (!all)
                fail_msg("%s: %s", FIXTURE, err.text);
        return all;
}

/* Builds a scenario from a fixture entry, optionally with extra keys for one MAC. */
static char *scenario_from_fixture(const char *entry, const char *mac, const char *key, json_t *value) {
        json_auto_t *all = fixture_load();
        json_t *md;

        md = json_object_get(all, entry);
        assert_non_null(md);
        /* The recording has an association with an empty public IP as a key (an empty path
         * component, which no HTTP server can serve); we never read associations. */
        json_object_del(json_object_get(json_object_get(json_object_get(json_object_get(md, "network"), "interfaces"),
                                                        "macs"), "06:17:04:d7:26:08"), "ipv4-associations");
        if (mac)
                json_object_set_new(json_object_get(json_object_get(json_object_get(json_object_get(md, "network"),
                                                                                    "interfaces"), "macs"), mac),
                                    key, value);
        {
                json_auto_t *scenario = json_pack("{s:O}", "meta-data", md);
                return json_dumps(scenario, 0);
        }
}

static ImdsClient *client(void) {
        char *endpoints[] = { fake.endpoint, NULL };
        ImdsClient *c = NULL;
        ImdsOptions o = { .endpoints = endpoints, .deadline_usec = usec_add(now_usec(), 20 * USEC_PER_SEC) };

        assert_int_equal(imds_client_new(&o, &c), 0);
        return c;
}

static int start(const char *scenario) {
        run_dir = make_temp_dir();
        return fake_imds_start(&fake, scenario);
}

static int teardown(void **state) {
        fake_imds_stop(&fake);
        rm_rf(run_dir);
        free(run_dir);
        return 0;
}

static int setup_default(void **state) {
        _cleanup_free_ char *s = scenario_from_fixture("DEFAULT_METADATA", "06:17:04:d7:26:08", "ipv4-prefix",
                                                       json_string("172.3.3.32/28"));
        return start(s);
}

static const ImdsFetchOptions *opts(bool wait) {
        static ImdsFetchOptions o;

        o = (ImdsFetchOptions) {
                .wait_for_propagation = wait,
                .propagation_deadline_usec = usec_add(now_usec(), 10 * USEC_PER_SEC),
                .runtime_dir = run_dir,
        };
        return &o;
}

static void test_fetch_primary_and_secondary(void **state) {
        _cleanup_(imds_client_freep) ImdsClient *c = client();
        _cleanup_(eni_done) Eni primary = {}, secondary = {};
        char mac[MAC_STR_MAX];

        assert_int_equal(imds_fetch_primary_mac(c, mac), 0);
        assert_string_equal(mac, "06:17:04:d7:26:09");

        assert_int_equal(imds_fetch_interface(c, "06:17:04:d7:26:09", mac, opts(false), &primary), 0);
        assert_true(primary.primary);
        assert_int_equal(primary.device_number, 0);
        assert_int_equal(primary.network_card, NETWORK_CARD_NONE);
        assert_string_equal(primary.interface_id, "eni-e44ef49e");
        assert_string_equal(primary.ipv4s[0], "172.3.3.15");
        assert_null(primary.ipv4s[1]);
        assert_string_equal(primary.ipv6s[0], "2600:1f16:aeb:b20b:9d87:a4af:5cc9:73dc");
        assert_string_equal(primary.subnet_ipv4_cidr, "172.31.16.0/20");
        assert_string_equal(primary.subnet_ipv6_cidrs[0], "2600:1f16:aeb:b20b::/64");

        assert_int_equal(imds_fetch_interface(c, "06:17:04:d7:26:08", mac, opts(false), &secondary), 0);
        assert_false(secondary.primary);
        assert_int_equal(secondary.device_number, 1);
        assert_string_equal(secondary.interface_id, "eni-e44ef49f");
        assert_string_equal(secondary.ipv4_prefixes[0], "172.3.3.32/28");
        /* "ipv6s" is listed with an empty body: an empty list, not an error. */
        assert_null(secondary.ipv6s[0]);

        /* Never asked for a key the listing does not have. */
        assert_int_equal(fake_imds_count(&fake, "GET", "ipv6-prefix"), 0);
        assert_int_equal(fake_imds_count(&fake, "GET", "network-card"), 0);
        /* The primary's device-number is known without asking. */
        assert_int_equal(fake_imds_count(&fake, "GET", "26:09/device-number"), 0);
}

static void test_refresh_request_budget(void **state) {
        _cleanup_(imds_client_freep) ImdsClient *c = client();
        _cleanup_(eni_done) Eni eni = {};
        unsigned before;

        assert_int_equal(imds_fetch_interface(c, "06:17:04:d7:26:08", "06:17:04:d7:26:09", opts(false), &eni), 0);
        before = imds_client_requests(c);
        assert_int_equal(imds_refresh_interface(c, &eni), 0);
        /* Listing + local-ipv4s + ipv6s + ipv4-prefix: within the 5 of the issue. */
        assert_true(imds_client_requests(c) - before <= 5);
        fprintf(stderr, "refresh of one ENI: %u IMDS requests\n", imds_client_requests(c) - before);
}

static void test_unassign_and_hostile_values(void **state) {
        _cleanup_(imds_client_freep) ImdsClient *c = client();
        _cleanup_(eni_done) Eni eni = {};

        assert_int_equal(imds_fetch_interface(c, "06:17:04:d7:26:08", "06:17:04:d7:26:09", opts(false), &eni), 0);
        assert_string_equal(eni.ipv4_prefixes[0], "172.3.3.32/28");

        /* A hostile list: the refresh fails and the model keeps what it had. */
        fake_imds_set_faults(&fake, "{\"rules\": [{\"match\": \"*/06:17:04:d7:26:08/local-ipv4s\", \"action\": \"body\","
                                    " \"body\": \"172.3.3.16\\n[Network]\\nDNS=6.6.6.6\\n\"}]}");
        assert_int_equal(imds_refresh_interface(c, &eni), -EIMDS_INVALID);
        assert_string_equal(eni.ipv4s[0], "172.3.3.16");
        assert_null(eni.ipv4s[1]);
        assert_string_equal(eni.ipv4_prefixes[0], "172.3.3.32/28");

        /* An empty local-ipv4s where the ENI holds an address is invalid too. */
        fake_imds_set_faults(&fake, "{\"rules\": [{\"match\": \"*/06:17:04:d7:26:08/local-ipv4s\", \"action\": \"empty\"}]}");
        assert_int_equal(imds_refresh_interface(c, &eni), -EIMDS_INVALID);

        /* An empty listing is a broken answer, not an ENI without addresses. */
        fake_imds_set_faults(&fake, "{\"rules\": [{\"match\": \"*/macs/06:17:04:d7:26:08/\", \"action\": \"empty\"}]}");
        assert_int_equal(imds_refresh_interface(c, &eni), -EIMDS_INVALID);
        assert_string_equal(eni.ipv4_prefixes[0], "172.3.3.32/28");

        /* An ENI keeps its primary private address: an answer without it is not trusted. */
        fake_imds_set_faults(&fake, "{\"rules\": [{\"match\": \"*/06:17:04:d7:26:08/local-ipv4s\", \"action\": \"body\","
                                    " \"body\": \"172.3.3.99\"}]}");
        assert_int_equal(imds_refresh_interface(c, &eni), -EIMDS_INVALID);
        assert_string_equal(eni.ipv4s[0], "172.3.3.16");

        /* A 5xx during refresh is an error, not "no prefixes". */
        fake_imds_set_faults(&fake, "{\"rules\": [{\"match\": \"*/ipv4-prefix\", \"action\": \"status\", \"status\": 500}]}");
        assert_true(imds_refresh_interface(c, &eni) < 0);
        assert_string_equal(eni.ipv4_prefixes[0], "172.3.3.32/28");

        /* A real unassignment (the key disappears) is a successful, empty answer. */
        fake_imds_set_faults(&fake, "{}");
        {
                _cleanup_free_ char *s = scenario_from_fixture("DEFAULT_METADATA", NULL, NULL, NULL);
                fake_imds_set_scenario(&fake, s);
        }
        assert_int_equal(imds_refresh_interface(c, &eni), 0);
        assert_null(eni.ipv4_prefixes[0]);

        /* The bad device-number of a hostile IMDS fails the fetch. */
        fake_imds_set_faults(&fake, "{\"rules\": [{\"match\": \"*/device-number\", \"action\": \"body\", \"body\": \"1\\n2\"}]}");
        {
                _cleanup_(eni_done) Eni other = {};
                assert_int_equal(imds_fetch_interface(c, "06:17:04:d7:26:08", "06:17:04:d7:26:09", opts(false), &other),
                                 -EIMDS_INVALID);
        }
        assert_int_equal(imds_fetch_interface(c, "02:00:00:00:00:99", "06:17:04:d7:26:09", opts(false), &eni), -EIMDS_UNKNOWN_MAC);
}

static void test_propagation_delay(void **state) {
        _cleanup_(imds_client_freep) ImdsClient *c = client();
        _cleanup_(eni_done) Eni eni = {};
        Eni early = {};
        uint64_t t0;

        /* Refresh does not wait: device-number 0 for a secondary is "not yet". */
        fake_imds_set_faults(&fake, "{\"propagation\": {\"06:17:04:d7:26:08\": 1.5}}");
        assert_int_equal(imds_fetch_interface(c, "06:17:04:d7:26:08", "06:17:04:d7:26:09", opts(false), &early), -EIMDS_PROPAGATING);

        /* Initial setup waits it out, within its budget. */
        fake_imds_set_faults(&fake, "{\"propagation\": {\"06:17:04:d7:26:08\": 1.5}}");
        t0 = now_usec();
        assert_int_equal(imds_fetch_interface(c, "06:17:04:d7:26:08", "06:17:04:d7:26:09", opts(true), &eni), 0);
        assert_int_equal(eni.device_number, 1);
        assert_true(now_usec() - t0 >= 1 * USEC_PER_SEC);
        /* This instance type has no network cards: remembered for the boot. */
        assert_int_equal(network_card_marker_read(run_dir), 0);
}

static int setup_multicard(void **state) {
        _cleanup_free_ char *s = scenario_from_fixture("DEFAULT_METADATA", "06:17:04:d7:26:08", "network-card",
                                                       json_string("2"));
        return start(s);
}

static void test_network_card(void **state) {
        _cleanup_(imds_client_freep) ImdsClient *c = client();
        _cleanup_(eni_done) Eni eni = {};

        assert_int_equal(imds_fetch_interface(c, "06:17:04:d7:26:08", "06:17:04:d7:26:09", opts(true), &eni), 0);
        assert_int_equal(eni.network_card, 2);
        assert_int_equal(eni_table(&eni), 10201);
        assert_int_equal(network_card_marker_read(run_dir), 1);

        /* Missing for a while on a multi-card instance: waited for, not taken as 0. */
        eni_done(&eni);
        fake_imds_set_faults(&fake, "{\"propagation\": {\"06:17:04:d7:26:08\": 1.5}}");
        assert_int_equal(imds_fetch_interface(c, "06:17:04:d7:26:08", "06:17:04:d7:26:09", opts(true), &eni), 0);
        assert_int_equal(eni.network_card, 2);
        assert_int_equal(eni.device_number, 1);
}

static int setup_v6_only(void **state) {
        json_auto_t *all = fixture_load();
        _cleanup_free_ char *s = NULL;

        assert_non_null(json_object_get(all, "MULTI_NIC_V6_ONLY_MD"));
        json_auto_t *scenario = json_pack("{s:{s:s, s:{s:O}}}", "meta-data", "mac", "02:7c:03:b8:5c:af", "network",
                                          "interfaces", json_object_get(all, "MULTI_NIC_V6_ONLY_MD"));
        s = json_dumps(scenario, 0);
        return start(s);
}

static void test_ipv6_only(void **state) {
        _cleanup_(imds_client_freep) ImdsClient *c = client();
        _cleanup_(eni_done) Eni eni = {};

        assert_int_equal(imds_fetch_interface(c, "02:6b:df:a2:4b:2b", "02:7c:03:b8:5c:af", opts(false), &eni), 0);
        assert_null(eni.ipv4s[0]);
        assert_null(eni.subnet_ipv4_cidr);
        assert_string_equal(eni.ipv6s[0], "2600:1f16:67f:f201:8d2e:4d1f:9e80:4ab9");
        /* Uncompressed in IMDS, canonical in the model. */
        assert_string_equal(eni.subnet_ipv6_cidrs[0], "2600:1f16:67f:f201::/64");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_fetch_primary_and_secondary, setup_default, teardown),
                cmocka_unit_test_setup_teardown(test_refresh_request_budget, setup_default, teardown),
                cmocka_unit_test_setup_teardown(test_unassign_and_hostile_values, setup_default, teardown),
                cmocka_unit_test_setup_teardown(test_propagation_delay, setup_default, teardown),
                cmocka_unit_test_setup_teardown(test_network_card, setup_multicard, teardown),
                cmocka_unit_test_setup_teardown(test_ipv6_only, setup_v6_only, teardown),
        };

        if (access(FIXTURE, R_OK) < 0) {
                fprintf(stderr, "%s: %m (the fixture is part of the repository)\n", FIXTURE);
                return EXIT_FAILURE;
        }
        return cmocka_run_group_tests(tests, NULL, NULL);
}
