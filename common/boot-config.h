/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The configuration the bootstrap ENI (hold-policy.h) had at the end of the last boot, kept
 * in the state directory with its MAC (issue 14): the ENI that carries the boot-time IMDS
 * requests cannot be held, so on networkd < 257 it would otherwise start on 80-ec2.network
 * and restart its DHCP when the seed writes its files. Applied before networkd starts, when
 * the MAC and the name are the same, it is the first configuration networkd applies; the seed
 * then finds it current unless IMDS changed meanwhile (and then the ENI switches once, as
 * without it).
 *
 * Only our own files are kept and applied: each must begin with this product's header for
 * the interface, hold no NUL byte and be at most 64 KiB; anything else in the state directory
 * makes restoring do nothing.
 */

#include <stdbool.h>

#include "render.h"

/* Copies the interface's generated files (not a hold) from network_dir into
 * state_dir/boot-config, replacing what was kept. -ENOENT when the interface has no
 * generated files. */
int boot_config_save(const char *state_dir, const char *network_dir, const char *ifname, const char *mac);

/* The same for files rendered but not written (an ENI left on 2.x's files,
 * deferred-takeover.h: the next boot starts it on ours). -ENOENT without a .network file or
 * with a hold, -EBADMSG when a file is not ours or too large. */
int boot_config_save_rendered(const char *state_dir, const char *ifname, const char *mac,
                              const RenderedInterface *r);

/* Writes what was kept into network_dir when it was kept for this MAC and name and nothing
 * is at PREFIX-IFACE.network yet. *ret_restored tells whether it did. */
int boot_config_restore(const char *state_dir, const char *network_dir, const char *ifname, const char *mac,
                        bool *ret_restored);
