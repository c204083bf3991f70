/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "escape.h"

static bool byte_needs_escape(unsigned char c, bool ascii_only) {
        if (c < 0x20 || c == 0x7f || c == '\\')
                return true;
        return ascii_only && (c >= 0x80 || c == '"');
}

const char *escape_for_log(const char *s, bool ascii_only, char *buf, size_t size) {
        const unsigned char *p;
        size_t n = 0, total = 0, room;

        if (!buf || size < 5)
                return "";
        if (!s)
                s = "(null)";
        for (p = (const unsigned char *) s; *p; p++)
                total += byte_needs_escape(*p, ascii_only) ? 4 : 1;
        /* All of it when it fits, else as much as leaves room for "...". */
        room = total < size ? total : size - 4;
        for (p = (const unsigned char *) s; *p; p++) {
                size_t need = byte_needs_escape(*p, ascii_only) ? 4 : 1;

                if (n + need > room)
                        break;
                if (need == 4)
                        (void) snprintf(buf + n, 5, "\\x%02x", *p);
                else
                        buf[n] = (char) *p;
                n += need;
        }
        if (n < total)
                memcpy(buf + n, "...", 3), n += 3;
        buf[n] = '\0';
        return buf;
}

void escape_controls_in_place(char *s) {
        for (; s && *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        *s = '?';
}
