/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus-call.h"
#include "log.h"
#include "systemd-units.h"
#include "validate.h"

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

int systemd_major_version(uint64_t timeout_usec, unsigned *ret) {
        _cleanup_free_ char *version = NULL;
        char digits[8];
        size_t n;
        int r;

        r = bus_get_manager_property_string(timeout_usec, "Version", &version);
        if (r < 0)
                return r;
        /* "252.39-1~deb12u2", "257.13-1~deb13u1", "systemd 249 (249.4-1.amzn2023)" */
        n = strspn(version + strcspn(version, "0123456789"), "0123456789");
        if (n == 0 || n >= sizeof digits)
                return log_debug_errno(-EBADMSG, "Unexpected systemd version \"%s\".", version);
        memcpy(digits, version + strcspn(version, "0123456789"), n);
        digits[n] = '\0';
        r = parse_bounded_uint(digits, 100000, ret);
        return r < 0 ? -EBADMSG : 0;
}
