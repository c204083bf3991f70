/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * ENIs whose move from 2.x's files to this product's is deferred (SPEC §10, issue 12).
 *
 * systemd-networkd before 257 restarts DHCPv4, DHCPv6 and router discovery on a running link
 * whose .network changes (bench/networkd-switch.md): moving an ENI from 2.x's files to ours
 * loses its leases and packets. Its next reload makes every ENI 2.x configured change anyway:
 * 2.x's PREFIX-IFACE.network is a link to 80-ec2.network, which the package upgrade replaced.
 * So after an upgrade each such ENI stays on 2.x's files, and moves to ours when the move costs
 * nothing more than what happens anyway: at the next boot (the runtime files are gone), when
 * its configuration changes in EC2 (a change restarts DHCP on that networkd whoever writes
 * it), or in the next reload of networkd this product makes for any reason
 * (interface_setup_reload() moves every deferred ENI first, from its saved state).
 *
 * What is kept: one file per ENI, RUNTIME_DIR/takeover-deferred/IFACE, written when its
 * setup first left it on 2.x's files; the ENI's model is its saved state (interface-state.h).
 */

#include <stdbool.h>

/* Records that ifname stays on 2.x's files for now. */
int deferred_takeover_mark(const char *runtime_dir, const char *ifname);

/* 1 when ifname is recorded, 0 when not, or a negative errno. */
int deferred_takeover_is_marked(const char *runtime_dir, const char *ifname);

/* Forgets ifname (moved to ours, or gone). */
void deferred_takeover_forget(const char *runtime_dir, const char *ifname);

/* The ENIs recorded (sorted; may be empty). Names that are not valid interface names are
 * ignored. */
int deferred_takeover_interfaces(const char *runtime_dir, char ***ret);
