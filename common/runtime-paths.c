/* SPDX-License-Identifier: Apache-2.0 */
#include "build-config.h"
#include "env-override.h"
#include "runtime-paths.h"

static const char *env_path(const char *name, const char *fallback) {
        return env_override_path(name) ?: fallback;
}

void runtime_paths_get(RuntimePaths *ret) {
        *ret = (RuntimePaths) {
                .runtime_dir = env_path("EC2NET_RUNTIME_DIR", EC2NET_RUNTIME_DIR),
                .network_dir = env_path("EC2NET_NETWORK_DIR", EC2NET_NETWORK_RUNTIME_DIR),
                .networkd_state_dir = env_path("EC2NET_NETWORKD_STATE_DIR", "/run/systemd/netif/links"),
        };
}
