/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Talking to systemd-networkd over D-Bus (sd-bus), never through networkctl (SPEC §2).
 *
 * Reloads are coalesced across processes (SPEC §4): every process that changed files takes
 * a ticket; whoever holds the reload lock reloads once for all tickets issued before it
 * started, so N interfaces configured at once cause one or two reloads, and no change is
 * ever left without a reload that started after it was written.
 */

#include <stdbool.h>
#include <stdint.h>

/* Reloads networkd unless a reload that started after our change already happened.
 * Sets *ret_reloaded when this process did the reload. */
int networkd_reload_coalesced(const char *runtime_dir, uint64_t deadline_usec, bool *ret_reloaded);

/* Records, before the first file is changed, that a reload will be needed. A process killed
 * between its writes and its reload leaves this ticket pending, and the next run that finds
 * nothing to change still reloads (networkd_reload_pending). The writer itself still calls
 * networkd_reload_coalesced() after writing. */
int networkd_reload_intent(const char *runtime_dir);

/* Reloads when tickets are pending and no setup that could still reload for them is in
 * progress (no interface lock held); returns at once, touching nothing, otherwise. */
int networkd_reload_pending(const char *runtime_dir, uint64_t deadline_usec, bool *ret_reloaded);

/* How many reloads were asked for and not yet done (a process killed between its writes and
 * its reload): 0 when none. Only reads, under the state file's lock for a few bytes. */
int networkd_reloads_pending(const char *runtime_dir, uint64_t *ret);

/* org.freedesktop.network1.Manager.Reload(), synchronous: networkd has read the files
 * when it returns. */
int networkd_reload(uint64_t deadline_usec);

/* The .network file networkd applied to the link, as networkd itself describes the link
 * (org.freedesktop.network1.Manager.DescribeLink; its state files under /run/systemd/netif
 * are private). -ENOENT when networkd applies no file to it or does not know it. */
int networkd_link_network_file(int ifindex, uint64_t deadline_usec, char **ret);
