/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "unit-name.h"

int unit_name_for_interface(const char *prefix, const char *ifname, const char *suffix,
                            char *buf, size_t size) {
        size_t n = 0;
        int k;

        k = snprintf(buf, size, "%s@", prefix);
        if (k < 0 || (size_t) k >= size)
                return -ENAMETOOLONG;
        n = (size_t) k;
        for (const char *p = ifname; *p; p++) {
                unsigned char c = (unsigned char) *p;
                bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                             c == '_' || c == '-' || (c == '.' && p != ifname);

                k = plain ? snprintf(buf + n, size - n, "%c", c) : snprintf(buf + n, size - n, "\\x%02x", c);
                if (k < 0 || (size_t) k >= size - n)
                        return -ENAMETOOLONG;
                n += (size_t) k;
        }
        k = snprintf(buf + n, size - n, "%s", suffix);
        return k < 0 || (size_t) k >= size - n ? -ENAMETOOLONG : 0;
}
