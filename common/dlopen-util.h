/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Loading a shared library where it is used (dlopen), the way systemd loads its optional
 * libraries: a program that never takes that path never pays for loading it. */

#include <stddef.h>

typedef struct DlSymbol {
        const char *name;
        void **ptr;   /* set to the symbol's address */
} DlSymbol;

#define DL_SYMBOL(s) { #s, (void **) &sym_##s }

/* Loads soname once per process (*handle keeps it; never unloaded) and resolves every
 * symbol. -ELIBACC when the library or a symbol is missing (the reason at debug level). */
int dlopen_symbols(const char *soname, void **handle, const DlSymbol *symbols, size_t n);
