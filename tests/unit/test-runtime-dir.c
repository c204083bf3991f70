/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtime directory (/run/amazon-ec2-net-utils) holds what steers later runs: the IMDS
 * token, the primary MAC, the per-boot markers. When a symlink stands in its place, nothing
 * is read from or written through it: every run then behaves as if nothing was cached.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fake-imds-server.h"
#include "imds-client.h"
#include "imds-eni.h"
#include "macro.h"
#include "time-util.h"

static const char scenario[] =
        "{\"meta-data\": {\"mac\": \"02:00:00:00:00:01\", \"network\": {\"interfaces\": {\"macs\":"
        " {\"02:00:00:00:00:01\": {\"device-number\": \"0\", \"local-ipv4s\": [\"10.0.0.5\"]}}}}}}";

static FakeImds fake;
static char *tmp;
static char real_dir[PATH_MAX], link_dir[PATH_MAX];

static int setup(void **state) {
        if (fake_imds_start(&fake, scenario) < 0)
                return -1;
        tmp = make_temp_dir();
        if (!tmp)
                return -1;
        snprintf(real_dir, sizeof real_dir, "%s/real", tmp);
        snprintf(link_dir, sizeof link_dir, "%s/run", tmp);
        if (mkdir(real_dir, 0755) < 0 || symlink(real_dir, link_dir) < 0)
                return -1;
        return 0;
}

static int teardown(void **state) {
        fake_imds_stop(&fake);
        rm_rf(tmp);
        free(tmp);
        return 0;
}

static ImdsClient *client(const char *cache) {
        char *endpoints[] = { fake.endpoint, NULL };
        ImdsClient *c = NULL;
        ImdsOptions o = {
                .endpoints = endpoints,
                .token_cache_dir = cache,
                .deadline_usec = usec_add(now_usec(), 5 * USEC_PER_SEC),
                .request_timeout_usec = 500 * USEC_PER_MSEC,
        };

        assert_int_equal(imds_client_new(&o, &c), 0);
        return c;
}

static bool exists_in_real_dir(const char *name) {
        char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/%s", real_dir, name);
        return access(path, F_OK) == 0;
}

static void plant(const char *name, const char *content) {
        char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/%s", real_dir, name);
        assert_int_equal(write_whole_file(path, content), 0);
}

static void test_token_cache_not_through_symlink(void **state) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        char token[PATH_MAX];

        {
                /* Through the real directory: the token is cached there. */
                _cleanup_(imds_client_freep) ImdsClient *c = client(real_dir);
                assert_int_equal(imds_get(c, "mac", &a, NULL), 0);
        }
        assert_true(exists_in_real_dir(IMDS_TOKEN_CACHE_NAME));
        {
                /* Through the link: the cached token is not read, a new one is asked for. */
                _cleanup_(imds_client_freep) ImdsClient *c = client(link_dir);
                assert_int_equal(imds_get(c, "mac", &b, NULL), 0);
                assert_string_equal(b, "02:00:00:00:00:01");
        }
        assert_int_equal(fake_imds_count(&fake, "PUT", "/latest/api/token"), 2);

        /* ... nor written. */
        snprintf(token, sizeof token, "%s/" IMDS_TOKEN_CACHE_NAME, real_dir);
        assert_int_equal(unlink(token), 0);
        {
                _cleanup_(imds_client_freep) ImdsClient *c = client(link_dir);
                _cleanup_free_ char *x = NULL;

                assert_int_equal(imds_get(c, "mac", &x, NULL), 0);
        }
        assert_false(exists_in_real_dir(IMDS_TOKEN_CACHE_NAME));
}

static void test_markers_not_through_symlink(void **state) {
        _cleanup_(imds_client_freep) ImdsClient *c = client(NULL);
        char mac[MAC_STR_MAX];

        /* Written: nothing arrives behind the link. */
        imds_unavailable_mark(link_dir, true);
        network_card_marker_write(link_dir, true);
        assert_int_equal(imds_primary_mac(c, link_dir, mac), 0);
        assert_string_equal(mac, "02:00:00:00:00:01");
        assert_false(exists_in_real_dir("imds-unavailable"));
        assert_false(exists_in_real_dir("network-cards"));
        assert_false(exists_in_real_dir("primary-mac"));

        /* Read: what is planted behind the link is not believed. */
        plant("imds-unavailable", "yes\n");
        plant("network-cards", "yes\n");
        plant("primary-mac", "02:00:00:00:00:99\n");
        assert_false(imds_unavailable_marked(link_dir));
        assert_int_equal(network_card_marker_read(link_dir), -ENOENT);
        assert_int_equal(imds_primary_mac(c, link_dir, mac), 0);
        assert_string_equal(mac, "02:00:00:00:00:01");

        /* The same files through the real directory are read: the link is what is refused. */
        assert_true(imds_unavailable_marked(real_dir));
        assert_int_equal(network_card_marker_read(real_dir), 1);
        assert_int_equal(imds_primary_mac(c, real_dir, mac), 0);
        assert_string_equal(mac, "02:00:00:00:00:99");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_token_cache_not_through_symlink, setup, teardown),
                cmocka_unit_test_setup_teardown(test_markers_not_through_symlink, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
