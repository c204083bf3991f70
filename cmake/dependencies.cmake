# SPDX-License-Identifier: Apache-2.0
# Libraries from the distribution (SPEC §2): libsystemd, libcurl, jansson; cmocka for tests.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBSYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(LIBCURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
