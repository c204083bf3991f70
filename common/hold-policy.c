/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file-read.h"
#include "hold-policy.h"
#include "log.h"
#include "macro.h"
#include "systemd-units.h"
#include "time-util.h"
#include "validate.h"

#define VERSION_TIMEOUT_USEC (2 * USEC_PER_SEC)

/* A tristate setting that is wanted, when "auto", where a switch of a running link to another
 * .network file restarts its DHCP: below NETWORKD_KEEPS_LEASES_VERSION, or when not known. */
static bool wanted_where_switch_restarts_dhcp(int setting, unsigned *ret_version) {
        unsigned version = 0;
        int r;

        if (ret_version)
                *ret_version = 0;
        if (setting != CONFIG_AUTO)
                return setting;
        r = systemd_major_version(VERSION_TIMEOUT_USEC, &version);
        if (r < 0) {
                log_debug_errno(r, "Failed to learn systemd's version, assuming one older than %u: %m",
                                NETWORKD_KEEPS_LEASES_VERSION);
                return true;
        }
        if (ret_version)
                *ret_version = version;
        return version < NETWORKD_KEEPS_LEASES_VERSION;
}

bool hold_policy_wanted(const Config *config, unsigned *ret_version) {
        return wanted_where_switch_restarts_dhcp(config->hold_until_configured, ret_version);
}

bool hold_policy_defer_take_over(const Config *config) {
        return wanted_where_switch_restarts_dhcp(config->defer_take_over, NULL);
}

typedef struct BootstrapKey {
        char device[NAME_MAX + 1];   /* "" without a device */
        unsigned ifindex;
} BootstrapKey;

static void bootstrap_key(const char *sysfs_root, const char *ifname, BootstrapKey *ret) {
        char path[PATH_MAX], target[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        ssize_t n;
        const char *base;

        *ret = (BootstrapKey) { .ifindex = UINT_MAX };
        snprintf(path, sizeof path, "%s/class/net/%s/device", sysfs_root, ifname);
        n = readlink(path, target, sizeof target - 1);
        if (n > 0) {
                target[n] = '\0';
                base = strrchr(target, '/');
                base = base ? base + 1 : target;
                if (strlen(base) < sizeof ret->device)
                        strcpy(ret->device, base);
        }
        snprintf(path, sizeof path, "%s/class/net/%s/ifindex", sysfs_root, ifname);
        if (read_file_at(AT_FDCWD, path, 32, &text, NULL) >= 0) {
                text[strcspn(text, "\n")] = '\0';
                (void) parse_bounded_uint(text, INT_MAX, &ret->ifindex);
        }
}

/* PCI addresses ("0000:00:05.0") have one length and sort as strings; "vif-2" < "vif-10". */
static int bootstrap_key_compare(const BootstrapKey *a, const BootstrapKey *b) {
        if (!a->device[0] != !b->device[0])
                return a->device[0] ? -1 : 1;
        if (a->device[0]) {
                int c = strlen(a->device) == strlen(b->device) ? strcmp(a->device, b->device)
                                                                : strverscmp(a->device, b->device);
                if (c != 0)
                        return c;
        }
        return a->ifindex < b->ifindex ? -1 : a->ifindex > b->ifindex;
}

size_t hold_policy_bootstrap(const char *sysfs_root, const PresentInterface *list, size_t n) {
        BootstrapKey best, k;
        size_t chosen = 0;

        bootstrap_key(sysfs_root, list[0].ifname, &best);
        for (size_t i = 1; i < n; i++) {
                bootstrap_key(sysfs_root, list[i].ifname, &k);
                if (bootstrap_key_compare(&k, &best) < 0) {
                        best = k;
                        chosen = i;
                }
        }
        return chosen;
}

bool hold_policy_is_bootstrap(const char *sysfs_root, const Config *config, const char *ifname) {
        _cleanup_free_ PresentInterface *list = NULL;
        size_t n = 0;

        if (interfaces_discover(sysfs_root, config, &list, &n, NULL) < 0 || n == 0)
                return true;
        return streq(list[hold_policy_bootstrap(sysfs_root, list, n)].ifname, ifname);
}
