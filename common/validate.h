/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * One validator per kind of value that reaches us from IMDS, udev, the command line or a
 * configuration file (SPEC §3). Each returns 0 and writes a canonical form, or -EINVAL and
 * writes nothing. Canonical forms contain only characters that are safe in a networkd
 * configuration file: no whitespace, no newline, no '[' or '='.
 */

#include <stdbool.h>
#include <stddef.h>

#define MAC_STR_MAX 18         /* "aa:bb:cc:dd:ee:ff" + NUL */
#define IP_STR_MAX 46          /* INET6_ADDRSTRLEN */
#define CIDR_STR_MAX (IP_STR_MAX + 12)
#define ENI_ID_MAX 40          /* "eni-" + up to 32 hex digits + NUL, rounded */
#define IFNAME_MAX 16          /* IFNAMSIZ */
#define IFNAME_MAX_BUF (IFNAME_MAX + 8)

/* "aa:bb:cc:dd:ee:ff", either case; written lower-case. */
int validate_mac(const char *s, char ret[static MAC_STR_MAX]);
/* Dotted quad, written as inet_ntop() prints it. */
int validate_ipv4(const char *s, char ret[static IP_STR_MAX]);
/* Any form inet_pton() takes (compressed or not); written compressed. */
int validate_ipv6(const char *s, char ret[static IP_STR_MAX]);
/* ADDR/LEN with 1 <= LEN <= 32 (resp. 128); the address is canonicalised. */
int validate_cidr4(const char *s, char ret[static CIDR_STR_MAX]);
int validate_cidr6(const char *s, char ret[static CIDR_STR_MAX]);
/* "eni-" followed by 1 to 32 lower-case hex digits. */
int validate_eni_id(const char *s, char ret[static ENI_ID_MAX]);
/* Decimal digits only (no sign, no blanks, no leading zeros except "0"), value <= max. */
int parse_bounded_uint(const char *s, unsigned max, unsigned *ret);
/* A kernel interface name we are willing to act on: 1..15 bytes of printable ASCII,
 * no '/', ':', whitespace, no glob character ('*', '?', '[', ']', '!', '\\'), not "." or
 * "..", not starting with '-'. */
bool ifname_is_valid(const char *s);

#define HOSTNAME_MAX 64   /* what a static hostname may hold (HOST_NAME_MAX) */

/* A DNS host name: dot-separated labels of [A-Za-z0-9-] (1..63 bytes, no leading or
 * trailing '-'), at most 253 bytes, no trailing dot. Written lower-case. */
int validate_hostname(const char *s, char *ret, size_t size);
