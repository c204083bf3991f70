/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>

#include "bus-call.h"
#include "dlopen-util.h"
#include "log.h"
#include "macro.h"

#define LIBSYSTEMD_SONAME "libsystemd.so.0"

static __typeof__(sd_bus_open_system) *sym_sd_bus_open_system;
static __typeof__(sd_bus_set_method_call_timeout) *sym_sd_bus_set_method_call_timeout;
static __typeof__(sd_bus_call_methodv) *sym_sd_bus_call_methodv;
static __typeof__(sd_bus_flush_close_unref) *sym_sd_bus_flush_close_unref;
static __typeof__(sd_bus_message_unref) *sym_sd_bus_message_unref;
static __typeof__(sd_bus_message_read) *sym_sd_bus_message_read;
static __typeof__(sd_bus_error_free) *sym_sd_bus_error_free;
static __typeof__(sd_bus_error_has_name) *sym_sd_bus_error_has_name;
static __typeof__(sd_bus_new) *sym_sd_bus_new;
static __typeof__(sd_bus_set_address) *sym_sd_bus_set_address;
static __typeof__(sd_bus_start) *sym_sd_bus_start;
static __typeof__(sd_bus_get_property_string) *sym_sd_bus_get_property_string;
static void *libsystemd;

static int dlopen_sd_bus(void) {
        static const DlSymbol symbols[] = {
                DL_SYMBOL(sd_bus_open_system),       DL_SYMBOL(sd_bus_set_method_call_timeout),
                DL_SYMBOL(sd_bus_call_methodv),      DL_SYMBOL(sd_bus_flush_close_unref),
                DL_SYMBOL(sd_bus_message_unref),     DL_SYMBOL(sd_bus_message_read),
                DL_SYMBOL(sd_bus_error_free),        DL_SYMBOL(sd_bus_error_has_name),
                DL_SYMBOL(sd_bus_new),               DL_SYMBOL(sd_bus_set_address),
                DL_SYMBOL(sd_bus_start),             DL_SYMBOL(sd_bus_get_property_string),
        };

        return dlopen_symbols(LIBSYSTEMD_SONAME, &libsystemd, symbols, ELEMENTSOF(symbols));
}

static void bus_flush_close_unrefp(sd_bus **b) {
        if (*b)
                sym_sd_bus_flush_close_unref(*b);
}

int bus_call_method(uint64_t timeout_usec, const char *destination, const char *path, const char *interface,
                    const char *member, sd_bus_error *ret_error, sd_bus_message **ret_reply,
                    const char *types, ...) {
        _cleanup_(bus_flush_close_unrefp) sd_bus *bus = NULL;
        va_list ap;
        int r;

        r = dlopen_sd_bus();
        if (r < 0)
                return r;
        r = sym_sd_bus_open_system(&bus);
        if (r < 0)
                return log_debug_errno(r, "Failed to connect to the system bus: %m");
        (void) sym_sd_bus_set_method_call_timeout(bus, timeout_usec);
        va_start(ap, types);
        r = sym_sd_bus_call_methodv(bus, destination, path, interface, member, ret_error, ret_reply, types, ap);
        va_end(ap);
        return r;
}

int bus_get_manager_property_string(uint64_t timeout_usec, const char *property, char **ret) {
        _cleanup_(bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = dlopen_sd_bus();
        if (r < 0)
                return r;
        r = sym_sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sym_sd_bus_set_address(bus, "unix:path=/run/systemd/private");
        if (r < 0)
                return r;
        r = sym_sd_bus_start(bus);
        if (r < 0)
                return log_debug_errno(r, "Failed to connect to systemd's private socket: %m");
        (void) sym_sd_bus_set_method_call_timeout(bus, timeout_usec);
        return sym_sd_bus_get_property_string(bus, NULL, "/org/freedesktop/systemd1",
                                              "org.freedesktop.systemd1.Manager", property, NULL, ret);
}

int bus_message_read_string(sd_bus_message *m, const char **ret) {
        return sym_sd_bus_message_read(m, "s", ret);
}

bool bus_error_has_name(const sd_bus_error *e, const char *name) {
        return libsystemd && sym_sd_bus_error_has_name(e, name);
}

void bus_error_free(sd_bus_error *e) {
        if (libsystemd)
                sym_sd_bus_error_free(e);
}

void bus_message_unrefp(sd_bus_message **m) {
        if (*m)
                sym_sd_bus_message_unref(*m);
}
