/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Method calls on the system bus (sd-bus), with libsystemd loaded on the first call
 * (dlopen) instead of when a program starts: the generator on every boot's critical path
 * and the udev helper for an event that is not an ENI's never talk to the bus, and so never
 * load libsystemd and the five libraries it brings (systemd loads its optional libraries the
 * same way). Only the types come from <systemd/sd-bus.h>.
 */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

/* Calls DESTINATION PATH INTERFACE.MEMBER(TYPES...) on the system bus, waiting at most
 * timeout_usec. On failure *ret_error (when given) holds the bus error. -ELIBACC when
 * libsystemd cannot be loaded. */
int bus_call_method(uint64_t timeout_usec, const char *destination, const char *path, const char *interface,
                    const char *member, sd_bus_error *ret_error, sd_bus_message **ret_reply,
                    const char *types, ...);

/* A string property of systemd's Manager (PID 1), asked over its private socket
 * (/run/systemd/private): available from the start of boot, before the system bus, to root. */
int bus_get_manager_property_string(uint64_t timeout_usec, const char *property, char **ret);

/* Reads one string ("s") from a reply. */
int bus_message_read_string(sd_bus_message *m, const char **ret);

bool bus_error_has_name(const sd_bus_error *e, const char *name);

/* Cleanups: _cleanup_(bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
 *           _cleanup_(bus_message_unrefp) sd_bus_message *m = NULL; */
void bus_error_free(sd_bus_error *e);
void bus_message_unrefp(sd_bus_message **m);
