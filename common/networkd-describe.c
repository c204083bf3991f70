/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "networkd-describe.h"
#include "strv.h"

void networkd_link_view_done(NetworkdLinkView *v) {
        free(v->network_file);
        strv_free(v->dropin_files);
        free(v->admin_state);
        free(v->oper_state);
        *v = (NetworkdLinkView) {};
}

static int copy_string(const json_t *j, const char *key, bool path, char **ret) {
        const char *s = json_string_value(json_object_get(j, key));

        *ret = NULL;
        if (!s || (path && s[0] != '/') || strlen(s) > 4096)
                return 0;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int networkd_link_view_from_json(const char *text, NetworkdLinkView *ret) {
        _cleanup_(networkd_link_view_done) NetworkdLinkView v = {};
        json_auto_t *j = NULL;
        const json_t *dropins;
        int r;

        j = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
        if (!json_is_object(j))
                return -EINVAL;
        if ((r = copy_string(j, "NetworkFile", true, &v.network_file)) < 0 ||
            (r = copy_string(j, "AdministrativeState", false, &v.admin_state)) < 0 ||
            (r = copy_string(j, "OperationalState", false, &v.oper_state)) < 0)
                return r;
        dropins = json_object_get(j, "NetworkDropinFiles");
        if (json_is_array(dropins)) {
                size_t k;
                const json_t *d;

                v.dropin_files = calloc(1, sizeof(char *));
                if (!v.dropin_files)
                        return -ENOMEM;
                json_array_foreach(dropins, k, d)
                        if (json_is_string(d) && json_string_value(d)[0] == '/' &&
                            strv_extend(&v.dropin_files, json_string_value(d)) < 0)
                                return -ENOMEM;
        }
        *ret = v;
        v = (NetworkdLinkView) {};
        return 0;
}

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
