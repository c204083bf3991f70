/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel command line parser. */
#include "fuzz-check.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel-cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        int r;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        r = kernel_cmdline_ec2net_enabled(s);
        FUZZ_CHECK(r == 0 || r == 1 || r < 0);
        free(s);
        return 0;
}
