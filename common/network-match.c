/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fnmatch.h>
#include <string.h>
#include <strings.h>

#include <limits.h>
#include <stdio.h>

#include "conf-files.h"
#include "ini-read.h"
#include "macro.h"
#include "network-match.h"
#include "strv.h"

static void match_list_done(MatchList *l) {
        l->values = strv_free(l->values);
        l->invert = false;
}

void network_match_done(NetworkMatch *m) {
        match_list_done(&m->mac);
        match_list_done(&m->permanent_mac);
        match_list_done(&m->name);
        match_list_done(&m->original_name);
        match_list_done(&m->driver);
        match_list_done(&m->type);
        match_list_done(&m->kind);
        m->undecidable = strv_free(m->undecidable);
}

static int list_assign(MatchList *l, const char *value) {
        _cleanup_strv_free_ char **words = NULL;
        int r;

        /* An empty assignment resets the condition. */
        if (!*value) {
                match_list_done(l);
                return 0;
        }
        if (*value == '!') {
                l->invert = true;
                value++;
        }
        r = strv_split_blank(value, &words);
        if (r < 0)
                return r;
        STRV_FOREACH(w, words)
                if (strv_extend(&l->values, *w) < 0)
                        return -ENOMEM;
        if (!l->values)
                l->values = calloc(1, sizeof(char *));
        return l->values ? 0 : -ENOMEM;
}

static int on_assignment(const char *section, const char *key, const char *value, void *userdata) {
        static const char *const decidable_elsewhere[] = { "Path", "Property", "Host", "Virtualization",
                                                           "KernelCommandLine", "KernelVersion", "Architecture",
                                                           "Credential", "Firmware", "SSID", "BSSID",
                                                           "WLANInterfaceType" };
        NetworkMatch *m = userdata;

        if (!streq(section, "Match"))
                return 0;
        if (streq(key, "MACAddress"))
                return list_assign(&m->mac, value);
        if (streq(key, "PermanentMACAddress"))
                return list_assign(&m->permanent_mac, value);
        if (streq(key, "Name"))
                return list_assign(&m->name, value);
        if (streq(key, "OriginalName"))
                return list_assign(&m->original_name, value);
        if (streq(key, "Driver"))
                return list_assign(&m->driver, value);
        if (streq(key, "Type"))
                return list_assign(&m->type, value);
        if (streq(key, "Kind"))
                return list_assign(&m->kind, value);
        for (size_t k = 0; k < ELEMENTSOF(decidable_elsewhere); k++)
                if (streq(key, decidable_elsewhere[k]) && *value && !strv_contains(m->undecidable, key))
                        return strv_extend(&m->undecidable, key);
        return 0;
}

int network_match_parse_text(const char *text, size_t len, NetworkMatch *ret) {
        NetworkMatch m = {};
        int r;

        r = ini_parse_text(text, len, on_assignment, &m);
        if (r < 0) {
                network_match_done(&m);
                return r;
        }
        *ret = m;
        return 0;
}

int network_match_parse_file(const char *path, NetworkMatch *ret, bool *ret_masked) {
        NetworkMatch m = {};
        int r;

        r = ini_file_is_masked(path);
        if (r < 0)
                return r;
        *ret_masked = r > 0;
        if (r > 0) {
                *ret = m;
                return 0;
        }
        r = ini_parse_file(path, on_assignment, &m);
        if (r < 0) {
                network_match_done(&m);
                return r;
        }
        *ret = m;
        return 0;
}

/* Globs (or plain values when globs is false) against a value; "" never matches. */
static bool list_has(char *const *values, const char *s, bool globs) {
        if (!s || !*s)
                return false;
        STRV_FOREACH(v, values)
                if (globs ? fnmatch(*v, s, 0) == 0 : strcasecmp(*v, s) == 0)
                        return true;
        return false;
}

static bool condition(const MatchList *l, bool hit) {
        return !l->values || !l->values[0] || (hit != l->invert);
}

MatchResult network_match_link(const NetworkMatch *m, const MatchLink *link) {
        bool name_hit = list_has(m->name.values, link->name, true);

        STRV_FOREACH(a, link->altnames)
                name_hit = name_hit || list_has(m->name.values, *a, true);
        if (!condition(&m->mac, list_has(m->mac.values, link->mac, false)) ||
            !condition(&m->permanent_mac, list_has(m->permanent_mac.values, link->mac, false)) ||
            !condition(&m->name, name_hit) ||
            !condition(&m->original_name, list_has(m->original_name.values, link->name, true)) ||
            !condition(&m->driver, list_has(m->driver.values, link->driver, true)) ||
            !condition(&m->type, list_has(m->type.values, link->type, true)) ||
            !condition(&m->kind, list_has(m->kind.values, link->kind, true)))
                return MATCH_NO;
        return m->undecidable && m->undecidable[0] ? MATCH_MAYBE : MATCH_YES;
}

int network_match_parse_with_dropins(const char *path, char *const *dirs, NetworkMatch *ret, bool *ret_masked) {
        _cleanup_strv_free_ char **dropin_dirs = NULL, **dropins = NULL;
        const char *base = strrchr(path, '/');
        NetworkMatch m = {};
        int r;

        r = network_match_parse_file(path, &m, ret_masked);
        if (r < 0 || *ret_masked) {
                *ret = m;
                return r;
        }
        base = base ? base + 1 : path;
        STRV_FOREACH(d, dirs) {
                char *dir = NULL;

                if (asprintf(&dir, "%s/%s.d", *d, base) < 0 || strv_consume(&dropin_dirs, dir) < 0) {
                        network_match_done(&m);
                        return -ENOMEM;
                }
        }
        r = conf_files_list(dropin_dirs, ".conf", &dropins);
        STRV_FOREACH(f, dropins) {
                if (r < 0)
                        break;
                if (ini_file_is_masked(*f) > 0)
                        continue;
                r = ini_parse_file(*f, on_assignment, &m);
                if (r == -ENOENT || r == -EACCES)
                        r = 0;
        }
        if (r < 0) {
                network_match_done(&m);
                return r;
        }
        *ret = m;
        return 0;
}
