/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "eni-probe.h"
#include "file-read.h"
#include "log.h"
#include "macro.h"
#include "netlink.h"
#include "strv.h"

/* The drivers of EC2's network devices (ENA, Intel VF, Xen netfront): all bound devices, so
 * they always have a driver link. */
static const char *const device_drivers[] = { "ena", "ixgbevf", "vif" };

bool eni_probe_needs_kernel(const Config *config) {
        STRV_FOREACH(d, config->drivers) {
                bool known = false;

                for (size_t i = 0; i < ELEMENTSOF(device_drivers); i++)
                        known = known || streq(*d, device_drivers[i]);
                if (!known)
                        return true;
        }
        return false;
}

static int read_driver_link(int net_fd, const char *ifname, char ret[static ENI_DRIVER_MAX]) {
        char link[PATH_MAX], target[PATH_MAX];
        const char *base;
        ssize_t n;

        snprintf(link, sizeof link, "%s/device/driver", ifname);
        n = readlinkat(net_fd, link, target, sizeof target - 1);
        if (n < 0)
                return negative_errno();   /* virtual links (lo, bridges, veth) have none */
        target[n] = '\0';
        base = strrchr(target, '/');
        base = base ? base + 1 : target;
        if (!*base || strlen(base) >= ENI_DRIVER_MAX)
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
        return validate_mac(text, ret) < 0 ? -EBADMSG : 0;
}

int eni_probe_at(int net_fd, const Config *config, const char *ifname, EniProbe *ret) {
        EniProbe p = {};
        int r;

        if (!ifname_is_valid(ifname))
                return -EINVAL;
        if (faccessat(net_fd, ifname, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? -ENODEV : negative_errno();
        strcpy(p.ifname, ifname);

        r = read_driver_link(net_fd, ifname, p.driver);
        if (r < 0 && (!eni_probe_needs_kernel(config) || link_get_driver(ifname, p.driver, sizeof p.driver) < 0))
                p.driver[0] = '\0';
        if (!p.driver[0]) {
                *ret = p;
                return ENI_PROBE_NO_DRIVER;
        }
        if (!config_driver_allowed(config, p.driver)) {
                *ret = p;
                return ENI_PROBE_OTHER_DRIVER;
        }
        r = read_mac(net_fd, ifname, p.mac);
        if (r == -ENOENT)
                return -ENODEV;   /* gone meanwhile */
        if (r < 0)
                return log_debug_errno(r, "%s: unreadable or invalid MAC address.", ifname);
        *ret = p;
        return config_interface_excluded(config, p.ifname, p.mac) ? ENI_PROBE_EXCLUDED : ENI_PROBE_ENI;
}

int eni_probe(const char *sysfs_root, const Config *config, const char *ifname, EniProbe *ret) {
        _cleanup_close_ int net_fd = -1;
        char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/class/net", sysfs_root);
        net_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (net_fd < 0)
                return negative_errno();
        return eni_probe_at(net_fd, config, ifname, ret);
}
