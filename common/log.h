/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Logging. The library (common/) only ever calls log_debug*(); the executables pick the
 * target and the maximum level, and own every message above debug.
 *
 * Messages go to the journal (with INTERFACE=, MAC=, ENI_ID= from the current log context
 * and a MESSAGE_ID= for events), to stderr, or to /dev/kmsg (the generator). "%m" in a
 * format string expands to the error passed in.
 */

#include <stdarg.h>
#include <syslog.h>

#include "macro.h"

typedef enum LogTarget {
        LOG_TARGET_AUTO,    /* journal when run by systemd (JOURNAL_STREAM set), else console */
        LOG_TARGET_CONSOLE, /* stderr */
        LOG_TARGET_JOURNAL,
        LOG_TARGET_KMSG,    /* /dev/kmsg, for the generator; console if it cannot be opened */
} LogTarget;

/* Stable MESSAGE_ID= values, one per kind of event (SPEC §2: logging with fields). */
#define MESSAGE_ID_CONFIG_CHANGED   "5d4e0c7f2b8a4c1e9a3f6b0d8e2c4a71"
#define MESSAGE_ID_CONFIG_REMOVED   "9b1f3e6a0c2d4b8e8f7a5c3d1e0b9a62"
#define MESSAGE_ID_IMDS_UNAVAILABLE "3c8a6e1d4f2b4a9c8e0d7b5a3f1c2e83"
#define MESSAGE_ID_IMDS_INVALID     "e7a2c9b4d1f04e6a9b3c8d5e2f7a1c94"
#define MESSAGE_ID_NETWORKD_RELOAD  "1f6d3b8e5a2c4d7f9e0a4b6c8d2e5f15"
#define MESSAGE_ID_SHADOWED         "a4c7e1f9b2d54a3e8c6f0b9d7e3a1c26"

void log_open(const char *ident, LogTarget target);
void log_set_max_level(int level);
int log_get_max_level(void);
/* Parses EC2NET_LOG_LEVEL (debug|info|notice|warning|err or 0-7); ignores bad values. */
void log_parse_environment(void);

/* Fields attached to every following message of this process until changed; NULL clears. */
void log_context_set(const char *interface, const char *mac, const char *eni_id);

int log_internal(int level, int error, const char *message_id, const char *format, ...)
        _printf_(4, 5);

#define log_full_errno(level, error, ...)                                              \
        ({                                                                              \
                int _level_ = (level), _e_ = (error);                                   \
                (log_get_max_level() >= _level_)                                        \
                        ? log_internal(_level_, _e_, NULL, __VA_ARGS__)                 \
                        : -((_e_) < 0 ? -(_e_) : (_e_));                                \
        })

#define log_full(level, ...) (void) log_full_errno(level, 0, __VA_ARGS__)

#define log_debug(...)   log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, __VA_ARGS__)

/* These return -abs(error), so that "return log_error_errno(r, ...);" works. */
#define log_debug_errno(e, ...)   log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_info_errno(e, ...)    log_full_errno(LOG_INFO, e, __VA_ARGS__)
#define log_notice_errno(e, ...)  log_full_errno(LOG_NOTICE, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, e, __VA_ARGS__)

/* An event with a MESSAGE_ID= (always logged when the level passes). */
#define log_event(level, message_id, ...)                                               \
        ({                                                                              \
                int _level_ = (level);                                                  \
                if (log_get_max_level() >= _level_)                                     \
                        (void) log_internal(_level_, 0, message_id, __VA_ARGS__);       \
        })
