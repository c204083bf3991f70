/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* The one switch for the whole package (SPEC §7): [Main] Enable= in the configuration, and
 * ec2net.enable= on the kernel command line. */

#include "config.h"

/* Whether the package may act: 0 (with the reason, which lives as long as config) when the
 * configuration or the kernel command line disables it, 1 otherwise. */
int package_enabled(const Config *config, const char **ret_reason);
