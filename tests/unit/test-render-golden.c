/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Renderer golden tests: every tests/golden/CASE/input.json (an interface model) is rendered
 * and written with the real writer into a temporary network directory, which must equal
 * tests/golden/CASE/expected/ byte for byte. A new case is a new directory, not new code.
 *
 * The test only ever compares. "test-render-golden --update" (what tests/update-golden.sh
 * runs) is a separate mode that rewrites the expected trees and compares nothing; review
 * its diff before committing.
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

/* Renders tests/golden/CASE/input.json and writes it with the real writer into out_dir.
 * Returns 0, or a negative errno after saying on stderr what went wrong; no cmocka
 * assertion, so that the update mode can use it outside a test. */
static int render_case(const char *case_dir, const char *out_dir) {
        char path[PATH_MAX];
        json_error_t err;
        json_auto_t *in = NULL;
        _cleanup_(eni_done) Eni eni = {};
        _cleanup_strv_free_ char **drivers = NULL;
        _cleanup_(rendered_interface_done) RenderedInterface r = {};
        const json_t *settings, *v;
        size_t i;
        bool changed = false;
        int k;

        snprintf(path, sizeof path, "%s/input.json", case_dir);
        in = json_load_file(path, 0, &err);
        if (!in) {
                fprintf(stderr, "%s: %s\n", path, err.text);
                return -EINVAL;
        }
        k = eni_from_json(json_object_get(in, "eni"), &eni);
        if (k < 0) {
                fprintf(stderr, "%s: invalid \"eni\": %s\n", path, strerror(-k));
                return k;
        }

        settings = json_object_get(in, "settings");
        drivers = calloc(1, sizeof(char *));
        if (!drivers)
                return -ENOMEM;
        json_array_foreach(json_object_get(settings, "drivers"), i, v)
                if (!json_is_string(v) || strv_extend(&drivers, json_string_value(v)) < 0) {
                        fprintf(stderr, "%s: invalid \"drivers\"\n", path);
                        return -EINVAL;
                }

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
        if (!ri.ifname) {
                fprintf(stderr, "%s: no \"ifname\"\n", path);
                return -EINVAL;
        }
        k = render_interface(&ri, &s, &r);
        if (k < 0) {
                fprintf(stderr, "%s: render_interface: %s\n", path, strerror(-k));
                return k;
        }
        k = interface_files_save(out_dir, ri.ifname, &r, NULL, &changed);
        if (k < 0 || !changed) {
                fprintf(stderr, "%s: first save into an empty directory: %s\n", path,
                        k < 0 ? strerror(-k) : "nothing written");
                return k < 0 ? k : -EIO;
        }

        /* Saving the same content again must change nothing. */
        k = interface_files_save(out_dir, ri.ifname, &r, NULL, &changed);
        if (k < 0 || changed) {
                fprintf(stderr, "%s: second save of the same content: %s\n", path,
                        k < 0 ? strerror(-k) : "files changed");
                return k < 0 ? k : -EIO;
        }
        return 0;
}

/* The expected trees are written with the default prefix 70; a build with another prefix
 * (Debian: 07) renames its output to compare it with them. */
static int rename_to_default_prefix(const char *dir) {
        static const char prefix[] = EC2NET_FILE_PREFIX "-";
        struct dirent *de;
        DIR *d;

        if (strcmp(EC2NET_FILE_PREFIX, "70") == 0)
                return 0;
        d = opendir(dir);
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                char from[PATH_MAX], to[PATH_MAX];

                if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
                        continue;
                snprintf(from, sizeof from, "%s/%s", dir, de->d_name);
                snprintf(to, sizeof to, "%s/70-%s", dir, de->d_name + strlen(prefix));
                if (rename(from, to) < 0) {
                        int k = -errno;

                        closedir(d);
                        return k;
                }
        }
        closedir(d);
        return 0;
}

/* Renders a case into out_dir as the expected tree names its files. */
static int render_case_as_expected(const char *case_dir, const char *out_dir) {
        int k = render_case(case_dir, out_dir);

        return k < 0 ? k : rename_to_default_prefix(out_dir);
}

static void golden_dir(char buf[static PATH_MAX]) {
        snprintf(buf, PATH_MAX, "%s/tests/golden", SOURCE_DIR);
}

static void test_golden_cases(void **state) {
        char golden[PATH_MAX];
        struct dirent *de;
        int n_cases = 0;
        DIR *d;

        golden_dir(golden);
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
                assert_int_equal(render_case_as_expected(case_dir, out), 0);
                assert_int_equal(tree_compare(expected, out), 0);
                rm_rf(out);
                n_cases++;
        }
        closedir(d);
        assert_true(n_cases >= 5);
}

/* --update: rewrites every expected tree from the current renderer. Compares nothing: the
 * test above is what judges, and the diff is for a person to review. */
static int update_golden_cases(void) {
        char golden[PATH_MAX];
        struct dirent *de;
        int n_cases = 0, failed = 0;
        DIR *d;

        golden_dir(golden);
        d = opendir(golden);
        if (!d) {
                fprintf(stderr, "%s: %m\n", golden);
                return EXIT_FAILURE;
        }
        while ((de = readdir(d))) {
                char case_dir[PATH_MAX], expected[PATH_MAX];

                if (de->d_name[0] == '.')
                        continue;
                snprintf(case_dir, sizeof case_dir, "%s/%s", golden, de->d_name);
                snprintf(expected, sizeof expected, "%s/expected", case_dir);
                rm_rf(expected);
                if (mkdir(expected, 0755) < 0 || render_case_as_expected(case_dir, expected) < 0) {
                        fprintf(stderr, "%s: not updated\n", de->d_name);
                        failed++;
                        continue;
                }
                printf("updated %s\n", expected);
                n_cases++;
        }
        closedir(d);
        printf("%d case(s) updated, %d failed: review the diff (git diff %s) before committing\n",
               n_cases, failed, golden);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden_cases),
        };

        if (argc == 2 && strcmp(argv[1], "--update") == 0)
                return update_golden_cases();
        if (argc != 1) {
                fprintf(stderr, "usage: %s [--update]\n", argv[0]);
                return EXIT_FAILURE;
        }
        return cmocka_run_group_tests(tests, NULL, NULL);
}
