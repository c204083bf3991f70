/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "file-read.h"
#include "file-save.h"
#include "ini-read.h"
#include "macro.h"

#define BLANKS " \t\r"

static char *strip(char *s) {
        size_t n;

        s += strspn(s, BLANKS);
        n = strlen(s);
        while (n > 0 && strchr(BLANKS, s[n - 1]))
                s[--n] = '\0';
        return s;
}

int ini_parse_text(const char *text, size_t len, ini_handler_t handler, void *userdata) {
        _cleanup_free_ char *line = NULL, *section = strdup("");
        size_t used = 0;
        const char *p = text, *end = text ? text + len : NULL;

        if (!section)
                return -ENOMEM;
        line = malloc(INI_LINE_MAX + 1);
        if (!line)
                return -ENOMEM;
        while (p && p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = (size_t) ((nl ? nl : end) - p);
                bool continued;
                char *l, *eq;
                int r;

                if (used + n > INI_LINE_MAX || memchr(p, '\0', n)) {
                        used = 0;   /* not a line we can read: skipped */
                        p = nl ? nl + 1 : end;
                        continue;
                }
                memcpy(line + used, p, n);
                used += n;
                line[used] = '\0';
                p = nl ? nl + 1 : end;
                continued = used > 0 && line[used - 1] == '\\' && line[strspn(line, BLANKS)] != '#' &&
                            line[strspn(line, BLANKS)] != ';';
                if (continued && p < end) {
                        line[--used] = ' ';
                        used++;
                        continue;
                }
                used = 0;
                l = strip(line);
                if (*l == '\0' || *l == '#' || *l == ';')
                        continue;
                if (*l == '[') {
                        char *close = strchr(l, ']');

                        free(section);
                        section = strndup(l + 1, close ? (size_t) (close - l - 1) : 0);
                        if (!section)
                                return -ENOMEM;
                        continue;
                }
                eq = strchr(l, '=');
                if (!eq)
                        continue;
                *eq = '\0';
                r = handler(section, strip(l), strip(eq + 1), userdata);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        return 0;
}

int ini_file_is_masked(const char *path) {
        struct stat st;

        if (stat(path, &st) < 0)
                return negative_errno();
        return (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) || (S_ISREG(st.st_mode) && st.st_size == 0);
}

int ini_parse_file(const char *path, ini_handler_t handler, void *userdata) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r;

        r = ini_file_is_masked(path);
        if (r != 0)
                return r < 0 ? r : 0;
        r = read_file_at(AT_FDCWD, path, INI_FILE_MAX, &text, &size);
        if (r < 0)
                return r;
        return ini_parse_text(text, size, handler, userdata);
}
