/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "bus-call.h"
#include "log.h"
#include "systemd-units.h"

static int call_unit_method(const char *method, const char *unit, uint64_t timeout_usec) {
        _cleanup_(bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = bus_call_method(timeout_usec, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                            "org.freedesktop.systemd1.Manager", method, &error, &reply, "ss", unit, "replace");
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
