/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Comparing string vectors, which only the tests need. */

#include <stdbool.h>

#include "strv.h"

static inline bool strv_equal(char *const *a, char *const *b) {
        size_t n = strv_length(a);

        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return true;
}
