/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * What an earlier run learned about an interface, kept per boot under
 * RUNTIME_DIR/interfaces/IFACE.json: the static ENI data (so that a refresh re-reads only
 * addresses and prefixes, SPEC §3/§8) and whether the subnet had IPv4/IPv6. Read back by the
 * next setup or refresh, and by ec2-netctl to show what the last run saw.
 */

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "eni.h"
#include "netlink.h"
#include "render.h"

typedef struct InterfaceState {
        Eni eni;
        bool has_ipv4, has_ipv6;
        char shadowed_by[256];   /* last reported shadowing file */
} InterfaceState;

void interface_state_done(InterfaceState *s);

/* The state of ifname, when it is for this MAC (-ESTALE when for another one, -ENOENT when
 * there is none). Validated like anything read back from disk (-EINVAL when invalid). */
int interface_state_load(const char *runtime_dir, const char *ifname, const char *mac, InterfaceState *ret);
/* The same, whichever MAC it is for (whose the files of ifname are). */
int interface_state_read(const char *runtime_dir, const char *ifname, InterfaceState *ret);
/* Both under the interface's lock: they also remove what a killed save left. */
int interface_state_save(const char *runtime_dir, const char *ifname, const InterfaceState *s);
/* Deletes everything kept about the interface: its state and its last-run record. */
void interface_state_remove(const char *runtime_dir, const char *ifname);
/* CLOCK_REALTIME of the state file's last change; -ENOENT when there is none. */
int interface_state_mtime(const char *runtime_dir, const char *ifname, uint64_t *ret_usec);

/* SPEC §4 "the subnet has IPv4/IPv6", from what IMDS says the ENI holds, not from what DHCP
 * and RA have assigned so far: the routes need not wait for the leases, and an ENI networkd
 * has not configured yet (held until its own file exists) has none. An address on the link
 * counts too (IMDS can lag behind). Once seen, kept: a lease being renewed must not take the
 * routes and rules away. */
void interface_state_note_addresses(InterfaceState *s, const LinkAddresses *now);

/* The configuration a setup or refresh writes for the interface from this state and the
 * administrator's settings (the pure renderer, render.h). */
int interface_state_render(const InterfaceState *s, const Config *config, const char *ifname,
                           RenderedInterface *ret);
