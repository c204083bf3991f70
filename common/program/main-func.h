/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * For the executables only (it logs above debug, which the library never does): the one
 * skeleton of every program, after systemd's DEFINE_MAIN_FUNCTION.
 *
 * run() returns 0 or a positive exit status, or a negative errno / error-codes.h code that
 * was logged where it was handled; main() turns it into the exit status through the one
 * table of exit-status.h. log_failure() is that logging for an outcome the caller does not
 * handle itself: the priority, MESSAGE_ID= and consequence come from the same table, so the
 * same outcome reads the same in every program.
 */

#include "error-codes.h"
#include "exit-status.h"
#include "log.h"

/* Logs "FORMAT: <what r means><consequence>" and returns r (negative). */
#define log_failure(r, format, ...)                                                     \
        ({                                                                              \
                int _r_ = (r);                                                          \
                RunFailure _f_ = run_failure_from_error(_r_);                           \
                if (log_get_max_level() >= _f_.priority)                                \
                        (void) log_internal(_f_.priority, _r_, _f_.message_id,          \
                                            format ": %m%s", ##__VA_ARGS__,             \
                                            _f_.consequence);                           \
                -abs(_r_);                                                              \
        })

#define DEFINE_MAIN_FUNCTION(impl)                                                      \
        int main(int argc, char *argv[]) {                                              \
                int _r_ = impl(argc, argv);                                             \
                return _r_ < 0 ? exit_status_from_errno(_r_) : _r_;                     \
        }
