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

/* org.freedesktop.network1.Manager.Reload(), synchronous: networkd has read the files
 * when it returns. */
int networkd_reload(uint64_t deadline_usec);

/* The .network file networkd applied to the link, as networkd itself describes the link
 * (org.freedesktop.network1.Manager.DescribeLink; its state files under /run/systemd/netif
 * are private). -ENOENT when networkd applies no file to it or does not know it. */
int networkd_link_network_file(int ifindex, uint64_t deadline_usec, char **ret);
/* The "NetworkFile" of such a description (JSON); -ENOENT when it has none, -EBADMSG when it
 * is not a description or the file is not an absolute path. */
int networkd_network_file_from_description(const char *json, char **ret);
