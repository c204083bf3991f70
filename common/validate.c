/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

static bool streq_dots(const char *s) {
        return strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
}

static bool is_lower_hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int validate_mac(const char *s, char ret[static MAC_STR_MAX]) {
        char buf[MAC_STR_MAX];

        if (!s || strlen(s) != MAC_STR_MAX - 1)
                return -EINVAL;
        for (size_t i = 0; i < MAC_STR_MAX - 1; i++) {
                char c = s[i];

                if (i % 3 == 2) {
                        if (c != ':')
                                return -EINVAL;
                } else {
                        c = (char) tolower((unsigned char) c);
                        if (!is_lower_hex(c))
                                return -EINVAL;
                }
                buf[i] = c;
        }
        buf[MAC_STR_MAX - 1] = '\0';
        memcpy(ret, buf, sizeof buf);
        return 0;
}

static int validate_ip(int family, const char *s, char ret[static IP_STR_MAX]) {
        unsigned char addr[16];
        char buf[IP_STR_MAX];

        /* inet_pton() is strict: no blanks, no trailing garbage, no zone ids. */
        if (!s || strlen(s) >= IP_STR_MAX || inet_pton(family, s, addr) != 1)
                return -EINVAL;
        if (!inet_ntop(family, addr, buf, sizeof buf))
                return -EINVAL;
        memcpy(ret, buf, sizeof buf);
        return 0;
}

int validate_ipv4(const char *s, char ret[static IP_STR_MAX]) {
        return validate_ip(AF_INET, s, ret);
}

int validate_ipv6(const char *s, char ret[static IP_STR_MAX]) {
        return validate_ip(AF_INET6, s, ret);
}

static int validate_cidr(int family, const char *s, char ret[static CIDR_STR_MAX]) {
        char addr[IP_STR_MAX], canon[IP_STR_MAX];
        const char *slash;
        unsigned len;
        int r;

        if (!s)
                return -EINVAL;
        slash = strchr(s, '/');
        if (!slash || (size_t) (slash - s) >= sizeof addr)
                return -EINVAL;
        memcpy(addr, s, slash - s);
        addr[slash - s] = '\0';

        r = validate_ip(family, addr, canon);
        if (r < 0)
                return r;
        r = parse_bounded_uint(slash + 1, family == AF_INET ? 32 : 128, &len);
        if (r < 0 || len == 0)
                return -EINVAL;

        snprintf(ret, CIDR_STR_MAX, "%s/%u", canon, len);
        return 0;
}

int validate_cidr4(const char *s, char ret[static CIDR_STR_MAX]) {
        return validate_cidr(AF_INET, s, ret);
}

int validate_cidr6(const char *s, char ret[static CIDR_STR_MAX]) {
        return validate_cidr(AF_INET6, s, ret);
}

int validate_eni_id(const char *s, char ret[static ENI_ID_MAX]) {
        size_t n;

        if (!s || strncmp(s, "eni-", 4) != 0)
                return -EINVAL;
        n = strlen(s + 4);
        if (n < 1 || n > 32)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!is_lower_hex(s[4 + i]))
                        return -EINVAL;
        memcpy(ret, s, n + 5);
        return 0;
}

int parse_bounded_uint(const char *s, unsigned max, unsigned *ret) {
        unsigned long v = 0;
        size_t n;

        if (!s)
                return -EINVAL;
        n = strlen(s);
        /* 10 digits is enough for any bound we use and cannot overflow unsigned long. */
        if (n < 1 || n > 10 || (n > 1 && s[0] == '0'))
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned long) (s[i] - '0');
        }
        if (v > max)
                return -ERANGE;
        *ret = (unsigned) v;
        return 0;
}

bool ifname_is_valid(const char *s) {
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n < 1 || n >= IFNAME_MAX || streq_dots(s))
                return false;
        if (s[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];

                if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':')
                        return false;
                /* The kernel takes these, EC2 never makes them, and in networkd's Name=
                 * match (fnmatch, and "!" negates) they would turn our name into a pattern
                 * that matches other interfaces. A backslash escapes the next character
                 * (or dangles at the end), so it never matches itself either. */
                if (strchr("*?[]!\\", c))
                        return false;
        }
        return true;
}

int validate_hostname(const char *s, char *ret, size_t size) {
        size_t n, label = 0;

        if (!s)
                return -EINVAL;
        n = strlen(s);
        if (n < 1 || n > 253 || n >= size)
                return -EINVAL;
        for (size_t i = 0; i <= n; i++) {
                char c = s[i];

                if (c == '.' || c == '\0') {
                        if (label == 0 || s[i - 1] == '-')
                                return -EINVAL;
                        label = 0;
                        continue;
                }
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
                        return -EINVAL;
                if (label == 0 && c == '-')
                        return -EINVAL;
                if (++label > 63)
                        return -EINVAL;
        }
        for (size_t i = 0; i <= n; i++)
                ret[i] = (char) tolower((unsigned char) s[i]);
        return 0;
}
