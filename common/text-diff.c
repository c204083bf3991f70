/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "text-diff.h"

typedef struct Lines {
        const char **start;      /* each line's first byte */
        size_t *len;             /* without its newline */
        size_t n;
        bool last_has_newline;   /* meaningless when n == 0 */
} Lines;

static void lines_done(Lines *l) {
        free(l->start);
        free(l->len);
        *l = (Lines) {};
}

static int lines_split(const char *text, Lines *ret) {
        Lines l = { .last_has_newline = true };
        size_t n = 0;

        if (!text || !*text) {
                *ret = l;
                return 0;
        }
        for (const char *p = text; *p; p++)
                if (*p == '\n')
                        n++;
        if (text[strlen(text) - 1] != '\n') {
                n++;
                l.last_has_newline = false;
        }
        l.start = calloc(n + 1, sizeof *l.start);
        l.len = calloc(n + 1, sizeof *l.len);
        if (!l.start || !l.len) {
                lines_done(&l);
                return -ENOMEM;
        }
        for (const char *p = text; *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);

                l.start[l.n] = p;
                l.len[l.n++] = len;
                p += len + (nl ? 1 : 0);
        }
        *ret = l;
        return 0;
}

static bool line_equal(const Lines *a, size_t i, const Lines *b, size_t j) {
        /* The last line without a newline differs from the same text with one, as in diff. */
        bool a_nl = i + 1 < a->n || a->last_has_newline, b_nl = j + 1 < b->n || b->last_has_newline;

        return a->len[i] == b->len[j] && a_nl == b_nl && memcmp(a->start[i], b->start[j], a->len[i]) == 0;
}

/* One step of the edit script: ' ' both, '-' old only, '+' new only. */
typedef struct Edit {
        char op;
        size_t old_line, new_line;   /* 0-based; the line of the side(s) it belongs to */
} Edit;

static uint32_t max_u32(uint32_t a, uint32_t b) {
        return a > b ? a : b;
}

/* The edit script turning a into b, from a longest common subsequence table. */
static int edit_script(const Lines *a, const Lines *b, Edit **ret, size_t *ret_n) {
        _cleanup_free_ uint32_t *lcs = NULL;
        _cleanup_free_ Edit *e = NULL;
        size_t n = 0, i = 0, j = 0, w = b->n + 1;

        e = calloc(a->n + b->n + 1, sizeof *e);
        if (!e)
                return -ENOMEM;

        if ((a->n + 1) * (b->n + 1) <= TEXT_DIFF_CELLS_MAX) {
                /* lcs[i][j]: length of the LCS of a[i..] and b[j..]. */
                lcs = calloc((a->n + 1) * w, sizeof *lcs);
                if (!lcs)
                        return -ENOMEM;
                for (size_t x = a->n; x-- > 0;)
                        for (size_t y = b->n; y-- > 0;)
                                lcs[x * w + y] = line_equal(a, x, b, y)
                                                         ? lcs[(x + 1) * w + y + 1] + 1
                                                         : max_u32(lcs[(x + 1) * w + y], lcs[x * w + y + 1]);
        }
        while (i < a->n || j < b->n) {
                if (i < a->n && j < b->n && lcs && line_equal(a, i, b, j)) {
                        e[n++] = (Edit) { ' ', i++, j++ };
                        continue;
                }
                /* Removals before additions at the same place, as diff prints them. */
                if (i < a->n && (j == b->n || !lcs || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]))
                        e[n++] = (Edit) { '-', i++, j };
                else
                        e[n++] = (Edit) { '+', i, j++ };
        }
        *ret = TAKE_PTR(e);
        *ret_n = n;
        return 0;
}

static void dump_line(FILE *f, char op, const Lines *l, size_t k) {
        fputc(op, f);
        fwrite(l->start[k], 1, l->len[k], f);
        fputc('\n', f);
        if (k + 1 == l->n && !l->last_has_newline)
                fputs("\\ No newline at end of file\n", f);
}

/* "l,s" as diff writes a hunk range: 1-based start (the line before, for an empty range)
 * and the count, ",1" left out. */
static void dump_range(FILE *f, size_t first, size_t count) {
        if (count == 1)
                fprintf(f, "%zu", first + 1);
        else
                fprintf(f, "%zu,%zu", count == 0 ? first : first + 1, count);
}

int text_diff_dump(FILE *f, const char *old_text, const char *new_text, const char *old_label,
                   const char *new_label, unsigned context, TextDiffStats *stats) {
        _cleanup_(lines_done) Lines a = {}, b = {};
        _cleanup_free_ Edit *e = NULL;
        TextDiffStats st = {};
        size_t n = 0;
        bool header = false;
        int r;

        if (!f || !old_label || !new_label)
                return -EINVAL;
        if ((r = lines_split(old_text, &a)) < 0 || (r = lines_split(new_text, &b)) < 0)
                return r;
        r = edit_script(&a, &b, &e, &n);
        if (r < 0)
                return r;

        for (size_t k = 0; k < n;) {
                size_t first, last, old_count = 0, new_count = 0;

                if (e[k].op == ' ') {
                        k++;
                        continue;
                }
                /* A hunk: from `context` lines before this change to `context` lines after the
                 * last change that is at most 2 × context unchanged lines from the next. */
                first = k > context ? k - context : 0;
                last = k;
                for (size_t q = k; q < n; q++) {
                        if (e[q].op != ' ')
                                last = q;
                        else if (q - last > 2 * (size_t) context)
                                break;
                }
                last = last + context < n - 1 ? last + context : n - 1;
                for (size_t q = first; q <= last; q++) {
                        old_count += e[q].op != '+';
                        new_count += e[q].op != '-';
                }
                if (!header) {
                        fprintf(f, "--- %s\n+++ %s\n", old_text ? old_label : "/dev/null",
                                new_text ? new_label : "/dev/null");
                        header = true;
                }
                fputs("@@ -", f);
                dump_range(f, e[first].old_line, old_count);
                fputs(" +", f);
                dump_range(f, e[first].new_line, new_count);
                fputs(" @@\n", f);
                for (size_t q = first; q <= last; q++) {
                        if (e[q].op == '+') {
                                dump_line(f, '+', &b, e[q].new_line);
                                st.added++;
                        } else {
                                dump_line(f, e[q].op, &a, e[q].old_line);
                                st.removed += e[q].op == '-';
                        }
                }
                k = last + 1;
        }
        if (stats)
                *stats = st;
        return ferror(f) ? -EIO : 0;
}

int text_diff_format(const char *old_text, const char *new_text, const char *old_label,
                     const char *new_label, unsigned context, char **ret, TextDiffStats *stats) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        r = text_diff_dump(f, old_text, new_text, old_label, new_label, context, stats);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        return 0;
}
