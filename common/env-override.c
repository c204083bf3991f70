/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "env-override.h"

const char *env_override(const char *name) {
        const char *v = secure_getenv(name);

        return v && *v ? v : NULL;
}

static bool override_path_is_valid(const char *p) {
        size_t n = strnlen(p, ENV_OVERRIDE_PATH_MAX + 1);

        if (n > ENV_OVERRIDE_PATH_MAX || p[0] != '/')
                return false;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) p[i] < ' ' || p[i] == 0x7f)
                        return false;
        /* A ".." climbs out of the test's directory: no override ever needs one. */
        for (const char *c = p; c; c = strchr(c + 1, '/'))
                if (strncmp(c, "/..", 3) == 0 && (c[3] == '/' || c[3] == '\0'))
                        return false;
        return true;
}

const char *env_override_path(const char *name) {
        const char *v = env_override(name);

        return v && override_path_is_valid(v) ? v : NULL;
}
