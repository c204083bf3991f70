/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "log.h"
#include "systemd-units.h"

static int call_unit_method(const char *method, const char *unit, uint64_t timeout_usec) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_debug_errno(r, "Failed to connect to the system bus: %m");
        (void) sd_bus_set_method_call_timeout(bus, timeout_usec);
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", method, &error, &reply,
                               "ss", unit, "replace");
        if (r < 0)
                return log_debug_errno(r, "%s(%s) failed: %s", method, unit, error.message ?: strerror(-r));
        return 0;
}

int systemd_start_unit(const char *unit, uint64_t timeout_usec) {
        return call_unit_method("StartUnit", unit, timeout_usec);
}

int systemd_stop_unit(const char *unit, uint64_t timeout_usec) {
        int r = call_unit_method("StopUnit", unit, timeout_usec);

        /* A unit that is not loaded is already stopped. */
        return r == -ENOENT ? 0 : r;
}
