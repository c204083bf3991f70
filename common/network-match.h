/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Which links a .network file's [Match] section matches, as systemd-networkd decides
 * (systemd.network(5)): every condition given must hold; a condition is a list of values
 * (MACAddress=, PermanentMACAddress=) or globs (Name=, OriginalName=, Driver=, Type=, Kind=),
 * "!" before the list inverts it, repeated keys add to the list, an empty one resets it;
 * Name= also matches the link's altnames. Conditions on the host (Host=, Virtualization=,
 * KernelCommandLine=, ...) or on udev properties cannot be decided here: such a file "may"
 * match. A file without [Match] conditions matches every link.
 */

#include <stdbool.h>

typedef enum MatchResult { MATCH_NO, MATCH_YES, MATCH_MAYBE } MatchResult;

typedef struct MatchList {
        char **values;          /* NULL: not given */
        bool invert;
} MatchList;

typedef struct NetworkMatch {
        MatchList mac, permanent_mac, name, original_name, driver, type, kind;
        char **undecidable;     /* keys we cannot evaluate, e.g. "Host" */
} NetworkMatch;

typedef struct MatchLink {
        const char *name;
        char *const *altnames;
        const char *mac;        /* lower-case */
        const char *driver;     /* "" unknown */
        const char *type;       /* "ether" */
        const char *kind;       /* "" for a physical device */
} MatchLink;

void network_match_done(NetworkMatch *m);
int network_match_parse_text(const char *text, size_t len, NetworkMatch *ret);
/* -ENOENT when absent; a masked (empty, /dev/null) file matches nothing. */
int network_match_parse_file(const char *path, NetworkMatch *ret, bool *ret_masked);
/* The same, then the drop-ins NAME.network.d/X.conf of path's file NAME.network in every one
 * of dirs (by the usual rule: a name in an earlier directory hides it in later ones): their
 * [Match] conditions add to the file's, as networkd reads them. */
int network_match_parse_with_dropins(const char *path, char *const *dirs, NetworkMatch *ret, bool *ret_masked);

MatchResult network_match_link(const NetworkMatch *m, const MatchLink *link);
