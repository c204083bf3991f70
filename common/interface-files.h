/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Puts the rendered configuration of one interface into the network directory
 * (/run/systemd/network), and takes it out again. Only our own file names are touched. */

#include <stdbool.h>

#include "render.h"

/* Writes every file of r (removing those whose content is NULL). Sets *ret_changed when
 * anything on disk changed. */
int interface_files_save(const char *network_dir, const char *ifname, const RenderedInterface *r,
                         bool *ret_changed);

/* Removes PREFIX-IFACE.network and PREFIX-IFACE.network.d with our files in it. */
int interface_files_remove(const char *network_dir, const char *ifname, bool *ret_changed);

/* 1 when PREFIX-IFACE.network exists (the interface was configured before), 0 if not. */
int interface_files_exist(const char *network_dir, const char *ifname);
