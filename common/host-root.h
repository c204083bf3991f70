/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The root directory under which ec2-netctl reads the host's configuration of other
 * programs (/etc/systemd/networkd.conf, udev rules, NetworkManager, cloud-init, .network
 * files): "/" normally, $EC2NET_ROOT for tests, like the other EC2NET_* overrides (an
 * absolute path without "..", read with secure_getenv(); anything else is ignored).
 * The product's own paths (runtime_paths_get()) are not under it.
 */

#include <stddef.h>

#define HOST_ROOT_ENV "EC2NET_ROOT"

/* "/" or the override, without a trailing slash unless it is "/". */
const char *host_root(void);

/* ROOT + path (an absolute path) into buf. -ENAMETOOLONG when it does not fit. */
int host_path(const char *path, char *buf, size_t size);
