/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The networkd configuration of one interface (SPEC §4), rendered from the model as text.
 * Pure: no I/O besides the FILE* it is given, no clock, no environment; the same input always
 * gives the same bytes, so golden tests compare strings.
 */

#include <stdbool.h>
#include <stdio.h>

#include "eni.h"

typedef enum InterfaceFile {
        IFACE_FILE_NETWORK,   /* PREFIX-IFACE.network: the defaults of 80-ec2.network */
        IFACE_FILE_ENI,       /* PREFIX-IFACE.network.d/eni.conf */
        IFACE_FILE_POLICY4,   /* PREFIX-IFACE.network.d/ec2net_policy_4.conf */
        IFACE_FILE_POLICY6,   /* PREFIX-IFACE.network.d/ec2net_policy_6.conf */
        IFACE_FILE_ALIAS,     /* PREFIX-IFACE.network.d/ec2net_alias.conf */
        _IFACE_FILE_MAX,
} InterfaceFile;

typedef struct RenderSettings {
        char *const *drivers;     /* [Match] Driver= */
        bool policy_rules;        /* configuration: write ec2net_policy_{4,6}.conf */
        bool secondary_addresses; /* configuration: write ec2net_alias.conf */
} RenderSettings;

typedef struct RenderInput {
        const char *ifname;
        const Eni *eni;
        bool has_ipv4;            /* SPEC §4: a global IPv4 address outside 169.254/16 */
        bool has_ipv6;            /* SPEC §4: a global IPv6 address */
} RenderInput;

/* content[f] == NULL means that file must not exist. */
typedef struct RenderedInterface {
        char *content[_IFACE_FILE_MAX];
} RenderedInterface;

void rendered_interface_done(RenderedInterface *r);

int render_interface(const RenderInput *in, const RenderSettings *s, RenderedInterface *ret);

/* Whether text, the content of a file, begins with the header render_interface() writes for
 * ifname: the one way to tell a file this product generated from anyone else's. */
bool rendered_file_is_ours(const char *text, const char *ifname);

/* PREFIX-IFACE.network while the interface is held (issue 14): matched by MAC and name,
 * Unmanaged=yes, until the interface's own configuration replaces it. -EINVAL for an invalid
 * name or MAC. */
int render_hold_network(const char *ifname, const char *mac, char **ret);
/* Whether text is a hold render_hold_network() wrote for ifname. */
bool rendered_file_is_hold(const char *text, const char *ifname);

/* The vendor default file 80-ec2.network (also the body of PREFIX-IFACE.network). */
int render_default_network(FILE *f, char *const *drivers);

/* "70-eth1.network" or "70-eth1.network.d/eni.conf", relative to the network directory. */
int interface_file_name(const char *ifname, InterfaceFile file, char *buf, size_t size);
/* "70-eth1.network.d". */
int interface_dropin_dir_name(const char *ifname, char *buf, size_t size);
const char *interface_file_basename(InterfaceFile file);
