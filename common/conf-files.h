/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * systemd's rule for files spread over several directories (.network files, drop-ins of
 * networkd.conf): every file NAME ending in the suffix, from the first directory that has
 * it (a name in /etc hides the same name in /run and /usr/lib), ordered by NAME. Used by
 * ec2-netctl to see what networkd sees.
 */

#define CONF_FILES_MAX 4096U

/* Paths (DIR/NAME) of the files, sorted by NAME. Missing directories are skipped; names
 * starting with '.' are not files of anybody. */
int conf_files_list(char *const *dirs, const char *suffix, char ***ret);
