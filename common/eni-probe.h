/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The one answer to "is this interface an ENI we configure", for every program: the
 * generator and the seed stage (discovery at boot), the udev helper (hot-plug) and the
 * refresh helper (which ENIs may carry IMDS requests).
 *
 * The driver comes from the device's driver link in sysfs (SPEC §5: at boot the udev
 * database is not populated yet; udev's sandbox still reads sysfs). A link without one is a
 * virtual device; its driver is asked from the kernel (ethtool) only when the configured
 * Drivers= name a driver that is not an EC2 network device's, as the tests' veth: with the
 * default drivers nothing opens a socket (the generator must not).
 */

#include <stdbool.h>

#include "config.h"
#include "validate.h"

#define ENI_DRIVER_MAX 32

typedef enum EniProbeResult {
        ENI_PROBE_ENI,           /* ours: a handled driver, a valid MAC, not excluded */
        ENI_PROBE_NO_DRIVER,     /* a virtual device, or its driver is not known */
        ENI_PROBE_OTHER_DRIVER,  /* a driver Drivers= does not list */
        ENI_PROBE_EXCLUDED,      /* ExcludeInterfaces= / ExcludeMACs= */
} EniProbeResult;

typedef struct EniProbe {
        char ifname[IFNAME_MAX];
        char driver[ENI_DRIVER_MAX];   /* "" when not known */
        char mac[MAC_STR_MAX];         /* "" unless the driver is handled */
} EniProbe;

/* Probes IFNAME under SYSFS_ROOT (normally "/sys"). Returns an EniProbeResult (>= 0) with
 * *ret filled, or -errno: -ENODEV when there is no such interface, -EINVAL for an invalid
 * name, -EBADMSG when a handled interface's MAC address is unreadable or invalid. */
int eni_probe(const char *sysfs_root, const Config *config, const char *ifname, EniProbe *ret);
/* The same, with SYSFS_ROOT/class/net already open (discovery of every interface). */
int eni_probe_at(int net_fd, const Config *config, const char *ifname, EniProbe *ret);

/* Whether the configured drivers include one without a sysfs driver link to find it by. */
bool eni_probe_needs_kernel(const Config *config);
