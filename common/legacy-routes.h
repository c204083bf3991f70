/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Routes 2.x's configuration left in the kernel (SPEC §10). When an upgrade moves a link from
 * 2.x's .network to this product's, systemd-networkd (252) forgets some of the routes the
 * old configuration made instead of removing them: a DHCPv4 default route in the ENI's
 * table with 2.x's metric (512 + 10 × device) stays beside ours (512 + 100 × card + device),
 * and a fresh boot of the product would not have it. The setup that takes the link over
 * remembers 2.x's metric; a later run, once networkd has applied ours, removes the link's
 * DHCP and router advertisement routes that still carry it, then forgets it.
 */

#include <stdbool.h>

/* Remembers, in the runtime directory, that ifname ran on 2.x's configuration whose DHCP
 * routes had this metric. */
int legacy_routes_remember(const char *runtime_dir, const char *ifname, unsigned metric);

/* When something is remembered for ifname: if networkd has applied ours (a DHCP or RA route
 * of the link with our_metric exists), removes the link's DHCP and RA routes with the
 * remembered metric, in any table, and forgets it; otherwise leaves it for a later run.
 * Sets *ret_removed (may be NULL) to how many routes it removed. */
int legacy_routes_sweep(const char *runtime_dir, const char *ifname, int ifindex, unsigned our_metric,
                        unsigned *ret_removed);

/* Forgets what is remembered for ifname (the interface went away). */
void legacy_routes_forget(const char *runtime_dir, const char *ifname);
