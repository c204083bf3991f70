/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * A unified diff (as `diff -u` prints it) of two small texts, for ec2-netctl plan: what a
 * refresh would change in each generated file. Pure: text in, text out.
 *
 * The texts are split into lines and compared by longest common subsequence, which costs
 * O(lines_a × lines_b) memory: the generated files have tens of lines. Beyond
 * TEXT_DIFF_CELLS_MAX cells the diff is "remove every old line, add every new one", which is
 * still a correct (if longer) unified diff.
 */

#include <stdio.h>

#define TEXT_DIFF_CONTEXT 3
#define TEXT_DIFF_CELLS_MAX (4U * 1024U * 1024U)

typedef struct TextDiffStats {
        unsigned added, removed;
} TextDiffStats;

/* Writes the diff of old_text → new_text with the file header "--- OLD_LABEL" /
 * "+++ NEW_LABEL" to f; nothing at all when the texts are equal. NULL stands for a file
 * that does not exist (an empty text, labelled /dev/null as diff -N does). A text without a
 * final newline gets diff's "\ No newline at end of file" marker. stats may be NULL. */
int text_diff_dump(FILE *f, const char *old_text, const char *new_text, const char *old_label,
                   const char *new_label, unsigned context, TextDiffStats *stats);

/* The same into a string ("" when equal). */
int text_diff_format(const char *old_text, const char *new_text, const char *old_label,
                     const char *new_label, unsigned context, char **ret, TextDiffStats *stats);
