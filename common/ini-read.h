/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A reader for the systemd-style INI files of other programs that ec2-netctl inspects
 * (networkd.conf, .network files): sections, Key=Value lines, '#' and ';' comments. Lines
 * ending in a backslash are joined with the next one, as systemd does. Nothing is
 * validated here; the caller validates the values it uses. Our own configuration has its
 * own parser with diagnostics (config.h).
 */

#include <stddef.h>

#define INI_FILE_MAX (256U * 1024U)
#define INI_LINE_MAX 4096U

/* Called for each assignment; section is "" before the first header. A negative return
 * stops the parse with that error, a positive one stops it successfully. */
typedef int (*ini_handler_t)(const char *section, const char *key, const char *value, void *userdata);

int ini_parse_text(const char *text, size_t len, ini_handler_t handler, void *userdata);

/* Parses a file (at most INI_FILE_MAX bytes). -ENOENT when absent; 0 without any call for a
 * file masked by a symlink to /dev/null or empty. */
int ini_parse_file(const char *path, ini_handler_t handler, void *userdata);

/* Whether path is a masked unit-style file (a symlink to /dev/null, or empty). */
int ini_file_is_masked(const char *path);
