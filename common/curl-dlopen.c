/* SPDX-License-Identifier: Apache-2.0 */
#include "curl-dlopen.h"
#include "dlopen-util.h"
#include "macro.h"

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

int dlopen_curl(void) {
        static const DlSymbol symbols[] = {
                DL_SYMBOL(curl_global_init),   DL_SYMBOL(curl_easy_init),
                DL_SYMBOL(curl_easy_cleanup),  DL_SYMBOL(curl_easy_reset),
                DL_SYMBOL(curl_easy_setopt),   DL_SYMBOL(curl_easy_perform),
                DL_SYMBOL(curl_easy_getinfo),  DL_SYMBOL(curl_easy_strerror),
                DL_SYMBOL(curl_slist_append),  DL_SYMBOL(curl_slist_free_all),
        };

        return dlopen_symbols(LIBCURL_SONAME, &curl_dl, symbols, ELEMENTSOF(symbols));
}

int curl_is_loaded(void) {
        return curl_dl != NULL;
}
