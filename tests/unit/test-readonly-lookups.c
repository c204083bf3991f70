/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The lookups ec2-netctl makes without changing anything: the IMDS client with a read-only
 * token cache (uses a cached token; never writes, locks or deletes the cache), the primary
 * MAC from its per-boot cache only, and the count of networkd reloads left pending. Against
 * the fake IMDS on loopback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "boot-markers.h"
#include "error-codes.h"
#include "fake-imds-server.h"
#include "file-read.h"
#include "file-save.h"
#include "imds-client.h"
#include "imds-eni.h"
#include "networkd.h"
#include "time-util.h"

static const char scenario[] =
        "{\"meta-data\": {\"mac\": \"02:00:00:00:00:01\", \"network\": {\"interfaces\": {\"macs\":"
        " {\"02:00:00:00:00:01\": {\"device-number\": \"0\", \"local-ipv4s\": [\"10.0.0.5\"]}}}}}}";

typedef struct Fixture {
        FakeImds fake;
        char *dir;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);

        if (!f || fake_imds_start(&f->fake, scenario) < 0)
                return -1;
        f->dir = make_temp_dir();
        *state = f;
        return f->dir ? 0 : -1;
}

static int teardown(void **state) {
        Fixture *f = *state;

        fake_imds_stop(&f->fake);
        rm_rf(f->dir);
        free(f->dir);
        free(f);
        return 0;
}

static ImdsClient *client(Fixture *f, bool read_only) {
        char *endpoints[] = { f->fake.endpoint, NULL };
        ImdsClient *c = NULL;
        ImdsOptions o = {
                .endpoints = endpoints,
                .token_cache_dir = f->dir,
                .token_cache_read_only = read_only,
                .deadline_usec = usec_add(now_usec(), 5 * USEC_PER_SEC),
                .request_timeout_usec = 500 * USEC_PER_MSEC,
        };

        assert_int_equal(imds_client_new(&o, &c), 0);
        return c;
}

static bool exists(const Fixture *f, const char *name) {
        char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/%s", f->dir, name);
        return access(path, F_OK) == 0;
}

static void test_read_only_cache_without_token(void **state) {
        Fixture *f = *state;
        _cleanup_(imds_client_freep) ImdsClient *c = client(f, true);
        _cleanup_free_ char *mac = NULL;

        assert_int_equal(imds_get(c, "mac", &mac, NULL), 0);
        assert_string_equal(mac, "02:00:00:00:00:01");
        /* A token was needed and fetched, but neither cached nor locked for. */
        assert_int_equal(fake_imds_count(&f->fake, "PUT", NULL), 1);
        assert_false(exists(f, IMDS_TOKEN_CACHE_NAME));
        assert_false(exists(f, IMDS_TOKEN_CACHE_NAME ".lock"));
}

static void test_read_only_cache_uses_cached_token(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = NULL, *b = NULL, *cached = NULL, *after = NULL;
        char path[PATH_MAX];
        struct stat st0, st1;

        {
                /* A refresh (read-write) caches its token. */
                _cleanup_(imds_client_freep) ImdsClient *c = client(f, false);
                assert_int_equal(imds_get(c, "mac", &a, NULL), 0);
        }
        snprintf(path, sizeof path, "%s/" IMDS_TOKEN_CACHE_NAME, f->dir);
        assert_int_equal(read_file_at(AT_FDCWD, path, 4096, &cached, NULL), 0);
        assert_int_equal(stat(path, &st0), 0);
        {
                _cleanup_(imds_client_freep) ImdsClient *c = client(f, true);

                assert_int_equal(imds_get(c, "mac", &b, NULL), 0);
                /* No PUT: the cached token served, one request in all. */
                assert_int_equal(imds_client_requests(c), 1);
        }
        assert_int_equal(fake_imds_count(&f->fake, "PUT", NULL), 1);
        assert_int_equal(stat(path, &st1), 0);
        assert_int_equal(st0.st_ino, st1.st_ino);
        assert_int_equal(read_file_at(AT_FDCWD, path, 4096, &after, NULL), 0);
        assert_string_equal(cached, after);
}

