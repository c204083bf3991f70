/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Parsing of IMDS response bodies (SPEC §3): newline-separated lists, with or without a final
 * newline, "\r\n" tolerated; directory listings mark sub-directories with a trailing '/'.
 * Every item is validated; one bad item invalidates the whole list (-EBADMSG).
 */

#include <stddef.h>

/* Bounds on what a valid answer can hold. EC2 allows at most 50 private IPv4 addresses and
 * a few dozen prefixes per ENI; a listing of a MAC's directory has about 25 keys. */
#define IMDS_LIST_MAX_ITEMS 256
#define IMDS_LINE_MAX 255
#define IMDS_BODY_MAX (64 * 1024)

typedef enum ImdsValueType {
        IMDS_VALUE_IPV4,
        IMDS_VALUE_IPV6,
        IMDS_VALUE_CIDR4,
        IMDS_VALUE_CIDR6,
        IMDS_VALUE_KEY,   /* a directory entry: [A-Za-z0-9._-]+ with an optional trailing '/' */
} ImdsValueType;

/* Splits a body into lines. Empty body (or a lone newline) → empty vector. Rejects NUL
 * bytes, control characters, empty lines between items, over-long lines and lists. */
int imds_split_lines(const char *body, size_t len, char ***ret);

/* Splits and validates every line as type; items are written in canonical form. */
int imds_parse_list(const char *body, size_t len, ImdsValueType type, char ***ret);

/* A single-line value (the final newline is optional); empty is invalid. */
int imds_parse_line(const char *body, size_t len, char **ret);
