/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The JSON schema check of ec2-netctl's unit tests: the fields ec2-netctl(8) documents
 * (lines "\fB.path\fR" under .SS "SECTION" of JSON OUTPUT) against those of an output. */

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "strv-test-util.h"
#include "tree-util.h"

/* The documented paths of one subsection (.SS "TITLE") of the man page's JSON OUTPUT. */
static inline char **documented(const char *section) {
        char path[PATH_MAX], title[128];
        _cleanup_free_ char *text = NULL;
        char **l = calloc(1, sizeof(char *));
        bool in = false;

        snprintf(path, sizeof path, "%s/man/ec2-netctl.8.in", SOURCE_DIR);
        text = read_whole_file(path);
        assert_non_null(text);
        snprintf(title, sizeof title, ".SS \"%s\"", section);
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                if (strncmp(line, ".SS ", 4) == 0 || strncmp(line, ".SH ", 4) == 0)
                        in = streq(line, title);
                else if (in && strncmp(line, "\\fB.", 4) == 0) {
                        char *end = strstr(line, "\\fR");

                        assert_non_null(end);
                        *end = '\0';
                        assert_int_equal(strv_extend(&l, line + 3), 0);
                }
        }
        assert_non_null(l[0]);
        return l;
}

/* Every path of j as jq would name it (".a.b", ".a[].c"); arrays of objects are walked
 * element by element, arrays of scalars are leaves. Finding arrays are checked on their own. */
static inline void collect(const json_t *j, const char *prefix, char ***paths, char *const *finding_fields) {
        const char *key;
        json_t *v;

        json_object_foreach((json_t *) j, key, v) {
                char p[512];

                snprintf(p, sizeof p, "%s.%s", prefix, key);
                if (!strv_contains(*paths, p))
                        assert_int_equal(strv_extend(paths, p), 0);
                if (json_is_object(v))
                        collect(v, p, paths, finding_fields);
                else if (json_is_array(v)) {
                        size_t k;
                        json_t *e;

                        json_array_foreach(v, k, e) {
                                char q[520];

                                if (!json_is_object(e))
                                        continue;
                                if (streq(key, "findings")) {
                                        _cleanup_strv_free_ char **fp = calloc(1, sizeof(char *));

                                        collect(e, "", &fp, NULL);
                                        strv_sort(fp);
                                        assert_true(strv_equal(fp, finding_fields));
                                        continue;
                                }
                                snprintf(q, sizeof q, "%s[]", p);
                                collect(e, q, paths, finding_fields);
                        }
                }
        }
}


/* Fails the test for every documented field missing from j and every field of j that is
 * not documented. */
static inline void check_documented(const json_t *j, const char *section) {
        _cleanup_strv_free_ char **want = documented(section), **finding = documented("Finding objects");
        _cleanup_strv_free_ char **have = calloc(1, sizeof(char *));

        strv_sort(finding);
        collect(j, "", &have, finding);
        strv_sort(have);
        strv_sort(want);
        STRV_FOREACH(p, want)
                if (!strv_contains(have, *p))
                        fail_msg("documented in ec2-netctl(8) but missing from the output: %s", *p);
        STRV_FOREACH(p, have)
                if (!strv_contains(want, *p))
                        fail_msg("in the output but not documented in ec2-netctl(8): %s", *p);
}
