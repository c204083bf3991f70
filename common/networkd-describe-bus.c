/* SPDX-License-Identifier: Apache-2.0 */
/* DescribeLink over a bus the caller holds (ec2-netctl, which links libsystemd itself). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "networkd-describe.h"

int networkd_on_bus(sd_bus *bus) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int has = 0, r;

        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "NameHasOwner", &error, &reply, "s", "org.freedesktop.network1");
        if (r >= 0)
                r = sd_bus_message_read(reply, "b", &has);
        sd_bus_message_unref(reply);
        return r < 0 ? r : has;
}

int networkd_describe_link(sd_bus *bus, int ifindex, uint64_t timeout_usec, NetworkdLinkView *ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        const char *text = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.network1", "/org/freedesktop/network1",
                                           "org.freedesktop.network1.Manager", "DescribeLink");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "i", ifindex);
        if (r < 0)
                return r;
        /* Never start networkd just to ask it something. */
        r = sd_bus_message_set_auto_start(m, false);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, m, timeout_usec, &error, &reply);
        if (r < 0) {
                log_debug("DescribeLink(%d) failed: %s", ifindex, error.message ?: strerror(-r));
                if (sd_bus_error_has_name(&error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
                    sd_bus_error_has_name(&error, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                        return -ENXIO;
                if (sd_bus_error_has_name(&error, "org.freedesktop.network1.NoSuchLink"))
                        return -ENODEV;
                return r;
        }
        r = sd_bus_message_read(reply, "s", &text);
        if (r < 0)
                return r;
        return networkd_link_view_from_json(text, ret);
}
