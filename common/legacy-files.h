/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The runtime files of amazon-ec2-net-utils 2.x, which this package replaces in place
 * (SPEC §10). 2.x's setup-policy-routes writes, for an interface IFACE, into
 * /run/systemd/network:
 *   NN-IFACE.network     a symbolic link to its 80-ec2.network
 *   NN-IFACE.network.d/  eni.conf, whose first line is "# Configuration for IFACE generated
 *                        by policy-routes@IFACE.service"; ec2net_policy_4.conf,
 *                        ec2net_policy_6.conf and ec2net_alias.conf (no header, possibly
 *                        empty); the files it renames them from (eni.conf.tmp, *.conf.new)
 * NN is 70 upstream and 07 in Debian's later 2.x builds: any two digits are recognised. A
 * directory is 2.x's when either of the first two marks is there. In such a directory,
 * only those names are 2.x's, and never a file that starts with this product's own header
 * (a run of ours writes the same names when the prefixes are the same).
 *
 * In the runtime directory both share (/run/amazon-ec2-net-utils), 2.x keeps its lock
 * directory setup-policy-routes/ and the markers .policy-routes-reload-networkd,
 * .has-network-card and .no-network-card.
 */

#include <stdbool.h>

#include "interface-files.h"

/* Removes 2.x's files of ifname, whatever their prefix; anything else in their drop-in
 * directory stays, and so does the directory then. hook (may be NULL) runs once before the
 * first removal. Sets *ret_changed when something was removed. */
int legacy_files_remove(const char *network_dir, const char *ifname, const FilesChangeHook *hook,
                        bool *ret_changed);

/* The route metric 2.x's configuration of ifname gives its DHCP routes (RouteMetric= in its
 * eni.conf, whatever the prefix): networkd leaves some of those routes behind when the link
 * moves to this product's configuration (legacy-routes.h), 0 when not known. Returns 1 when
 * 2.x has files for it, 0 when not (*ret 0): a refresh then has nothing of 2.x's to adopt. */
int legacy_files_route_metric(const char *network_dir, const char *ifname, unsigned *ret);

/* Whether path (as networkd names the .network it applies to a link) is 2.x's
 * NN-IFACE.network for ifname in network_dir. */
bool legacy_files_is_network_file(const char *network_dir, const char *ifname, const char *path);

/* The interfaces 2.x's files are for (sorted, without duplicates; may be empty). */
int legacy_files_interfaces(const char *network_dir, char ***ret);

/* Whether a name in the shared runtime directory is 2.x's. */
bool legacy_runtime_entry(const char *name);
