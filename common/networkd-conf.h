/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The settings of systemd-networkd (networkd.conf(5)) that decide whether it removes
 * routing state it did not configure itself: [Network] ManageForeignRoutingPolicyRules=
 * and ManageForeignRoutes=, both "yes" by default. With "yes", networkd removes the rules
 * (and the routes of a link) that no .network file asks for when it configures a link, so
 * each reload our refresh causes takes away the rules of other agents (the Amazon VPC CNI,
 * Cilium); with "no", rules and routes left by others stay. Read under host_root().
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct NetworkdSettings {
        bool manage_foreign_rules;                 /* ManageForeignRoutingPolicyRules= */
        char manage_foreign_rules_source[PATH_MAX]; /* the file that set it; "" = default */
        bool manage_foreign_routes;                /* ManageForeignRoutes= */
        char manage_foreign_routes_source[PATH_MAX];
} NetworkdSettings;

void networkd_settings_init(NetworkdSettings *s);

/* Applies one file's text (later files override earlier ones). */
int networkd_settings_parse_text(NetworkdSettings *s, const char *text, size_t len, const char *filename);

/* networkd.conf (the first of /etc/systemd, /run/systemd, /usr/local/lib/systemd,
 * /usr/lib/systemd) and every networkd.conf.d/NAME.conf of those directories (a name in an
 * earlier directory hides the same name in later ones), in lexical order of their names. */
int networkd_settings_load(NetworkdSettings *ret);
