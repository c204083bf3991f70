/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "env-override.h"
#include "error-codes.h"
#include "escape.h"
#include "log.h"

static struct {
        const char *ident;
        LogTarget target;
        int max_level;
        int kmsg_fd;
        int journal_fd;
        char interface[64];
        char mac[32];
        char eni_id[64];
} log_state = {
        .ident = "amazon-ec2-net-utils",
        .target = LOG_TARGET_AUTO,
        .max_level = LOG_INFO,
        .kmsg_fd = -1,
        .journal_fd = -1,
};

/* journald's native protocol (systemd's "Native Journal Protocol"): one datagram of
 * KEY=VALUE lines. Spoken here instead of through libsystemd so that no program loads
 * libsystemd to log (bus-call.c loads it for the bus only). Values hold no newline: every
 * message has its control characters escaped, and the fields are checked. */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static int journal_send(const struct iovec *fields, int n) {
        static const struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = JOURNAL_SOCKET };
        struct iovec iov[2 * 8];
        struct msghdr mh = {
                .msg_name = (struct sockaddr *) &sa,
                .msg_namelen = sizeof sa,
                .msg_iov = iov,
        };

        if (n > 8)
                return -E2BIG;
        if (log_state.journal_fd < 0) {
                log_state.journal_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (log_state.journal_fd < 0)
                        return negative_errno();
        }
        for (int i = 0; i < n; i++) {
                iov[2 * i] = fields[i];
                iov[2 * i + 1] = (struct iovec) { (char *) "\n", 1 };
        }
        mh.msg_iovlen = 2 * (size_t) n;
        return sendmsg(log_state.journal_fd, &mh, MSG_NOSIGNAL) < 0 ? negative_errno() : 0;
}

void log_open(const char *ident, LogTarget target) {
        if (ident)
                log_state.ident = ident;
        if (target == LOG_TARGET_AUTO)
                target = getenv("JOURNAL_STREAM") ? LOG_TARGET_JOURNAL : LOG_TARGET_CONSOLE;
        if (target == LOG_TARGET_KMSG) {
                log_state.kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
                if (log_state.kmsg_fd < 0)
                        target = LOG_TARGET_CONSOLE;
        }
        log_state.target = target;
}

void log_set_max_level(int level) {
        if (level >= LOG_EMERG && level <= LOG_DEBUG)
                log_state.max_level = level;
}

int log_get_max_level(void) {
        return log_state.max_level;
}

void log_parse_environment(void) {
        static const char *const names[] = { "emerg", "alert", "crit", "err",
                                             "warning", "notice", "info", "debug" };
        const char *e = env_override("EC2NET_LOG_LEVEL");

        if (!e)
                return;
        for (int i = 0; i < (int) ELEMENTSOF(names); i++)
                if (strcasecmp(e, names[i]) == 0 || (e[0] == '0' + i && e[1] == '\0')) {
                        log_set_max_level(i);
                        return;
                }
}

static void copy_field(char *dst, size_t size, const char *src) {
        size_t n = 0;

        /* Only printable ASCII: these values end up in journal fields and console lines. */
        for (; src && *src && n + 1 < size; src++)
                if (*src > 0x20 && *src < 0x7f)
                        dst[n++] = *src;
        dst[n] = '\0';
}

void log_context_set(const char *interface, const char *mac, const char *eni_id) {
        copy_field(log_state.interface, sizeof log_state.interface, interface);
        copy_field(log_state.mac, sizeof log_state.mac, mac);
        copy_field(log_state.eni_id, sizeof log_state.eni_id, eni_id);
}

static void log_to_journal(int level, int error, const char *message_id, const char *msg) {
        char f_msg[2200], f_prio[32], f_id[80], f_if[96], f_mac[64], f_eni[96], f_errno[32],
                f_msgid[80];
        struct iovec iov[8];
        int n = 0;

#define ADD(buf, ...)                                                                   \
        do {                                                                            \
                int _l_ = snprintf(buf, sizeof buf, __VA_ARGS__);                       \
                iov[n++] = (struct iovec) { buf, (size_t) _l_ < sizeof buf ? (size_t) _l_ \
                                                                          : sizeof buf - 1 }; \
        } while (0)

        ADD(f_msg, "MESSAGE=%s", msg);
        ADD(f_prio, "PRIORITY=%d", level);
        ADD(f_id, "SYSLOG_IDENTIFIER=%s", log_state.ident);
        if (log_state.interface[0])
                ADD(f_if, "INTERFACE=%s", log_state.interface);
        if (log_state.mac[0])
                ADD(f_mac, "MAC=%s", log_state.mac);
        if (log_state.eni_id[0])
                ADD(f_eni, "ENI_ID=%s", log_state.eni_id);
        if (error != 0 && !error_is_ec2net(error))   /* ERRNO= is for the system's errno values */
                ADD(f_errno, "ERRNO=%d", error);
        if (message_id)
                ADD(f_msgid, "MESSAGE_ID=%s", message_id);
#undef ADD
        if (journal_send(iov, n) < 0)   /* no journald: the message is not lost */
                fprintf(stderr, "%s: %s\n", log_state.ident, msg);
}

/* glibc expands "%m" from errno, which knows nothing of our own codes (error-codes.h): for
 * those, put their text into the format instead ("%%" stays as it is). */
static const char *format_with_error(const char *format, int error, char *buf, size_t size) {
        const char *text = error_to_string(error);
        size_t n = 0;

        if (!error_is_ec2net(error))
                return format;
        for (const char *p = format; *p && n + 1 < size; p++) {
                if (p[0] == '%' && p[1] == 'm') {
                        for (const char *t = text; *t && n + 2 < size; t++) {
                                if (*t == '%')
                                        buf[n++] = '%';
                                buf[n++] = *t;
                        }
                        p++;
                        continue;
                }
                if (p[0] == '%' && p[1] == '%' && n + 2 < size) {
                        buf[n++] = *p++;
                }
                buf[n++] = *p;
        }
        buf[n] = '\0';
        return buf;
}

int log_internal(int level, int error, const char *message_id, const char *format, ...) {
        char msg[2048], expanded[1024];
        va_list ap;
        int saved = errno;

        if (error < 0)
                error = -error;

        /* Let "%m" print the error we were given. */
        format = format_with_error(format, error, expanded, sizeof expanded);
        errno = error;
        va_start(ap, format);
        vsnprintf(msg, sizeof msg, format, ap); /* NOLINT(clang-analyzer-valist.Uninitialized): va_start above */
        va_end(ap);
        /* One call, one line: a name or value with a newline in it cannot forge another. */
        escape_controls_in_place(msg);

        switch (log_state.target) {
        case LOG_TARGET_JOURNAL:
                log_to_journal(level, error, message_id, msg);
                break;
        case LOG_TARGET_KMSG: {
                char line[2200];
                int l = snprintf(line, sizeof line, "<%d>%s[%d]: %s\n", LOG_DAEMON | level,
                                 log_state.ident, (int) getpid(), msg);
                if (l > 0)
                        (void) !write(log_state.kmsg_fd, line,
                                      (size_t) l < sizeof line ? (size_t) l : sizeof line - 1);
                break;
        }
        default:
                if (log_state.interface[0])
                        fprintf(stderr, "%s: %s: %s\n", log_state.ident, log_state.interface, msg);
                else
                        fprintf(stderr, "%s: %s\n", log_state.ident, msg);
                break;
        }

        errno = saved;
        return -error;
}
