/* SPDX-License-Identifier: Apache-2.0 */
/* Build tool: prints 80-ec2.network from the renderer, so the vendor file and the
 * per-interface PREFIX-IFACE.network can never drift apart. */
#include <stdio.h>

#include "render.h"
#include "strv.h"

int main(int argc, char *argv[]) {
        _cleanup_strv_free_ char **drivers = NULL;

        for (int i = 1; i < argc; i++)
                if (strv_extend(&drivers, argv[i]) < 0)
                        return 1;
        fputs("# SPDX-License-Identifier: Apache-2.0\n"
              "# Defaults for EC2 network interfaces, installed by amazon-ec2-net-utils.\n"
              "# Override with a file of the same name in /etc/systemd/network.\n\n", stdout);
        return render_default_network(stdout, drivers) < 0 || fflush(stdout) != 0;
}
