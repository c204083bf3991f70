/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * What this boot has learned, kept in the runtime directory (/run: gone at the next boot)
 * for later runs: the primary ENI's MAC, whether IMDS answered the seed stage, whether the
 * instance type reports network cards. A file that cannot be read counts as not known; a
 * runtime directory that is a symlink is refused (what is kept there steers later runs).
 */

#include <stdbool.h>

#include "validate.h"

/* The top-level "mac" (the primary ENI): it never changes for the life of an instance
 * (SPEC §8: 2.x re-fetched it for every lookup). -ENOENT when not known yet. */
int primary_mac_cache_read(const char *runtime_dir, char ret[static MAC_STR_MAX]);
void primary_mac_cache_write(const char *runtime_dir, const char *mac);

/* "IMDS did not answer the boot-time seed stage": initial setups then make one short try
 * instead of holding network-online.target for their whole budget. Cleared by any run
 * that reached IMDS. */
bool imds_unavailable_marked(const char *runtime_dir);
void imds_unavailable_mark(const char *runtime_dir, bool unavailable);

/* The network-card marker: 1 = the instance has network cards, 0 = it has none,
 * -ENOENT = not known yet this boot. */
int network_card_marker_read(const char *runtime_dir);
void network_card_marker_write(const char *runtime_dir, bool has_cards);
