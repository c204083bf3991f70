/* SPDX-License-Identifier: Apache-2.0 */
/* IMDS bodies of every kind: whatever the input, parsing terminates, stays bounded, and
 * anything it accepts contains only characters safe in a networkd file. */
#include "fuzz-check.h"
#include <stdint.h>
#include <string.h>

#include "imds-parse.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const ImdsValueType types[] = {
                IMDS_VALUE_IPV4, IMDS_VALUE_IPV6, IMDS_VALUE_CIDR4, IMDS_VALUE_CIDR6, IMDS_VALUE_KEY,
        };
        char *line = NULL;

        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
                char **l = NULL;

                if (imds_parse_list((const char *) data, size, types[t], &l) >= 0) {
                        FUZZ_CHECK(strv_length(l) <= IMDS_LIST_MAX_ITEMS);
                        STRV_FOREACH(i, l)
                                FUZZ_CHECK(strpbrk(*i, "\n\r[]= \t") == NULL && **i != '\0');
                }
                strv_free(l);
        }
        if (imds_parse_line((const char *) data, size, &line) >= 0)
                FUZZ_CHECK(strpbrk(line, "\n\r") == NULL);
        free(line);
        return 0;
}
