/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-files.h"
#include "macro.h"
#include "strv.h"


static int by_name(const void *a, const void *b) {
        const char *x = *(const char *const *) a, *y = *(const char *const *) b;
        const char *bx = strrchr(x, '/'), *by = strrchr(y, '/');

        return strcmp(bx ? bx + 1 : x, by ? by + 1 : y);
}

static bool name_taken(char *const *paths, const char *name) {
        STRV_FOREACH(p, paths) {
                const char *b = strrchr(*p, '/');

                if (streq(b ? b + 1 : *p, name))
                        return true;
        }
        return false;
}

int conf_files_list(char *const *dirs, const char *suffix, char ***ret) {
        _cleanup_strv_free_ char **paths = calloc(1, sizeof(char *));
        size_t k = strlen(suffix), n = 0;

        if (!paths)
                return -ENOMEM;
        STRV_FOREACH(dir, dirs) {
                _cleanup_closedir_ DIR *d = opendir(*dir);
                struct dirent *de;

                while (d && (de = readdir(d)) && n < CONF_FILES_MAX) {
                        size_t len = strlen(de->d_name);
                        char *path = NULL;

                        if (de->d_name[0] == '.' || len <= k || !streq(de->d_name + len - k, suffix) ||
                            name_taken(paths, de->d_name))
                                continue;
                        if (asprintf(&path, "%s/%s", *dir, de->d_name) < 0 || strv_consume(&paths, path) < 0)
                                return -ENOMEM;
                        n++;
                }
        }
        qsort(paths, strv_length(paths), sizeof(char *), by_name);
        *ret = TAKE_PTR(paths);
        return 0;
}
