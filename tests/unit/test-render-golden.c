/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Renderer golden tests: every tests/golden/CASE/input.json (an interface model) is rendered
 * and written with the real writer into a temporary network directory, which must equal
 * tests/golden/CASE/expected/ byte for byte. A new case is a new directory, not new code.
 * UPDATE_GOLDEN=1 rewrites the expected trees (review the diff before committing).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>

#include "build-config.h"
#include "eni.h"
#include "interface-files.h"
#include "render.h"
#include "strv.h"
#include "tree-util.h"

static int render_case(const char *case_dir, const char *out_dir) {
        char path[PATH_MAX];
        json_error_t err;
        json_auto_t *in = NULL;
        _cleanup_(eni_done) Eni eni = {};
        _cleanup_strv_free_ char **drivers = NULL;
        _cleanup_(rendered_interface_done) RenderedInterface r = {};
        const json_t *settings, *v;
        size_t i;
        bool changed;

        snprintf(path, sizeof path, "%s/input.json", case_dir);
        in = json_load_file(path, 0, &err);
        if (!in) {
                fprintf(stderr, "%s: %s\n", path, err.text);
                return -EINVAL;
        }
        assert_int_equal(eni_from_json(json_object_get(in, "eni"), &eni), 0);

        settings = json_object_get(in, "settings");
        drivers = calloc(1, sizeof(char *));
        json_array_foreach(json_object_get(settings, "drivers"), i, v)
                assert_int_equal(strv_extend(&drivers, json_string_value(v)), 0);

        RenderSettings s = {
                .drivers = drivers,
                .policy_rules = !json_is_false(json_object_get(settings, "policy_rules")),
                .secondary_addresses = !json_is_false(json_object_get(settings, "secondary_addresses")),
        };
        RenderInput ri = {
                .ifname = json_string_value(json_object_get(in, "ifname")),
                .eni = &eni,
                .has_ipv4 = json_is_true(json_object_get(in, "has_ipv4")),
                .has_ipv6 = json_is_true(json_object_get(in, "has_ipv6")),
        };
        assert_non_null(ri.ifname);
        assert_int_equal(render_interface(&ri, &s, &r), 0);
        assert_int_equal(interface_files_save(out_dir, ri.ifname, &r, NULL, &changed), 0);
        assert_true(changed);

        /* Saving the same content again must change nothing. */
        assert_int_equal(interface_files_save(out_dir, ri.ifname, &r, NULL, &changed), 0);
        assert_false(changed);
        return 0;
}

/* The expected trees are written with the default prefix 70; a build with another prefix
 * (Debian: 07) renames its output to compare it with them. */
static void rename_to_default_prefix(const char *dir) {
        static const char prefix[] = EC2NET_FILE_PREFIX "-";
        struct dirent *de;
        DIR *d;

        if (strcmp(EC2NET_FILE_PREFIX, "70") == 0)
                return;
        d = opendir(dir);
        assert_non_null(d);
        while ((de = readdir(d))) {
                char from[PATH_MAX], to[PATH_MAX];

                if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
                        continue;
                snprintf(from, sizeof from, "%s/%s", dir, de->d_name);
                snprintf(to, sizeof to, "%s/70-%s", dir, de->d_name + strlen(prefix));
                assert_int_equal(rename(from, to), 0);
        }
        closedir(d);
}

static void test_golden_cases(void **state) {
        char golden[PATH_MAX];
        struct dirent *de;
        int n_cases = 0;
        DIR *d;

        snprintf(golden, sizeof golden, "%s/tests/golden", SOURCE_DIR);
        d = opendir(golden);
        assert_non_null(d);
        while ((de = readdir(d))) {
                char case_dir[PATH_MAX], expected[PATH_MAX];
                _cleanup_free_ char *out = NULL;

                if (de->d_name[0] == '.')
                        continue;
                snprintf(case_dir, sizeof case_dir, "%s/%s", golden, de->d_name);
                snprintf(expected, sizeof expected, "%s/expected", case_dir);
                out = make_temp_dir();
                assert_non_null(out);

                fprintf(stderr, "golden case %s\n", de->d_name);
                assert_int_equal(render_case(case_dir, out), 0);
                rename_to_default_prefix(out);
                if (getenv("UPDATE_GOLDEN")) {
                        char cmd[3 * PATH_MAX];

                        snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s' '%s'", expected, out, expected);
                        assert_int_equal(system(cmd), 0);
                }
                assert_int_equal(tree_compare(expected, out), 0);
                rm_rf(out);
                n_cases++;
        }
        closedir(d);
        assert_true(n_cases >= 5);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden_cases),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
