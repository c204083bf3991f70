/* SPDX-License-Identifier: Apache-2.0 */
#include "package-enabled.h"
#include "program.h"
#include "strv.h"

void program_log_open(const char *ident, LogTarget target) {
        log_open(ident, target);
        log_parse_environment();
}

int program_load(Program *p, int disabled_level) {
        int r;

        *p = (Program) {};
        r = config_init_defaults(&p->config);
        if (r >= 0)
                r = config_load(&p->config);
        if (r < 0)
                return log_error_errno(r, "Failed to load the configuration: %m");
        STRV_FOREACH(w, p->config.warnings)
                log_warning("%s", *w);
        runtime_paths_get(&p->paths);
        if (package_enabled(&p->config, &p->disabled_by))
                return 1;
        if (!p->disabled_by)
                p->disabled_by = "configuration";
        log_full(disabled_level, "amazon-ec2-net-utils is disabled by %s, doing nothing.", p->disabled_by);
        return 0;
}

void program_done(Program *p) {
        config_done(&p->config);
}

int program_prepare_directories(const Program *p) {
        int r;

        r = writable_dir_prepare(p->paths.runtime_dir, true);
        if (r < 0)
                return log_error_errno(r, "Cannot write to the runtime directory %s: %m", p->paths.runtime_dir);
        r = writable_dir_prepare(p->paths.network_dir, false);
        if (r < 0)
                return log_error_errno(r, "Cannot write to the networkd directory %s: %m", p->paths.network_dir);
        return 0;
}

ImdsOptions program_imds_options(const Program *p, char *const *interfaces, uint64_t deadline_usec,
                                 unsigned max_attempts) {
        return (ImdsOptions) {
                .endpoints = p->config.imds_endpoints,
                .interfaces = interfaces,
                .token_cache_dir = p->paths.runtime_dir,
                .deadline_usec = deadline_usec,
                .max_attempts = max_attempts,
        };
}

void program_log_moved_from_2x(const char *moved) {
        if (moved && moved[0])
                log_info("Moved %s from amazon-ec2-net-utils 2.x's files to this package's in this networkd "
                         "reload.", moved);
}
