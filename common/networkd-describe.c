/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "networkd-describe.h"
#include "strv.h"

void networkd_link_view_done(NetworkdLinkView *v) {
        free(v->network_file);
        strv_free(v->dropin_files);
        free(v->admin_state);
        free(v->oper_state);
        *v = (NetworkdLinkView) {};
}

/*
 * DescribeLink's document holds every address and route of the link: tens of KiB on an ENI
 * with prefixes, most of the time of ec2-netctl status when parsed whole for 16 ENIs. We
 * need three strings and one list at its top level, so the members are scanned in place and
 * every other value is skipped without being built. Strict JSON: anything malformed is
 * -EINVAL; depth and sizes are bounded.
 */
#define SCAN_DEPTH_MAX 64
#define SCAN_STRING_MAX 4096
#define SCAN_LIST_MAX 256

typedef struct Scanner {
        const char *p, *end;
} Scanner;

static void scan_blanks(Scanner *s) {
        while (s->p < s->end && strchr(" \t\r\n", *s->p) && *s->p)
                s->p++;
}

static bool scan_char(Scanner *s, char c) {
        scan_blanks(s);
        if (s->p >= s->end || *s->p != c)
                return false;
        s->p++;
        return true;
}

static int hex4(const char *p, unsigned *ret) {
        unsigned v = 0;

        for (int i = 0; i < 4; i++) {
                char c = p[i];

                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (unsigned) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (unsigned) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (unsigned) (c - 'A' + 10);
                else
                        return -EINVAL;
        }
        *ret = v;
        return 0;
}

/* A string at s->p. With buf, its value goes there; *ret_plain is false when it does not fit
 * or holds a character we do not keep (a NUL, anything escaped as \u beyond ASCII). */
static int scan_string(Scanner *s, char *buf, size_t size, bool *ret_plain) {
        size_t n = 0;
        bool plain = true;

        if (!scan_char(s, '"'))
                return -EINVAL;
        for (;;) {
                unsigned char c;
                unsigned u;

                if (s->p >= s->end)
                        return -EINVAL;
                c = (unsigned char) *s->p++;
                if (c == '"')
                        break;
                if (c < 0x20)
                        return -EINVAL;
                if (c == '\\') {
                        if (s->p >= s->end)
                                return -EINVAL;
                        switch (*s->p++) {
                        case '"': c = '"'; break;
                        case '\\': c = '\\'; break;
                        case '/': c = '/'; break;
                        case 'b': c = '\b'; break;
                        case 'f': c = '\f'; break;
                        case 'n': c = '\n'; break;
                        case 'r': c = '\r'; break;
                        case 't': c = '\t'; break;
                        case 'u':
                                if (s->end - s->p < 4 || hex4(s->p, &u) < 0)
                                        return -EINVAL;
                                s->p += 4;
                                if (u == 0 || u >= 0x80)
                                        plain = false;
                                c = (unsigned char) u;
                                break;
                        default:
                                return -EINVAL;
                        }
                }
                if (buf && n + 1 < size)
                        buf[n++] = (char) c;
                else if (buf)
                        plain = false;
        }
        if (buf)
                buf[n] = '\0';
        if (ret_plain)
                *ret_plain = plain;
        return 0;
}

static int scan_skip_value(Scanner *s, unsigned depth) {
        char close;
        int r;

        if (depth > SCAN_DEPTH_MAX)
                return -EINVAL;
        scan_blanks(s);
        if (s->p >= s->end)
                return -EINVAL;
        if (*s->p == '"')
                return scan_string(s, NULL, 0, NULL);
        if (*s->p != '{' && *s->p != '[') {
                /* A number, true, false or null: one token of these characters. */
                const char *start = s->p;

                while (s->p < s->end && *s->p && strchr("0123456789+-.eEtruefalsn", *s->p))
                        s->p++;
                return s->p > start ? 0 : -EINVAL;
        }
        close = *s->p == '{' ? '}' : ']';
        s->p++;
        if (scan_char(s, close))
                return 0;
        for (;;) {
                if (close == '}') {
                        r = scan_string(s, NULL, 0, NULL);
                        if (r < 0 || !scan_char(s, ':'))
                                return -EINVAL;
                }
                r = scan_skip_value(s, depth + 1);
                if (r < 0)
                        return r;
                if (scan_char(s, close))
                        return 0;
                if (!scan_char(s, ','))
                        return -EINVAL;
        }
}

