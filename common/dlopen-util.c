/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <errno.h>

#include "dlopen-util.h"
#include "log.h"

int dlopen_symbols(const char *soname, void **handle, const DlSymbol *symbols, size_t n) {
        void *dl;

        if (*handle)
                return 0;
        /* Kept for the life of the process: such libraries cannot be unloaded safely anyway. */
        dl = dlopen(soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (!dl)
                return log_debug_errno(-ELIBACC, "Failed to load %s: %s", soname, dlerror());
        for (size_t i = 0; i < n; i++) {
                *symbols[i].ptr = dlsym(dl, symbols[i].name);
                if (!*symbols[i].ptr)
                        return log_debug_errno(-ELIBACC, "%s lacks %s: %s", soname, symbols[i].name, dlerror());
        }
        *handle = dl;
        return 0;
}
