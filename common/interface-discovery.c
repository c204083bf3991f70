/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eni-probe.h"
#include "interface-discovery.h"
#include "log.h"
#include "macro.h"

static int compare_by_name(const void *a, const void *b) {
        return strcmp(((const PresentInterface *) a)->ifname, ((const PresentInterface *) b)->ifname);
}

int interfaces_discover(const char *sysfs_root, const Config *config, PresentInterface **ret,
                        size_t *ret_n, size_t *ret_n_skipped) {
        _cleanup_free_ PresentInterface *list = NULL;
        _cleanup_closedir_ DIR *d = NULL;
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
                EniProbe p;
                int r;

                if (de->d_name[0] == '.')
                        continue;
                r = eni_probe_at(dirfd(d), config, de->d_name, &p);
                if (r == -ENODEV || IN_SET(r, ENI_PROBE_NO_DRIVER, ENI_PROBE_OTHER_DRIVER, ENI_PROBE_EXCLUDED))
                        continue;   /* gone meanwhile, or not ours */
                if (r < 0 || n >= DISCOVERY_MAX_INTERFACES) {
                        log_debug("Skipping %s: invalid name or MAC address, or too many interfaces.", de->d_name);
                        skipped++;
                        continue;
                }
                list[n++] = (PresentInterface) {};
                strcpy(list[n - 1].ifname, p.ifname);
                strcpy(list[n - 1].mac, p.mac);
                strcpy(list[n - 1].driver, p.driver);
        }

        qsort(list, n, sizeof *list, compare_by_name);
        *ret = TAKE_PTR(list);
        *ret_n = n;
        if (ret_n_skipped)
                *ret_n_skipped = skipped;
        return 0;
}
