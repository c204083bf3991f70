/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Room for a quoted interface name or short argument with every byte escaped. */
#define ESCAPE_SHORT_MAX 80

/* Copies s into buf (size > 4) for a log line: control bytes, DEL and a backslash become
 * \xNN, and so do bytes >= 0x80 and '"' when ascii_only is set. When buf is too small the
 * copy ends with "..." instead of a cut escape. Returns buf; s may be NULL ("(null)"). */
const char *escape_for_log(const char *s, bool ascii_only, char *buf, size_t size);

/* Rewrites control bytes and DEL in s as '?' in place, so that one log call is one line. */
void escape_controls_in_place(char *s);
