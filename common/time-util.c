/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <time.h>

#include "time-util.h"

uint64_t now_usec(void) {
        struct timespec ts;

        /* CLOCK_MONOTONIC cannot fail with a valid pointer; it does not jump when the wall
         * clock is set (chrony stepping the clock at boot must not shorten a deadline). */
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000U;
}

void sleep_usec(uint64_t usec) {
        struct timespec ts = { .tv_sec = (time_t) (usec / USEC_PER_SEC),
                               .tv_nsec = (long) (usec % USEC_PER_SEC) * 1000 };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int fd_wait_readable(int fd, uint64_t deadline_usec) {
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                uint64_t now = now_usec(), remaining = deadline_usec > now ? deadline_usec - now : 0;
                int timeout_ms, r;

                /* Rounded up: poll() must not return before the deadline and make us spin. */
                if (remaining / USEC_PER_MSEC >= INT_MAX)
                        timeout_ms = INT_MAX;
                else
                        timeout_ms = (int) ((remaining + USEC_PER_MSEC - 1) / USEC_PER_MSEC);

                r = poll(&p, 1, timeout_ms);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno > 0 ? -errno : -EIO;
                }
                if (r > 0)
                        return 1;
                if (remaining == 0 || now_usec() >= deadline_usec)
                        return 0;
        }
}
