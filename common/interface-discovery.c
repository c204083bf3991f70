/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file-save.h"
#include "interface-discovery.h"
#include "log.h"
#include "macro.h"
#include "netlink.h"
#include "strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

static int read_driver(int net_fd, const char *ifname, char *ret, size_t size) {
        char link[PATH_MAX], target[PATH_MAX];
        const char *base;
        ssize_t n;

        snprintf(link, sizeof link, "%s/device/driver", ifname);
        n = readlinkat(net_fd, link, target, sizeof target - 1);
        if (n < 0)
                return negative_errno();   /* virtual links (lo, bridges) have none */
        target[n] = '\0';
        base = strrchr(target, '/');
        base = base ? base + 1 : target;
        if (!*base || strlen(base) >= size)
                return -EINVAL;
        strcpy(ret, base);
        return 0;
}

static int read_mac(int net_fd, const char *ifname, char ret[static MAC_STR_MAX]) {
        _cleanup_free_ char *text = NULL;
        char name[PATH_MAX];
        size_t len;
        int r;

        snprintf(name, sizeof name, "%s/address", ifname);
        r = read_file_at(net_fd, name, 64, &text, &len);
        if (r < 0)
                return r;
        if (len > 0 && text[len - 1] == '\n')
                text[len - 1] = '\0';
        return validate_mac(text, ret);
}

static int compare_by_name(const void *a, const void *b) {
        return strcmp(((const PresentInterface *) a)->ifname, ((const PresentInterface *) b)->ifname);
}

int interfaces_discover(const char *sysfs_root, const Config *config, PresentInterface **ret,
                        size_t *ret_n, size_t *ret_n_skipped) {
        _cleanup_free_ PresentInterface *list = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        char path[PATH_MAX];
        size_t n = 0, skipped = 0;
        struct dirent *de;

        snprintf(path, sizeof path, "%s/class/net", sysfs_root);
        d = opendir(path);
        if (!d)
                return negative_errno();
        list = calloc(DISCOVERY_MAX_INTERFACES, sizeof *list);
        if (!list)
                return -ENOMEM;

        while ((de = readdir(d))) {
                PresentInterface p = {};

                if (de->d_name[0] == '.')
                        continue;
                if (!ifname_is_valid(de->d_name)) {
                        skipped++;
                        continue;
                }
                if (read_driver(dirfd(d), de->d_name, p.driver, sizeof p.driver) < 0) {
                        /* No driver link: a virtual device. Only veth, which the tests use
                         * as ENIs (SPEC §9), is worth an ethtool ioctl; with the default
                         * drivers the generator never opens a socket. */
                        if (!strv_contains(config->drivers, "veth") ||
                            link_get_driver(de->d_name, p.driver, sizeof p.driver) < 0)
                                continue;
                }
                if (!config_driver_allowed(config, p.driver))
                        continue;
                if (read_mac(dirfd(d), de->d_name, p.mac) < 0) {
                        log_debug("Skipping %s: unreadable or invalid MAC address.", de->d_name);
                        skipped++;
                        continue;
                }
                strcpy(p.ifname, de->d_name);
                if (config_interface_excluded(config, p.ifname, p.mac))
                        continue;
                if (n >= DISCOVERY_MAX_INTERFACES) {
                        skipped++;
                        continue;
                }
                list[n++] = p;
        }

        qsort(list, n, sizeof *list, compare_by_name);
        *ret = TAKE_PTR(list);
        *ret_n = n;
        if (ret_n_skipped)
                *ret_n_skipped = skipped;
        return 0;
}
