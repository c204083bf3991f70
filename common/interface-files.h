/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Puts the rendered configuration of one interface into the network directory
 * (/run/systemd/network), and takes it out again. Only our own file names are touched. */

#include <stdbool.h>

#include "render.h"
#include "validate.h"

/* Called once, before the first file on disk is changed (not at all when nothing changes);
 * a negative return stops the change. */
typedef struct FilesChangeHook {
        int (*before_change)(void *userdata);
        void *userdata;
} FilesChangeHook;

/* Writes every file of r (removing those whose content is NULL). Sets *ret_changed when
 * anything on disk changed. hook may be NULL. */
int interface_files_save(const char *network_dir, const char *ifname, const RenderedInterface *r,
                         const FilesChangeHook *hook, bool *ret_changed);

/* Removes PREFIX-IFACE.network and PREFIX-IFACE.network.d with our files in it. */
int interface_files_remove(const char *network_dir, const char *ifname,
                           const FilesChangeHook *hook, bool *ret_changed);

/* The interfaces that have something at one of our names (PREFIX-IFACE.network or
 * PREFIX-IFACE.network.d), sorted; may be empty. */
int interface_files_interfaces(const char *network_dir, char ***ret);

/* Removes what this product generated for ifname: the files at our names that begin with
 * our header (rendered_file_is_ours()) and our temporary files. Anything else at those names
 * stays (2.x writes the same names when the prefixes are the same), and so does the drop-in
 * directory then. */
int interface_files_remove_generated(const char *network_dir, const char *ifname, bool *ret_changed);

/* The MAC the files of ifname were written for: eni.conf's [Match] MACAddress=. -ENOENT
 * when there is no eni.conf, -EBADMSG when it names no valid MAC. */
int interface_files_owner_mac(const char *network_dir, const char *ifname, char ret[static MAC_STR_MAX]);

/* 1 when PREFIX-IFACE.network exists (ec2-netctl: the interface was configured), 0 if not. */
int interface_files_exist(const char *network_dir, const char *ifname);
