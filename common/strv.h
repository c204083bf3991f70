/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* NULL-terminated string vectors (char **), owned with all their strings. */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char *const *l);
bool strv_contains(char *const *l, const char *s);
/* Takes ownership of value (freed on failure too). */
int strv_consume(char ***l, char *value);
int strv_extend(char ***l, const char *value);
/* Splits on blanks (space, tab); empty result is a valid empty vector (not NULL). */
int strv_split_blank(const char *s, char ***ret);
char **strv_copy(char *const *l);
void strv_sort(char **l);

#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)
