/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * What systemd-networkd says about a link over D-Bus (SPEC §2: never networkctl):
 * org.freedesktop.network1.Manager.DescribeLink returns a JSON document; we keep the
 * .network file it applied (NetworkFile), its drop-ins (NetworkDropinFiles, networkd 253 and
 * later; absent on 252), and the setup and operational states.
 */

#include <stdint.h>
#include <systemd/sd-bus.h>

typedef struct NetworkdLinkView {
        char *network_file;      /* NULL: none applied */
        char **dropin_files;     /* NULL: not reported by this networkd version */
        char *admin_state;       /* AdministrativeState: pending, configuring, configured, failed, ... */
        char *oper_state;        /* OperationalState */
} NetworkdLinkView;

void networkd_link_view_done(NetworkdLinkView *v);

/* Parses DescribeLink's JSON (pure, exposed for tests). Values that are not strings where
 * strings belong, or paths that are not absolute, are ignored. -EINVAL when not a JSON
 * object. */
int networkd_link_view_from_json(const char *json, NetworkdLinkView *ret);

/* Calls DescribeLink(ifindex) on bus, bounded by timeout_usec. -ENXIO when networkd is not
 * on the bus (not running), -ENODEV when it does not know the link. */
int networkd_describe_link(sd_bus *bus, int ifindex, uint64_t timeout_usec, NetworkdLinkView *ret);

/* Whether org.freedesktop.network1 is on the bus (without activating it). */
int networkd_on_bus(sd_bus *bus);
