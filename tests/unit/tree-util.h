/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Test helpers: temporary directories and comparison of a produced tree with an expected
 * one (golden files). Header-only so that every test binary can use it. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file-read.h"
#include "macro.h"

static inline int rm_rf_cb(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        (void) st; (void) type; (void) ftw;
        return remove(path) < 0 && errno != ENOENT ? -1 : 0;
}

static inline void rm_rf(const char *path) {
        (void) nftw(path, rm_rf_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static inline char *make_temp_dir(void) {
        char tmpl[] = "/tmp/ec2net-test.XXXXXX";
        char *d = mkdtemp(tmpl);

        return d ? strdup(d) : NULL;
}

/* cmocka setup/teardown pair: *state is a fresh temporary directory. */
static inline int setup_tmpdir(void **state) {
        *state = make_temp_dir();
        return *state ? 0 : -1;
}

static inline int teardown_tmpdir(void **state) {
        rm_rf(*state);
        free(*state);
        return 0;
}

static inline char *read_whole_file(const char *path) {
        char *buf = NULL;

        if (read_file_at(AT_FDCWD, path, 1024 * 1024, &buf, NULL) < 0)
                return NULL;
        return buf;
}

static inline int write_whole_file(const char *path, const char *content) {
        FILE *f = fopen(path, "we");

        if (!f)
                return -errno;
        fputs(content, f);
        return fclose(f) == 0 ? 0 : -EIO;
}

/* Every regular file under a (relative names) must exist under b with the same bytes.
 * Prints a report of each difference to stderr; returns the number of differences. */
static inline int tree_compare_one_way(const char *a, const char *b, const char *rel, bool contents) {
        char pa[PATH_MAX], pb[PATH_MAX];
        struct dirent *de;
        int diffs = 0;
        DIR *d;

        snprintf(pa, sizeof pa, "%s%s%s", a, *rel ? "/" : "", rel);
        d = opendir(pa);
        if (!d)
                return 1;
        while ((de = readdir(d))) {
                char sub[PATH_MAX];
                struct stat st;

                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
                snprintf(pa, sizeof pa, "%s/%s", a, sub);
                snprintf(pb, sizeof pb, "%s/%s", b, sub);
                if (lstat(pa, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        diffs += tree_compare_one_way(a, b, sub, contents);
                        continue;
                }
                if (access(pb, F_OK) < 0) {
                        fprintf(stderr, "only in %s: %s\n", a, sub);
                        diffs++;
                        continue;
                }
                if (contents) {
                        char *ca = read_whole_file(pa), *cb = read_whole_file(pb);

                        if (!ca || !cb || strcmp(ca, cb) != 0) {
                                fprintf(stderr, "--- %s\n%s\n+++ %s\n%s\n", pa, ca ? ca : "(unreadable)",
                                        pb, cb ? cb : "(unreadable)");
                                diffs++;
                        }
                        free(ca);
                        free(cb);
                }
        }
        closedir(d);
        return diffs;
}

static inline int tree_compare(const char *expected, const char *actual) {
        return tree_compare_one_way(expected, actual, "", true) +
               tree_compare_one_way(actual, expected, "", false);
}
