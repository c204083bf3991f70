/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "file-read.h"
#include "hostname-file.h"
#include "macro.h"

int hostname_file_is_set(const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        r = read_file_at(AT_FDCWD, path, HOSTNAME_FILE_MAX, &text, &size);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (memchr(text, '\0', size))
                return -EBADMSG;
        for (char *line = text, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                line += strspn(line, " \t\r");
                if (*line && *line != '#')
                        return 1;
        }
        return 0;
}

_Static_assert(HOSTNAME_FILE_MAX == 4096, "the reason below names the limit");

const char *hostname_file_error_reason(int r) {
        switch (r) {
        case -ELOOP:
                return "it is a symbolic link";
        case -EISDIR:
        case -EBADFD:
                return "it is not a regular file";
        case -EFBIG:
                return "it is larger than 4096 bytes";
        case -EBADMSG:
                return "it is not text";
        default:
                return strerror(-r);
        }
}
