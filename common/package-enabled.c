/* SPDX-License-Identifier: Apache-2.0 */
#include "kernel-cmdline.h"
#include "macro.h"
#include "package-enabled.h"

int package_enabled(const Config *config, const char **ret_reason) {
        _cleanup_free_ char *cmdline = NULL;

        if (!config->enabled) {
                *ret_reason = config->disabled_by ?: "[Main] Enable=no";
                return 0;
        }
        /* An unreadable command line is no reason to turn the network off. */
        if (kernel_cmdline_read(NULL, &cmdline) >= 0 && kernel_cmdline_ec2net_enabled(cmdline) == 0) {
                *ret_reason = "ec2net.enable=0 on the kernel command line";
                return 0;
        }
        *ret_reason = NULL;
        return 1;
}
