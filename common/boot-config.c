/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot-config.h"
#include "file-read.h"
#include "file-save.h"
#include "interface-files.h"
#include "log.h"
#include "macro.h"
#include "render.h"
#include "validate.h"

#define BOOT_CONFIG_DIR "boot-config"
#define BOOT_CONFIG_OWNER "owner"
#define BOOT_CONFIG_FILE_MAX (64U * 1024U)

/* The name a file is kept under: "network", "eni.conf", ... */
static const char *kept_name(InterfaceFile f) {
        return f == IFACE_FILE_NETWORK ? "network" : interface_file_basename(f);
}

static int open_kept_dir(const char *state_dir, bool create, int *ret) {
        int fd;

        if (create && mkdir(state_dir, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        fd = file_save_open_subdir(state_dir, BOOT_CONFIG_DIR, create);
        if (fd < 0)
                return fd;
        *ret = fd;
        return 0;
}

/* One kept or generated file: ours for ifname, text only, bounded. NULL content when absent. */
static int read_ours(int dir_fd, const char *name, const char *ifname, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r;

        *ret = NULL;
        r = read_file_at(dir_fd, name, BOOT_CONFIG_FILE_MAX, &text, &size);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (strlen(text) != size || !rendered_file_is_ours(text, ifname))
                return -EBADMSG;
        *ret = TAKE_PTR(text);
        return 0;
}

/* Keeps files (validated by the caller) for the MAC canonical and ifname. */
static int keep(const char *state_dir, const char *ifname, const char *canonical, const RenderedInterface *files) {
        _cleanup_close_ int kept_fd = -1;
        _cleanup_free_ char *owner = NULL;
        bool current;
        int r;

        r = open_kept_dir(state_dir, true, &kept_fd);
        if (r < 0)
                return log_debug_errno(r, "Failed to open %s/" BOOT_CONFIG_DIR ": %m", state_dir);
        if (asprintf(&owner, "%s %s\n", canonical, ifname) < 0)
                return -ENOMEM;
        /* Kept already (a refresh that changed nothing of it): the disk is not written. */
        current = file_save_is_current(kept_fd, BOOT_CONFIG_OWNER, owner) > 0;
        for (int f = 0; current && f < _IFACE_FILE_MAX; f++)
                current = file_save_is_current(kept_fd, kept_name(f), files->content[f]) > 0;
        if (current)
                return 0;
        /* The owner last, removed first: a save cut short leaves nothing that is restored. */
        if (unlinkat(kept_fd, BOOT_CONFIG_OWNER, 0) < 0 && errno != ENOENT)
                return negative_errno();
        for (int f = 0; f < _IFACE_FILE_MAX; f++) {
                r = file_save_atomic(kept_fd, kept_name(f), files->content[f]);
                if (r < 0)
                        return r;
        }
        r = file_save_atomic(kept_fd, BOOT_CONFIG_OWNER, owner);
        return r < 0 ? r : 0;
}

int boot_config_save(const char *state_dir, const char *network_dir, const char *ifname, const char *mac) {
        _cleanup_(rendered_interface_done) RenderedInterface files = {};
        _cleanup_close_ int net_fd = -1;
        char canonical[MAC_STR_MAX], name[PATH_MAX];
        int r;

        if (!ifname_is_valid(ifname) || validate_mac(mac, canonical) < 0)
                return -EINVAL;
        net_fd = open(network_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (net_fd < 0)
                return negative_errno();
        for (int f = 0; f < _IFACE_FILE_MAX; f++) {
                r = interface_file_name(ifname, f, name, sizeof name);
                if (r < 0)
                        return r;
                r = read_ours(net_fd, name, ifname, &files.content[f]);
                if (r < 0)
                        return log_debug_errno(r, "Not keeping %s/%s: %m", network_dir, name);
        }
        if (!files.content[IFACE_FILE_NETWORK] || rendered_file_is_hold(files.content[IFACE_FILE_NETWORK], ifname))
                return -ENOENT;
        return keep(state_dir, ifname, canonical, &files);
}

int boot_config_save_rendered(const char *state_dir, const char *ifname, const char *mac,
                              const RenderedInterface *r) {
        char canonical[MAC_STR_MAX];

        if (!ifname_is_valid(ifname) || validate_mac(mac, canonical) < 0)
                return -EINVAL;
        if (!r->content[IFACE_FILE_NETWORK] || rendered_file_is_hold(r->content[IFACE_FILE_NETWORK], ifname))
                return -ENOENT;
        for (int f = 0; f < _IFACE_FILE_MAX; f++)
                if (r->content[f] && (strlen(r->content[f]) > BOOT_CONFIG_FILE_MAX ||
                                      !rendered_file_is_ours(r->content[f], ifname)))
                        return -EBADMSG;
        return keep(state_dir, ifname, canonical, r);
}

int boot_config_restore(const char *state_dir, const char *network_dir, const char *ifname, const char *mac,
                        bool *ret_restored) {
        _cleanup_(rendered_interface_done) RenderedInterface files = {};
        _cleanup_close_ int kept_fd = -1, net_fd = -1;
        _cleanup_free_ char *owner = NULL;
        char canonical[MAC_STR_MAX], expected[MAC_STR_MAX + IFNAME_MAX + 2], name[PATH_MAX];
        struct stat st;
        int r;

        *ret_restored = false;
        if (!ifname_is_valid(ifname) || validate_mac(mac, canonical) < 0)
                return -EINVAL;
        r = open_kept_dir(state_dir, false, &kept_fd);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        r = read_file_at(kept_fd, BOOT_CONFIG_OWNER, 128, &owner, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        snprintf(expected, sizeof expected, "%s %s\n", canonical, ifname);
        if (!streq(owner, expected)) {
                log_debug("Kept configuration is for \"%.*s\", not %s %s.", (int) strcspn(owner, "\n"), owner,
                          canonical, ifname);
                return 0;
        }
        for (int f = 0; f < _IFACE_FILE_MAX; f++) {
                r = read_ours(kept_fd, kept_name(f), ifname, &files.content[f]);
                if (r < 0)
                        return log_debug_errno(r, "Not restoring %s/%s: %m", state_dir, kept_name(f));
        }
        if (!files.content[IFACE_FILE_NETWORK])
                return 0;

        r = interface_file_name(ifname, IFACE_FILE_NETWORK, name, sizeof name);
        if (r < 0)
                return r;
        if (mkdir(network_dir, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        net_fd = open(network_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (net_fd < 0)
                return negative_errno();
        if (fstatat(net_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                return 0;   /* something is there: not ours to replace */
        r = interface_files_save(network_dir, ifname, &files, NULL, NULL);
        if (r < 0)
                return r;
        *ret_restored = true;
        return 0;
}
