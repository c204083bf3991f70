/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "boot-markers.h"
#include "file-read.h"
#include "file-save.h"
#include "macro.h"

#define NETWORK_CARD_MARKER "network-cards"
#define PRIMARY_MAC_CACHE "primary-mac"
#define IMDS_UNAVAILABLE_MARKER "imds-unavailable"

/* The runtime directory itself must not be a symlink: what we keep there steers later runs
 * (and the cache writes follow it), so a link planted in its place is refused (ELOOP). */
static int runtime_dir_open(const char *runtime_dir) {
        int fd;

        if (!runtime_dir)
                return -ENOENT;
        fd = open(runtime_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? negative_errno() : fd;
}

static int runtime_read(const char *runtime_dir, const char *name, size_t max, char **ret) {
        _cleanup_close_ int fd = -1;

        fd = runtime_dir_open(runtime_dir);
        if (fd < 0)
                return fd;
        return read_file_at(fd, name, max, ret, NULL);
}

static void runtime_write(const char *runtime_dir, const char *name, const char *content) {
        _cleanup_close_ int fd = -1;

        fd = runtime_dir_open(runtime_dir);
        if (fd >= 0)
                (void) file_save_atomic(fd, name, content);
}

int primary_mac_cache_read(const char *runtime_dir, char ret[static MAC_STR_MAX]) {
        _cleanup_free_ char *text = NULL;

        if (runtime_read(runtime_dir, PRIMARY_MAC_CACHE, 64, &text) < 0 || strlen(text) != MAC_STR_MAX ||
            text[MAC_STR_MAX - 1] != '\n')
                return -ENOENT;
        text[MAC_STR_MAX - 1] = '\0';
        return validate_mac(text, ret) < 0 ? -ENOENT : 0;
}

void primary_mac_cache_write(const char *runtime_dir, const char *mac) {
        char line[MAC_STR_MAX + 1];

        snprintf(line, sizeof line, "%s\n", mac);
        runtime_write(runtime_dir, PRIMARY_MAC_CACHE, line);
}

bool imds_unavailable_marked(const char *runtime_dir) {
        _cleanup_free_ char *text = NULL;

        return runtime_read(runtime_dir, IMDS_UNAVAILABLE_MARKER, 64, &text) >= 0;
}

void imds_unavailable_mark(const char *runtime_dir, bool unavailable) {
        runtime_write(runtime_dir, IMDS_UNAVAILABLE_MARKER, unavailable ? "yes\n" : NULL);
}

int network_card_marker_read(const char *runtime_dir) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *s = NULL;

        fd = runtime_dir_open(runtime_dir);
        if (fd < 0 || read_file_at(fd, NETWORK_CARD_MARKER, 16, &s, NULL) < 0)
                return -ENOENT;
        if (streq(s, "yes\n"))
                return 1;
        if (streq(s, "no\n"))
                return 0;
        return -ENOENT;
}

void network_card_marker_write(const char *runtime_dir, bool has_cards) {
        _cleanup_close_ int fd = -1;

        if (!runtime_dir)
                return;
        /* "yes" always wins: once one ENI showed a card, the instance type has them. */
        if (!has_cards && network_card_marker_read(runtime_dir) == 1)
                return;
        fd = runtime_dir_open(runtime_dir);
        if (fd >= 0)
                (void) file_save_atomic(fd, NETWORK_CARD_MARKER, has_cards ? "yes\n" : "no\n");
}
