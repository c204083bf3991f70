/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Reading small files safely: regular files only (never through a symlink, never blocking
 * on a FIFO), bounded in size. */

#include <stddef.h>

/* Opens dir_fd/name read-only: -ELOOP for a symlink, -EISDIR, -EBADFD for anything but a
 * regular file. */
int file_open_regular_at(int dir_fd, const char *name, int *ret_fd);

/* Reads fd to its end, at most max bytes; -EFBIG when larger. *ret is NUL-terminated. */
int file_read_fd(int fd, size_t max, char **ret, size_t *ret_size);

/* Reads a whole regular file of at most max bytes; -EFBIG when larger. */
int read_file_at(int dir_fd, const char *name, size_t max, char **ret, size_t *ret_size);