/* A string member we keep: absolute paths only where paths belong; another type, or a value
 * we cannot keep whole, is skipped. */
static int scan_member_string(Scanner *s, bool path, char **ret) {
        char buf[SCAN_STRING_MAX];
        bool plain;
        int r;

        scan_blanks(s);
        if (s->p >= s->end || *s->p != '"')
                return scan_skip_value(s, 1);
        r = scan_string(s, buf, sizeof buf, &plain);
        if (r < 0)
                return r;
        if (!plain || (path && buf[0] != '/'))
                return 0;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

static int scan_member_paths(Scanner *s, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        size_t n = 0;
        int r;

        scan_blanks(s);
        if (s->p >= s->end || *s->p != '[')
                return scan_skip_value(s, 1);
        s->p++;
        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        if (!scan_char(s, ']'))
                for (;;) {
                        char buf[SCAN_STRING_MAX];
                        bool plain = false;

                        scan_blanks(s);
                        if (s->p < s->end && *s->p == '"') {
                                r = scan_string(s, buf, sizeof buf, &plain);
                                if (r < 0)
                                        return r;
                                if (plain && buf[0] == '/' && ++n <= SCAN_LIST_MAX && strv_extend(&l, buf) < 0)
                                        return -ENOMEM;
                        } else if ((r = scan_skip_value(s, 2)) < 0)
                                return r;
                        if (scan_char(s, ']'))
                                break;
                        if (!scan_char(s, ','))
                                return -EINVAL;
                }
        *ret = TAKE_PTR(l);
        return 0;
}

int networkd_link_view_from_json(const char *text, NetworkdLinkView *ret) {
        _cleanup_(networkd_link_view_done) NetworkdLinkView v = {};
        Scanner s = { text, text ? text + strlen(text) : NULL };
        bool seen[4] = {};
        int r;

        if (!text || !scan_char(&s, '{'))
                return -EINVAL;
        if (!scan_char(&s, '}'))
                for (;;) {
                        char key[64];
                        bool plain;
                        int which = -1;

                        r = scan_string(&s, key, sizeof key, &plain);
                        if (r < 0 || !scan_char(&s, ':'))
                                return -EINVAL;
                        if (plain)
                                which = streq(key, "NetworkFile") ? 0 : streq(key, "AdministrativeState") ? 1
                                        : streq(key, "OperationalState") ? 2 : streq(key, "NetworkDropinFiles") ? 3
                                                                                                               : -1;
                        /* Two values for one member we keep: which one would networkd mean? */
                        if (which >= 0 && seen[which])
                                return -EINVAL;
                        if (which >= 0)
                                seen[which] = true;
                        switch (which) {
                        case 0:
                                r = scan_member_string(&s, true, &v.network_file);
                                break;
                        case 1:
                                r = scan_member_string(&s, false, &v.admin_state);
                                break;
                        case 2:
                                r = scan_member_string(&s, false, &v.oper_state);
                                break;
                        case 3:
                                r = scan_member_paths(&s, &v.dropin_files);
                                break;
                        default:
                                r = scan_skip_value(&s, 1);
                        }
                        if (r < 0)
                                return r;
                        if (scan_char(&s, '}'))
                                break;
                        if (!scan_char(&s, ','))
                                return -EINVAL;
                }
        scan_blanks(&s);
        if (s.p != s.end)
                return -EINVAL;
        *ret = v;
        v = (NetworkdLinkView) {};
        return 0;
}