static void test_read_only_cache_survives_401(void **state) {
        Fixture *f = *state;
        _cleanup_free_ char *a = NULL, *b = NULL, *cached = NULL, *after = NULL;
        char path[PATH_MAX];

        {
                _cleanup_(imds_client_freep) ImdsClient *c = client(f, false);
                assert_int_equal(imds_get(c, "mac", &a, NULL), 0);
        }
        snprintf(path, sizeof path, "%s/" IMDS_TOKEN_CACHE_NAME, f->dir);
        assert_int_equal(read_file_at(AT_FDCWD, path, 4096, &cached, NULL), 0);
        fake_imds_set_faults(&f->fake, "{\"rules\": [{\"match\": \"/latest/meta-data/mac\", \"action\": \"status\","
                                       " \"status\": 401, \"times\": 1}]}");
        {
                _cleanup_(imds_client_freep) ImdsClient *c = client(f, true);

                /* Renewed in memory for this run; the cache belongs to the other programs. */
                assert_int_equal(imds_get(c, "mac", &b, NULL), 0);
        }
        assert_int_equal(fake_imds_count(&f->fake, "PUT", NULL), 2);
        assert_int_equal(read_file_at(AT_FDCWD, path, 4096, &after, NULL), 0);
        assert_string_equal(cached, after);
}

static void test_primary_mac_cached(void **state) {
        Fixture *f = *state;
        _cleanup_(imds_client_freep) ImdsClient *c = client(f, true);
        char mac[MAC_STR_MAX], path[PATH_MAX];

        assert_int_equal(primary_mac_cache_read(f->dir, mac), -ENOENT);
        assert_int_equal(primary_mac_cache_read(NULL, mac), -ENOENT);
        /* imds_primary_mac() fetches once and caches; the cached lookup then needs no IMDS. */
        assert_int_equal(imds_primary_mac(c, f->dir, mac), 0);
        assert_int_equal(primary_mac_cache_read(f->dir, mac), 0);
        assert_string_equal(mac, "02:00:00:00:00:01");
        assert_int_equal(fake_imds_count(&f->fake, "GET", "/mac"), 1);
        /* Anything but one valid MAC line is not a cached MAC. */
        snprintf(path, sizeof path, "%s/primary-mac", f->dir);
        assert_int_equal(write_whole_file(path, "02:00:00:00:00:0g\n"), 0);
        assert_int_equal(primary_mac_cache_read(f->dir, mac), -ENOENT);
}

static void test_reloads_pending(void **state) {
        Fixture *f = *state;
        char path[PATH_MAX];
        uint64_t n = 99;

        assert_int_equal(networkd_reloads_pending(f->dir, &n), 0);
        assert_int_equal(n, 0);
        snprintf(path, sizeof path, "%s/reload-state", f->dir);
        assert_false(access(path, F_OK) == 0);   /* looking created nothing */

        /* Two processes recorded an intent and were killed before reloading. */
        assert_int_equal(networkd_reload_intent(f->dir), 0);
        assert_int_equal(networkd_reload_intent(f->dir), 0);
        assert_int_equal(networkd_reloads_pending(f->dir, &n), 0);
        assert_int_equal(n, 2);
        /* Garbage in the state file counts as nothing pending, as the reloader reads it. */
        assert_int_equal(write_whole_file(path, "x y\n"), 0);
        assert_int_equal(networkd_reloads_pending(f->dir, &n), 0);
        assert_int_equal(n, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
                T(test_read_only_cache_without_token),
                T(test_read_only_cache_uses_cached_token),
                T(test_read_only_cache_survives_401),
                T(test_primary_mac_cached),
                T(test_reloads_pending),
#undef T
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
