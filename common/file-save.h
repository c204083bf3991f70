/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The one writer of generated files (SPEC §4): the content goes to a temporary file in the
 * target directory which is then renamed over the target, so a reader (networkd) or a crash
 * never sees a half-written file; mode 0644; identical content is not rewritten; a file
 * whose content would be empty is removed. A symlink at the target's name is replaced,
 * never followed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FILE_SAVE_MAX_SIZE (1024 * 1024)
#define FILE_SAVE_TEMP_PREFIX ".#"
#define FILE_SAVE_TEMP_SUFFIX_LEN 16   /* lower-case hex digits after PREFIX NAME "." */

/* A directory of state under parent (never through a symbolic link): name, created (0755)
 * first when create is set. Returns its descriptor or a negative errno (-ENOENT when it or
 * parent does not exist and create is not set). */
int file_save_open_subdir(const char *parent, const char *name, bool create);

/* Returns 1 when the file changed (written or removed), 0 when it already had that
 * content (or was already absent for NULL/empty content), negative errno on failure. */
int file_save_atomic(int dir_fd, const char *name, const char *content);
/* The same with another mode than 0644 (0600 for secrets such as the IMDS token). */
int file_save_atomic_mode(int dir_fd, const char *name, const char *content, mode_t mode);

/* 1 when file_save_atomic() would do nothing: the file has exactly this content and mode
 * 0644 (or, for NULL/empty content, does not exist); 0 otherwise. Touches nothing. */
int file_save_is_current(int dir_fd, const char *name, const char *content);

/* Is name a temporary file of file_save_atomic() for target (FILE_SAVE_TEMP_PREFIX target
 * "." and FILE_SAVE_TEMP_SUFFIX_LEN hex digits)? */
bool file_save_is_temp_of(const char *name, const char *target);
/* Removes from dir_fd the temporary files a killed writer left for the files named in
 * targets (NULL-terminated), and nothing else. Only call it holding the lock that every
 * writer of these files holds: a live writer's temporary file looks the same. */
int file_save_remove_leftovers(int dir_fd, const char *const *targets);
