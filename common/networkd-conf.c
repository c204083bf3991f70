/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf-files.h"
#include "config.h"
#include "host-root.h"
#include "ini-read.h"
#include "macro.h"
#include "networkd-conf.h"
#include "strv.h"

static const char *const search_dirs[] = { "/etc/systemd", "/run/systemd", "/usr/local/lib/systemd",
                                           "/usr/lib/systemd" };

void networkd_settings_init(NetworkdSettings *s) {
        *s = (NetworkdSettings) { .manage_foreign_rules = true, .manage_foreign_routes = true };
}

typedef struct Parse {
        NetworkdSettings *settings;
        const char *filename;
} Parse;

static int on_assignment(const char *section, const char *key, const char *value, void *userdata) {
        Parse *p = userdata;
        int b;

        if (!streq(section, "Network"))
                return 0;
        /* An empty assignment resets to the default, as systemd does; a bad one is ignored. */
        b = *value ? config_parse_boolean(value) : 1;
        if (b < 0)
                return 0;
        if (streq(key, "ManageForeignRoutingPolicyRules")) {
                p->settings->manage_foreign_rules = b;
                snprintf(p->settings->manage_foreign_rules_source, PATH_MAX, "%s", *value ? p->filename : "");
        } else if (streq(key, "ManageForeignRoutes")) {
                p->settings->manage_foreign_routes = b;
                snprintf(p->settings->manage_foreign_routes_source, PATH_MAX, "%s", *value ? p->filename : "");
        }
        return 0;
}

int networkd_settings_parse_text(NetworkdSettings *s, const char *text, size_t len, const char *filename) {
        Parse p = { s, filename };

        return ini_parse_text(text, len, on_assignment, &p);
}

int networkd_settings_load(NetworkdSettings *ret) {
        _cleanup_strv_free_ char **dropin_dirs = NULL, **dropins = NULL;
        NetworkdSettings s;
        int r;

        networkd_settings_init(&s);
        for (size_t k = 0; k < ELEMENTSOF(search_dirs); k++) {
                char path[PATH_MAX], rel[PATH_MAX];
                Parse p = { &s, path };

                snprintf(rel, sizeof rel, "%s/networkd.conf", search_dirs[k]);
                if (host_path(rel, path, sizeof path) < 0 || access(path, F_OK) < 0)
                        continue;
                r = ini_parse_file(path, on_assignment, &p);
                if (r < 0 && r != -ENOENT && r != -EACCES)
                        return r;
                break;
        }
        for (size_t k = 0; k < ELEMENTSOF(search_dirs); k++) {
                char path[PATH_MAX], rel[PATH_MAX];

                snprintf(rel, sizeof rel, "%s/networkd.conf.d", search_dirs[k]);
                if (host_path(rel, path, sizeof path) < 0 || strv_extend(&dropin_dirs, path) < 0)
                        return -ENOMEM;
        }
        r = conf_files_list(dropin_dirs, ".conf", &dropins);
        if (r < 0)
                return r;
        STRV_FOREACH(d, dropins) {
                Parse p = { &s, *d };

                r = ini_parse_file(*d, on_assignment, &p);
                if (r < 0 && r != -ENOENT && r != -EACCES)
                        return r;
        }
        *ret = s;
        return 0;
}
