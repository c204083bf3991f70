/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * Locks that die with their holder (flock), never PID files or mkdir spins (SPEC §6, §8).
 * The lock file is removed by its holder on release, so nothing is left behind; a waiter
 * that locked a file which was meanwhile removed notices and locks the new one.
 */

#include <stdint.h>

#include "macro.h"

typedef struct FileLock {
        int fd;
        char *path;
} FileLock;

#define FILE_LOCK_NULL ((FileLock) { .fd = -1 })

/* Waits (bounded by deadline_usec, CLOCK_MONOTONIC) for an exclusive lock on path.
 * -ETIMEDOUT when the deadline passed. */
int file_lock_acquire(const char *path, uint64_t deadline_usec, FileLock *ret);
/* Removes the file and unlocks. Accepts a never-acquired (FILE_LOCK_NULL) lock. */
void file_lock_release(FileLock *l);

/* How many interface locks are held right now (setups in progress). Touches nothing and
 * holds no lock longer than one non-blocking try. */
int interface_locks_count_held(const char *runtime_dir);

/* Removes the lock files whose holder was killed (nobody holds them); returns how many. */
int interface_locks_remove_stale(const char *runtime_dir);

/* Waits until no interface lock is held, woken by the kernel (inotify) when a holder
 * releases or dies, never polling; -ETIMEDOUT when some are still held at the deadline. */
int interface_locks_wait_released(const char *runtime_dir, uint64_t deadline_usec);

/* RUNTIME_DIR/lock/IFACE.lock */
int interface_lock_acquire(const char *runtime_dir, const char *ifname, uint64_t deadline_usec,
                           FileLock *ret);
