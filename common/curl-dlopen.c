/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <errno.h>

#include "curl-dlopen.h"
#include "log.h"

/* The soname the package depends on (libcurl4 on Debian, libcurl on Amazon Linux). */
#define LIBCURL_SONAME "libcurl.so.4"

__typeof__(curl_global_init) *sym_curl_global_init;
__typeof__(curl_easy_init) *sym_curl_easy_init;
__typeof__(curl_easy_cleanup) *sym_curl_easy_cleanup;
__typeof__(curl_easy_reset) *sym_curl_easy_reset;
__typeof__(curl_easy_setopt) *sym_curl_easy_setopt;
__typeof__(curl_easy_perform) *sym_curl_easy_perform;
__typeof__(curl_easy_getinfo) *sym_curl_easy_getinfo;
__typeof__(curl_easy_strerror) *sym_curl_easy_strerror;
__typeof__(curl_slist_append) *sym_curl_slist_append;
__typeof__(curl_slist_free_all) *sym_curl_slist_free_all;

static void *curl_dl;

#define RESOLVE(name)                                                                   \
        do {                                                                            \
                *(void **) &sym_##name = dlsym(dl, #name);                              \
                if (!sym_##name)                                                        \
                        return log_debug_errno(-ELIBACC, "%s lacks %s: %s",             \
                                               LIBCURL_SONAME, #name, dlerror());       \
        } while (0)

int dlopen_curl(void) {
        void *dl;

        if (curl_dl)
                return 0;
        /* Kept for the life of the process: libcurl cannot be unloaded safely anyway. */
        dl = dlopen(LIBCURL_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (!dl)
                return log_debug_errno(-ELIBACC, "Failed to load %s: %s", LIBCURL_SONAME, dlerror());
        RESOLVE(curl_global_init);
        RESOLVE(curl_easy_init);
        RESOLVE(curl_easy_cleanup);
        RESOLVE(curl_easy_reset);
        RESOLVE(curl_easy_setopt);
        RESOLVE(curl_easy_perform);
        RESOLVE(curl_easy_getinfo);
        RESOLVE(curl_easy_strerror);
        RESOLVE(curl_slist_append);
        RESOLVE(curl_slist_free_all);
        curl_dl = dl;
        return 0;
}

int curl_is_loaded(void) {
        return curl_dl != NULL;
}
