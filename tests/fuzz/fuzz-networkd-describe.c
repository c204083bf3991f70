/* SPDX-License-Identifier: Apache-2.0 */
/* networkd's DescribeLink document, scanned without being built (networkd-describe.c):
 * whatever the bytes, the scan ends, and what it keeps is what it promises. */
#include "fuzz-check.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "networkd-describe.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        NetworkdLinkView v = {};
        char *s = malloc(size + 1);
        int r;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = '\0';
        r = networkd_link_view_from_json(s, &v);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
        FUZZ_CHECK(!v.network_file || v.network_file[0] == '/');
        STRV_FOREACH(d, v.dropin_files)
                FUZZ_CHECK((*d)[0] == '/');
        networkd_link_view_done(&v);
        free(s);
        return 0;
}
