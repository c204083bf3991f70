/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "imds-parse.h"
#include "strv.h"
#include "validate.h"

int imds_split_lines(const char *body, size_t len, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        size_t n_items = 0;
        int r;

        if (!l)
                return -ENOMEM;
        if (len > IMDS_BODY_MAX)
                return -EFBIG;

        for (size_t i = 0; i < len;) {
                size_t end = i, line_len;

                while (end < len && body[end] != '\n')
                        end++;
                line_len = end - i;
                if (line_len > 0 && body[i + line_len - 1] == '\r')
                        line_len--;

                if (line_len == 0) {
                        /* Only the very end of the body may be an empty line. */
                        if (end + 1 < len)
                                return -EBADMSG;
                        break;
                }
                if (line_len > IMDS_LINE_MAX || ++n_items > IMDS_LIST_MAX_ITEMS)
                        return -EBADMSG;
                for (size_t k = 0; k < line_len; k++) {
                        unsigned char c = (unsigned char) body[i + k];

                        if (c < 0x20 || c >= 0x7f)
                                return -EBADMSG;
                }
                r = strv_consume(&l, strndup(body + i, line_len));
                if (r < 0)
                        return r;
                i = end + 1;
        }

        *ret = TAKE_PTR(l);
        return 0;
}

static int validate_key(const char *s) {
        size_t n = strlen(s);

        if (n > 0 && s[n - 1] == '/')
                n--;
        if (n == 0 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789._-") != n)
                return -EINVAL;
        if (n <= 2 && s[0] == '.' && (n == 1 || s[1] == '.'))
                return -EINVAL;
        return 0;
}

static int canonicalize(const char *item, ImdsValueType type, char **ret) {
        char buf[CIDR_STR_MAX];
        int r;

        switch (type) {
        case IMDS_VALUE_IPV4:
                r = validate_ipv4(item, buf);
                break;
        case IMDS_VALUE_IPV6:
                r = validate_ipv6(item, buf);
                break;
        case IMDS_VALUE_CIDR4:
                r = validate_cidr4(item, buf);
                break;
        case IMDS_VALUE_CIDR6:
                r = validate_cidr6(item, buf);
                break;
        case IMDS_VALUE_KEY:
                r = validate_key(item);
                if (r >= 0)
                        snprintf(buf, sizeof buf, "%.*s", (int) (sizeof buf - 1), item);
                if (strlen(item) >= sizeof buf)
                        r = -EINVAL;
                break;
        default:
                r = -EINVAL;
        }
        if (r < 0)
                return r;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

int imds_parse_list(const char *body, size_t len, ImdsValueType type, char ***ret) {
        _cleanup_strv_free_ char **lines = NULL, **out = calloc(1, sizeof(char *));
        int r;

        if (!out)
                return -ENOMEM;
        r = imds_split_lines(body, len, &lines);
        if (r < 0)
                return r;
        STRV_FOREACH(line, lines) {
                char *c;

                r = canonicalize(*line, type, &c);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return -EBADMSG;
                r = strv_consume(&out, c);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

int imds_parse_line(const char *body, size_t len, char **ret) {
        _cleanup_strv_free_ char **lines = NULL;
        int r;

        r = imds_split_lines(body, len, &lines);
        if (r < 0)
                return r;
        if (strv_length(lines) != 1)
                return -EBADMSG;
        *ret = TAKE_PTR(lines[0]);
        return 0;
}
