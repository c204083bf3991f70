/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdlib.h>

/* Like assert(), but also in release builds (NDEBUG): a broken property is a crash. */
#define FUZZ_CHECK(x)                    \
        do {                             \
                if (!(x))                \
                        abort();         \
        } while (0)
