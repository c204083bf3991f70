/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host-root.h"
#include "macro.h"

static bool root_is_valid(const char *p) {
        size_t n = strnlen(p, 1025);

        if (n == 0 || n > 1024 || p[0] != '/')
                return false;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) p[i] < ' ' || p[i] == 0x7f)
                        return false;
        for (const char *c = p; c; c = strchr(c + 1, '/'))
                if (strncmp(c, "/..", 3) == 0 && (c[3] == '/' || c[3] == '\0'))
                        return false;
        return true;
}

const char *host_root(void) {
        static char root[1025];
        const char *e = secure_getenv(HOST_ROOT_ENV);
        size_t n;

        if (!e || !root_is_valid(e))
                return "/";
        snprintf(root, sizeof root, "%s", e);
        for (n = strlen(root); n > 1 && root[n - 1] == '/'; n--)
                root[n - 1] = '\0';
        return root;
}

int host_path(const char *path, char *buf, size_t size) {
        const char *root = host_root();
        int n;

        if (!path || path[0] != '/')
                return -EINVAL;
        n = snprintf(buf, size, "%s%s", streq(root, "/") ? "" : root, path);
        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}
