/* SPDX-License-Identifier: Apache-2.0 */
/*
 * set-hostname-imds: sets the static hostname from IMDS local-hostname, only when
 * /etc/hostname is missing or empty (SPEC §2), through systemd-hostnamed over D-Bus.
 * A name longer than a static hostname may be is shortened to its first label.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "config.h"
#include "env-override.h"
#include "file-save.h"
#include "imds-client.h"
#include "imds-parse.h"
#include "kernel-cmdline.h"
#include "exit-status.h"
#include "log.h"
#include "runtime-paths.h"
#include "strv.h"
#include "time-util.h"
#include "validate.h"

#define DEADLINE_USEC (60 * USEC_PER_SEC)

static const char *hostname_file(void) {
        return env_override_path("EC2NET_HOSTNAME_FILE") ?: "/etc/hostname";   /* tests */
}

static bool static_hostname_is_set(void) {
        _cleanup_free_ char *text = NULL;

        if (read_file_at(AT_FDCWD, hostname_file(), 4096, &text, NULL) < 0)
                return false;
        return text[strspn(text, " \t\r\n")] != '\0';
}

static int set_static_hostname(const char *name) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        r = sd_bus_call_method(bus, "org.freedesktop.hostname1", "/org/freedesktop/hostname1",
                               "org.freedesktop.hostname1", "SetStaticHostname", &error, NULL,
                               "sb", name, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to set the static hostname: %s", error.message ?: strerror(-r));
        return 0;
}

static int run(void) {
        _cleanup_(config_done) Config config = {};
        _cleanup_(imds_client_freep) ImdsClient *imds = NULL;
        _cleanup_free_ char *body = NULL, *line = NULL;
        char name[256];
        const char *reason;
        RuntimePaths paths;
        size_t len;
        int r;

        log_open("set-hostname-imds", LOG_TARGET_AUTO);
        log_parse_environment();

        if (static_hostname_is_set()) {
                log_info("The static hostname is already set, not changing it.");
                return 0;
        }
        r = config_init_defaults(&config);
        if (r >= 0)
                r = config_load(&config);
        if (r < 0)
                return log_error_errno(r, "Failed to load the configuration: %m");
        STRV_FOREACH(w, config.warnings)
                log_warning("%s", *w);
        if (!package_enabled(&config, &reason)) {
                log_info("Disabled by %s, not setting the hostname.", reason);
                return 0;
        }

        runtime_paths_get(&paths);
        ImdsOptions io = {
                .endpoints = config.imds_endpoints,
                .token_cache_dir = paths.runtime_dir,
                .deadline_usec = usec_add(now_usec(), DEADLINE_USEC),
                .max_attempts = 10,
        };
        r = imds_client_new(&io, &imds);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the IMDS client: %m");
        r = imds_get(imds, "local-hostname", &body, &len);
        if (r == -EACCES) {
                log_notice("IMDS is disabled on this instance; not setting the hostname.");
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to read local-hostname from IMDS: %m");
        if (imds_parse_line(body, len, &line) < 0 || validate_hostname(line, name, sizeof name) < 0)
                return log_error_errno(-EBADMSG, "IMDS local-hostname is not a valid host name, not using it.");
        if (strlen(name) >= HOSTNAME_MAX)
                name[strcspn(name, ".")] = '\0';
        r = set_static_hostname(name);
        if (r < 0)
                return r;
        log_info("Set the static hostname to %s from IMDS.", name);
        return 0;
}

int main(void) {
        return exit_status_from_errno(run());
}
