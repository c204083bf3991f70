/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* "policy-routes@IFACE.service" with IFACE escaped as systemd-escape does (anything but
 * [A-Za-z0-9_.-] and a leading '.' becomes \xNN), so %I in the unit gives the name back. */
int unit_name_for_interface(const char *prefix, const char *ifname, const char *suffix,
                            char *buf, size_t size);
