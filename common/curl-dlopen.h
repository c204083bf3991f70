/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * libcurl, loaded when the IMDS client is first used (dlopen), not when a program starts:
 * libcurl brings about thirty libraries (TLS, Kerberos, LDAP, ...) whose loading costs ~4 ms
 * per process. The generator on every boot's critical path and the udev helper on every
 * hot-plug event never talk HTTP and so never pay it (systemd loads its optional heavy
 * libraries the same way). Only the symbols the IMDS client calls are resolved.
 */

#include <curl/curl.h>

extern __typeof__(curl_global_init) *sym_curl_global_init;
extern __typeof__(curl_easy_init) *sym_curl_easy_init;
extern __typeof__(curl_easy_cleanup) *sym_curl_easy_cleanup;
extern __typeof__(curl_easy_reset) *sym_curl_easy_reset;
extern __typeof__(curl_easy_setopt) *sym_curl_easy_setopt;
extern __typeof__(curl_easy_perform) *sym_curl_easy_perform;
extern __typeof__(curl_easy_getinfo) *sym_curl_easy_getinfo;
extern __typeof__(curl_easy_strerror) *sym_curl_easy_strerror;
extern __typeof__(curl_slist_append) *sym_curl_slist_append;
extern __typeof__(curl_slist_free_all) *sym_curl_slist_free_all;

/* Loads libcurl and resolves the symbols above, once per process; 0 when they are usable,
 * -ELIBACC when the library or a symbol is missing (the reason at debug level). */
int dlopen_curl(void);

/* Whether this process has loaded libcurl (for tests and benchmarks). */
int curl_is_loaded(void);
