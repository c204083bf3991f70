/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env-override.h"
#include "host-root.h"
#include "macro.h"

const char *host_root(void) {
        static char root[1025];
        /* Absolute, no control character, no "..", bounded: env-override.h. */
        const char *e = env_override_path(HOST_ROOT_ENV);
        size_t n;

        if (!e)
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
