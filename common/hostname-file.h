/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Whether /etc/hostname sets a static hostname (SPEC §2: set-hostname-imds only sets one when
 * it is missing or empty), read as hostname(5) and systemd-hostnamed read it: the first line
 * that is neither blank nor a comment ('#') is the name.
 */

#define HOSTNAME_FILE_MAX 4096

/* 1: a name is set. 0: the file is missing or holds only blank and comment lines.
 * Negative errno: the file is there but could not be read (a symbolic link -ELOOP, not a
 * regular file -EISDIR/-EBADFD, larger than HOSTNAME_FILE_MAX -EFBIG, a NUL byte -EBADMSG,
 * no permission -EACCES): whether a name is set is unknown, so nothing may replace it. */
int hostname_file_is_set(const char *path);

/* Words for such an error, for a log line. */
const char *hostname_file_error_reason(int r);
