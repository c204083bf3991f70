/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Log lines to the journal over journald's native protocol (log.c speaks it itself, so that
 * no program loads libsystemd to log): a socket of our own at journald's path, in a private
 * mount namespace, receives exactly the fields a line must have. Needs root; skips otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "error-codes.h"
#include "log.h"
#include "macro.h"

static int journal_fd = -1;

static char *receive(char *buf, size_t size) {
        ssize_t n = recv(journal_fd, buf, size - 1, MSG_DONTWAIT);

        assert_true(n > 0);
        buf[n] = '\0';
        return buf;
}

static void test_fields(void **state) {
        char buf[4096];

        log_open("test-journal", LOG_TARGET_JOURNAL);
        log_context_set("ens5", "02:00:00:00:00:05", "eni-0123456789abcdef0");
        log_event(LOG_INFO, MESSAGE_ID_CONFIG_CHANGED, "Configured %s.", "ens5\nMESSAGE=forged");
        receive(buf, sizeof buf);
        assert_string_equal(buf,
                            "MESSAGE=Configured ens5?MESSAGE=forged.\n"
                            "PRIORITY=6\n"
                            "SYSLOG_IDENTIFIER=test-journal\n"
                            "INTERFACE=ens5\n"
                            "MAC=02:00:00:00:00:05\n"
                            "ENI_ID=eni-0123456789abcdef0\n"
                            "MESSAGE_ID=" MESSAGE_ID_CONFIG_CHANGED "\n");

        /* A system error carries ERRNO=; our own codes do not (they are no errno) but their
         * text is in the message. */
        log_context_set(NULL, NULL, NULL);
        assert_int_equal(log_error_errno(-EACCES, "Cannot write to %s: %m", "/run/x"), -EACCES);
        receive(buf, sizeof buf);
        assert_string_equal(buf, "MESSAGE=Cannot write to /run/x: Permission denied\nPRIORITY=3\n"
                                 "SYSLOG_IDENTIFIER=test-journal\nERRNO=13\n");
        assert_int_equal(log_warning_errno(-EIMDS_DISABLED, "IMDS: %m (100%%)"), -EIMDS_DISABLED);
        receive(buf, sizeof buf);
        assert_string_equal(buf, "MESSAGE=IMDS: IMDS is disabled (HTTP 403) (100%)\nPRIORITY=4\n"
                                 "SYSLOG_IDENTIFIER=test-journal\n");

        /* Below the maximum level: nothing sent. */
        log_debug("not sent");
        assert_int_equal(recv(journal_fd, buf, sizeof buf, MSG_DONTWAIT), -1);
        (void) state;
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_fields) };
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/run/systemd/journal/socket" };

        if (geteuid() != 0) {
                fprintf(stderr, "needs root (a private mount namespace), skipping\n");
                return 77;
        }
        /* Only inside our own mount namespace: the machine's journald is not touched. */
        if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
            (mkdir("/run/systemd", 0755) < 0 && errno != EEXIST) ||
            (mkdir("/run/systemd/journal", 0755) < 0 && errno != EEXIST) ||
            mount("tmpfs", "/run/systemd/journal", "tmpfs", 0, NULL) < 0) {
                perror("namespace setup");
                return 1;
        }
        journal_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (journal_fd < 0 || bind(journal_fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                perror("journal socket");
                return 1;
        }
        return cmocka_run_group_tests(tests, NULL, NULL);
}
