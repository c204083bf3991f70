/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration parser: any bytes give a usable configuration, never a crash. */
#include "fuzz-check.h"
#include <stdint.h>

#include "config.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Config c = {};

        if (config_init_defaults(&c) < 0)
                return 0;
        (void) config_parse_text(&c, (const char *) data, size, "fuzz.conf");
        /* Whatever happened, the lists that must never be empty are not. */
        FUZZ_CHECK(c.drivers && c.drivers[0]);
        FUZZ_CHECK(c.imds_endpoints && c.imds_endpoints[0]);
        FUZZ_CHECK(c.refresh_interval_sec >= 10 && c.refresh_interval_sec <= 86400);
        config_done(&c);
        return 0;
}
