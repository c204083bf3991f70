/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Monotonic time in microseconds: every wait in this project is bounded by a deadline on
 * CLOCK_MONOTONIC (SPEC §8: unbounded waits piled up processes in 2.x). */

#include <stdint.h>

#define USEC_PER_SEC  ((uint64_t) 1000000ULL)
#define USEC_PER_MSEC ((uint64_t) 1000ULL)

uint64_t now_usec(void);

/* a + b, saturating instead of wrapping, so "now + timeout" never lands in the past. */
static inline uint64_t usec_add(uint64_t a, uint64_t b) {
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Sleeps for usec (resumed after signals). The one sleep of the project: for waits nothing
 * can wake us from (a backoff, a propagation poll); anything the kernel can signal is
 * waited for with fd_wait_readable() instead. */
void sleep_usec(uint64_t usec);

/* Waits until fd is readable or has an error pending, bounded by deadline_usec
 * (CLOCK_MONOTONIC). Returns 1 when ready, 0 when the deadline passed, -errno. */
int fd_wait_readable(int fd, uint64_t deadline_usec);
