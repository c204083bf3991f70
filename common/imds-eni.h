/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* What IMDS says about one ENI, read into the model (SPEC §3). Every value is validated;
 * an invalid one fails the whole fetch with -EIMDS_INVALID (error-codes.h) and leaves the
 * output untouched. */

#include <stdbool.h>
#include <stdint.h>

#include "eni.h"
#include "imds-client.h"

typedef struct ImdsFetchOptions {
        /* Initial setup waits out IMDS propagation after a hot-attach: device-number reads 0
         * and network-card is missing for a while (SPEC §3). Refresh does not wait. */
        bool wait_for_propagation;
        uint64_t propagation_deadline_usec;
        /* Where the per-boot "does this instance have network cards" marker lives. */
        const char *runtime_dir;
} ImdsFetchOptions;

/* The top-level "mac": the primary ENI. */
int imds_fetch_primary_mac(ImdsClient *c, char ret[static MAC_STR_MAX]);
/* The same, read from IMDS once per boot and kept in RUNTIME_DIR/primary-mac: it never
 * changes for the life of an instance (SPEC §8: 2.x re-fetched it for every lookup). */
int imds_primary_mac(ImdsClient *c, const char *runtime_dir, char ret[static MAC_STR_MAX]);
/* Only what RUNTIME_DIR/primary-mac holds (-ENOENT when nothing valid): no request. */
int imds_primary_mac_cached(const char *runtime_dir, char ret[static MAC_STR_MAX]);

/* "IMDS did not answer the boot-time seed stage": initial setups then make one short try
 * instead of holding network-online.target for their whole budget. Cleared by any run
 * that reached IMDS. */
bool imds_unavailable_marked(const char *runtime_dir);
void imds_unavailable_mark(const char *runtime_dir, bool unavailable);

/* Everything about the ENI with this MAC. -EIMDS_UNKNOWN_MAC when IMDS does not know the
 * MAC, -EIMDS_PROPAGATING when its device-number or network-card had not propagated within
 * the budget. */
int imds_fetch_interface(ImdsClient *c, const char *mac, const char *primary_mac,
                         const ImdsFetchOptions *o, Eni *ret);

/* Re-reads only what can change during an attachment (addresses and prefixes) into eni,
 * which holds the rest from an earlier full fetch. On error eni is unchanged. */
int imds_refresh_interface(ImdsClient *c, Eni *eni);

/* The network-card marker: 1 = the instance has network cards, 0 = it has none,
 * -ENOENT = not known yet this boot. */
int network_card_marker_read(const char *runtime_dir);
void network_card_marker_write(const char *runtime_dir, bool has_cards);
