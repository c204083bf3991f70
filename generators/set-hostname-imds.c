/* SPDX-License-Identifier: Apache-2.0 */
/*
 * set-hostname-imds: sets the static hostname from IMDS local-hostname, only when
 * /etc/hostname is missing or empty (SPEC §2), through systemd-hostnamed over D-Bus. A file
 * that cannot be read may hold a name: it is left alone, with a warning, exit 0.
 * A name longer than a static hostname may be is shortened to its first label.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "bus-call.h"
#include "env-override.h"
#include "file-save.h"
#include "hostname-file.h"
#include "imds-client.h"
#include "imds-parse.h"
#include "log.h"
#include "main-func.h"
#include "program.h"
#include "time-util.h"
#include "validate.h"

#define DEADLINE_USEC (60 * USEC_PER_SEC)
#define BUS_TIMEOUT_USEC (25 * USEC_PER_SEC)   /* sd-bus's own default */

static const char *hostname_file(void) {
        return env_override_path("EC2NET_HOSTNAME_FILE") ?: "/etc/hostname";   /* tests */
}

static int set_static_hostname(const char *name) {
        _cleanup_(bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = bus_call_method(BUS_TIMEOUT_USEC, "org.freedesktop.hostname1", "/org/freedesktop/hostname1",
                            "org.freedesktop.hostname1", "SetStaticHostname", &error, NULL, "sb", name, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to set the static hostname: %s", error.message ?: strerror(-r));
        return 0;
}

static int run(int argc, char *argv[]) {
        _cleanup_(program_done) Program p = {};
        _cleanup_(imds_client_freep) ImdsClient *imds = NULL;
        _cleanup_free_ char *body = NULL, *line = NULL;
        char name[256];
        ImdsOptions io;
        size_t len;
        int r;

        program_log_open("set-hostname-imds", LOG_TARGET_AUTO);
        if (argc > 1)
                return log_error_errno(-EUSAGE, "%s takes no arguments.", argv[0]);

        r = hostname_file_is_set(hostname_file());
        if (r < 0) {
                /* Not IMDS failing but a local condition: a name may be set, so none is. */
                log_warning("Cannot read %s (%s); leaving the hostname alone.", hostname_file(),
                            hostname_file_error_reason(r));
                return 0;
        }
        if (r > 0) {
                log_info("The static hostname is already set, not changing it.");
                return 0;
        }
        r = program_load(&p, LOG_INFO);
        if (r <= 0)
                return r;

        io = program_imds_options(&p, NULL, usec_add(now_usec(), DEADLINE_USEC), 10);
        r = imds_client_new(&io, &imds);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the IMDS client: %m");
        r = imds_get(imds, "local-hostname", &body, &len);
        if (r < 0)
                return log_failure(r, "Could not read local-hostname from IMDS, not setting the hostname");
        if (imds_parse_line(body, len, &line) < 0 || validate_hostname(line, name, sizeof name) < 0)
                return log_failure(-EIMDS_INVALID, "IMDS local-hostname is not a valid host name, not using it");
        if (strlen(name) >= HOSTNAME_MAX)
                name[strcspn(name, ".")] = '\0';
        r = set_static_hostname(name);
        if (r < 0)
                return r;
        log_info("Set the static hostname to %s from IMDS.", name);
        return 0;
}

DEFINE_MAIN_FUNCTION(run);
