/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "macro.h"
#include "strv.h"
#include "systemd-unit-state.h"

#define SYSTEMD_SERVICE "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"

static int map_error(const sd_bus_error *e, int r) {
        if (sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
            sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                return -ENXIO;
        return r;
}

static int call(sd_bus *bus, const char *path, const char *interface, const char *member, uint64_t timeout_usec,
                sd_bus_message **ret, const char *types, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_SERVICE, path, interface, member);
        if (r < 0)
                return r;
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }
        (void) sd_bus_message_set_auto_start(m, false);
        r = sd_bus_call(bus, m, timeout_usec, &error, ret);
        if (r < 0) {
                log_debug("%s.%s failed: %s", interface, member, error.message ?: strerror(-r));
                return map_error(&error, r);
        }
        return 0;
}

static int get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                      uint64_t timeout_usec, char *buf, size_t size) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *s;
        int r;

        r = call(bus, path, "org.freedesktop.DBus.Properties", "Get", timeout_usec, &reply, "ss", interface,
                 property);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "v", "s", &s);
        if (r < 0)
                return r;
        snprintf(buf, size, "%s", s);
        return 0;
}

static int get_u64(sd_bus *bus, const char *path, const char *interface, const char *property,
                   uint64_t timeout_usec, uint64_t *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = call(bus, path, "org.freedesktop.DBus.Properties", "Get", timeout_usec, &reply, "ss", interface,
                 property);
        if (r < 0)
                return r;
        return sd_bus_message_read(reply, "v", "t", ret);
}

static uint64_t monotonic_to_realtime(uint64_t mono_usec) {
        struct timespec m, r;
        uint64_t now_mono, now_real;

        clock_gettime(CLOCK_MONOTONIC, &m);
        clock_gettime(CLOCK_REALTIME, &r);
        now_mono = (uint64_t) m.tv_sec * 1000000ULL + (uint64_t) m.tv_nsec / 1000;
        now_real = (uint64_t) r.tv_sec * 1000000ULL + (uint64_t) r.tv_nsec / 1000;
        return mono_usec >= now_mono ? now_real + (mono_usec - now_mono) : now_real - (now_mono - mono_usec);
}

int systemd_unit_state(sd_bus *bus, const char *unit, uint64_t timeout_usec, UnitState *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        UnitState st = {};
        const char *path;
        int r;

        r = call(bus, SYSTEMD_PATH, SYSTEMD_MANAGER, "LoadUnit", timeout_usec, &reply, "s", unit);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        if ((r = get_string(bus, path, "org.freedesktop.systemd1.Unit", "LoadState", timeout_usec, st.load_state,
                            sizeof st.load_state)) < 0 ||
            (r = get_string(bus, path, "org.freedesktop.systemd1.Unit", "ActiveState", timeout_usec,
                            st.active_state, sizeof st.active_state)) < 0 ||
            (r = get_string(bus, path, "org.freedesktop.systemd1.Unit", "SubState", timeout_usec, st.sub_state,
                            sizeof st.sub_state)) < 0)
                return r;
        (void) get_string(bus, path, "org.freedesktop.systemd1.Unit", "UnitFileState", timeout_usec,
                          st.unit_file_state, sizeof st.unit_file_state);
        if (strlen(unit) > 6 && streq(unit + strlen(unit) - 6, ".timer")) {
                uint64_t mono = 0;

                (void) get_u64(bus, path, "org.freedesktop.systemd1.Timer", "NextElapseUSecRealtime", timeout_usec,
                               &st.next_elapse_usec);
                if (st.next_elapse_usec == UINT64_MAX)   /* systemd's "infinity": none */
                        st.next_elapse_usec = 0;
                /* Our timers are monotonic (OnUnitInactiveSec=): systemd reports those on
                 * CLOCK_MONOTONIC only. */
                if (st.next_elapse_usec == 0 &&
                    get_u64(bus, path, "org.freedesktop.systemd1.Timer", "NextElapseUSecMonotonic", timeout_usec,
                            &mono) >= 0 && mono > 0 && mono != UINT64_MAX)
                        st.next_elapse_usec = monotonic_to_realtime(mono);
        }
        *ret = st;
        return 0;
}

int systemd_list_units(sd_bus *bus, const char *pattern, uint64_t timeout_usec, char ***ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_strv_free_ char **names = calloc(1, sizeof(char *));
        const char *name;
        int r;

        if (!names)
                return -ENOMEM;
        r = sd_bus_message_new_method_call(bus, &m, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                           "ListUnitsByPatterns");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "as", 0);
        if (r >= 0)
                r = sd_bus_message_append(m, "as", 1, pattern);
        if (r < 0)
                return r;
        (void) sd_bus_message_set_auto_start(m, false);
        r = sd_bus_call(bus, m, timeout_usec, &error, &reply);
        if (r < 0)
                return map_error(&error, r);
        r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(ssssssouso)", &name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                        NULL)) > 0)
                if (strv_extend(&names, name) < 0)
                        return -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(names);
        return 0;
}

int systemd_version(sd_bus *bus, uint64_t timeout_usec, char **ret) {
        char buf[64];
        int r;

        r = get_string(bus, SYSTEMD_PATH, SYSTEMD_MANAGER, "Version", timeout_usec, buf, sizeof buf);
        if (r < 0)
                return r;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}
