/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * When and which ENIs are held unmanaged until their own configuration exists
 * (interface_hold(); issue 14, bench/networkd-switch.md).
 */

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "interface-discovery.h"

/* The first systemd-networkd that keeps a link's DHCP leases and RA configuration when a
 * reload switches it to another .network file (link_drop_dynamic_config()). */
#define NETWORKD_KEEPS_LEASES_VERSION 257U

/* [Interfaces] HoldUntilConfigured=: yes, no, or auto: hold when the running systemd (whose
 * package networkd comes from) is older than NETWORKD_KEEPS_LEASES_VERSION, or when its
 * version cannot be known (holding is harmless on a newer networkd, only slower).
 * *ret_version: the version asked, 0 when not asked or unknown (may be NULL). */
bool hold_policy_wanted(const Config *config, unsigned *ret_version);

/* [Interfaces] DeferTakeOver=: whether an ENI that 2.x's files configure is left on them
 * (deferred-takeover.h) rather than moved to ours at its first refresh after an upgrade;
 * auto as above. */
bool hold_policy_defer_take_over(const Config *config);

/* The ENI the boot-time seed reaches IMDS through, and which is therefore not held at
 * boot: the first by device address (PCI function, Xen vif-N: device 0 on EC2), interfaces
 * without a device after those with one, then by ifindex. n > 0. */
size_t hold_policy_bootstrap(const char *sysfs_root, const PresentInterface *list, size_t n);

/* Whether ifname is the bootstrap ENI among the ENIs present now (true when none can be
 * found: not knowing, the caller must not hold it). */
bool hold_policy_is_bootstrap(const char *sysfs_root, const Config *config, const char *ifname);
