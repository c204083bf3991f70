/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build-config.h"
#include "file-read.h"
#include "file-save.h"
#include "interface-files.h"
#include "log.h"
#include "macro.h"
#include "strv.h"
#include "validate.h"

static int open_dir(const char *path, bool create, int *ret) {
        int fd;

        if (create && mkdir(path, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        *ret = fd;
        return 0;
}

/* The caller holds the interface lock, which every writer of these files holds: a temporary
 * file of ours for this interface is from a writer that was killed. Another interface's, or
 * anyone else's, is left alone. */
static void remove_leftovers(int net_fd, int dropin_fd, const char *ifname) {
        const char *dropin_files[_IFACE_FILE_MAX + 1] = {};
        char network[PATH_MAX];
        size_t n = 0;

        if (interface_file_name(ifname, IFACE_FILE_NETWORK, network, sizeof network) >= 0)
                (void) file_save_remove_leftovers(net_fd, (const char *const[]) { network, NULL });
        if (dropin_fd < 0)
                return;
        for (int f = 0; f < _IFACE_FILE_MAX; f++)
                if (interface_file_basename(f))
                        dropin_files[n++] = interface_file_basename(f);
        (void) file_save_remove_leftovers(dropin_fd, dropin_files);
}

static int hook_run(const FilesChangeHook *hook, bool *called) {
        int r;

        if (*called || !hook || !hook->before_change)
                return 0;
        r = hook->before_change(hook->userdata);
        if (r < 0)
                return r;
        *called = true;
        return 0;
}

int interface_files_save(const char *network_dir, const char *ifname, const RenderedInterface *r,
                         const FilesChangeHook *hook, bool *ret_changed) {
        _cleanup_close_ int net_fd = -1, dropin_fd = -1;
        char dropin[PATH_MAX], name[PATH_MAX];
        bool changed = false, hook_called = false;
        int k;

        if (!ifname_is_valid(ifname))
                return -EINVAL;
        k = open_dir(network_dir, true, &net_fd);
        if (k < 0)
                return log_debug_errno(k, "Failed to open %s: %m", network_dir);
        k = interface_dropin_dir_name(ifname, dropin, sizeof dropin);
        if (k < 0)
                return k;
        if (mkdirat(net_fd, dropin, 0755) < 0 && errno != EEXIST)
                return log_debug_errno(errno, "Failed to create %s/%s: %m", network_dir, dropin);
        dropin_fd = openat(net_fd, dropin, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dropin_fd < 0)
                return log_debug_errno(errno, "Failed to open %s/%s: %m", network_dir, dropin);

        remove_leftovers(net_fd, dropin_fd, ifname);

        /* Drop-ins first, the .network file last: networkd applies nothing of a drop-in
         * directory until its .network file exists. */
        for (int f = _IFACE_FILE_MAX - 1; f >= 0; f--) {
                int dir_fd = f == IFACE_FILE_NETWORK ? net_fd : dropin_fd;

                if (f == IFACE_FILE_NETWORK)
                        k = interface_file_name(ifname, f, name, sizeof name);
                else
                        k = snprintf(name, sizeof name, "%s", interface_file_basename(f)) < 0 ? -EINVAL : 0;
                if (k < 0)
                        return k;
                if (file_save_is_current(dir_fd, name, r->content[f]))
                        continue;
                k = hook_run(hook, &hook_called);
                if (k < 0)
                        return k;
                k = file_save_atomic(dir_fd, name, r->content[f]);
                if (k < 0)
                        return log_debug_errno(k, "Failed to update %s: %m", name);
                if (k > 0) {
                        log_debug("%s %s.", r->content[f] ? "Wrote" : "Removed", name);
                        changed = true;
                }
        }

        if (ret_changed)
                *ret_changed = changed;
        return 0;
}

int interface_files_remove(const char *network_dir, const char *ifname,
                           const FilesChangeHook *hook, bool *ret_changed) {
        _cleanup_close_ int net_fd = -1, dropin_fd = -1;
        char dropin[PATH_MAX], name[PATH_MAX];
        bool changed = false, hook_called = false;
        struct stat st;
        int k;

        if (!ifname_is_valid(ifname))
                return -EINVAL;
        k = open_dir(network_dir, false, &net_fd);
        if (k == -ENOENT) {
                if (ret_changed)
                        *ret_changed = false;
                return 0;
        }
        if (k < 0)
                return k;

        /* The .network file first, so networkd never sees the drop-ins without it. */
        k = interface_file_name(ifname, IFACE_FILE_NETWORK, name, sizeof name);
        if (k < 0)
                return k;
        k = interface_dropin_dir_name(ifname, dropin, sizeof dropin);
        if (k < 0)
                return k;
        dropin_fd = openat(net_fd, dropin, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

        /* Something of ours is there: announce the change before making it. */
        if (fstatat(net_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                k = hook_run(hook, &hook_called);
        for (int f = 0; k >= 0 && dropin_fd >= 0 && f < _IFACE_FILE_MAX; f++)
                if (interface_file_basename(f) &&
                    fstatat(dropin_fd, interface_file_basename(f), &st, AT_SYMLINK_NOFOLLOW) == 0)
                        k = hook_run(hook, &hook_called);
        if (k < 0)
                return k;

        if (unlinkat(net_fd, name, 0) == 0)
                changed = true;
        else if (errno != ENOENT)
                return negative_errno();
        remove_leftovers(net_fd, dropin_fd, ifname);

        if (dropin_fd >= 0) {
                for (int f = 0; f < _IFACE_FILE_MAX; f++)
                        if (interface_file_basename(f) &&
                            unlinkat(dropin_fd, interface_file_basename(f), 0) == 0)
                                changed = true;
                /* A file an administrator put there stays, and so does the directory. */
                if (unlinkat(net_fd, dropin, AT_REMOVEDIR) < 0 && errno != ENOTEMPTY)
                        log_debug_errno(errno, "Failed to remove %s: %m", dropin);
        }

        if (ret_changed)
                *ret_changed = changed;
        return 0;
}

int interface_files_interfaces(const char *network_dir, char ***ret) {
        _cleanup_strv_free_ char **found = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        size_t prefix = strlen(EC2NET_FILE_PREFIX "-");
        struct dirent *de;
        int r;

        found = calloc(1, sizeof(char *));
        if (!found)
                return -ENOMEM;
        d = opendir(network_dir);
        if (!d && errno != ENOENT)
                return negative_errno();
        while (d && (de = readdir(d))) {
                char ifname[IFNAME_MAX + sizeof ".network.d"], network[PATH_MAX], dropin[PATH_MAX];
                char *dot;

                if (strncmp(de->d_name, EC2NET_FILE_PREFIX "-", prefix) != 0 ||
                    strlen(de->d_name + prefix) >= sizeof ifname)
                        continue;
                strcpy(ifname, de->d_name + prefix);
                dot = strstr(ifname, ".network");
                if (!dot)
                        continue;
                *dot = '\0';
                /* Exactly one of our two names for it, nothing else that starts alike. */
                if (!ifname_is_valid(ifname) ||
                    interface_file_name(ifname, IFACE_FILE_NETWORK, network, sizeof network) < 0 ||
                    interface_dropin_dir_name(ifname, dropin, sizeof dropin) < 0 ||
                    !(streq(de->d_name, network) || streq(de->d_name, dropin)))
                        continue;
                if (strv_contains(found, ifname))
                        continue;
                r = strv_extend(&found, ifname);
                if (r < 0)
                        return r;
        }
        strv_sort(found);
        *ret = TAKE_PTR(found);
        return 0;
}

/* A regular file that begins with our header for ifname. */
static bool generated_by_us(int dir_fd, const char *name, const char *ifname) {
        _cleanup_free_ char *text = NULL;

        return read_file_at(dir_fd, name, FILE_SAVE_MAX_SIZE, &text, NULL) >= 0 &&
               rendered_file_is_ours(text, ifname);
}

int interface_files_remove_generated(const char *network_dir, const char *ifname, bool *ret_changed) {
        _cleanup_close_ int net_fd = -1, dropin_fd = -1;
        char dropin[PATH_MAX], name[PATH_MAX];
        bool changed = false;
        int k;

        if (!ifname_is_valid(ifname))
                return -EINVAL;
        k = open_dir(network_dir, false, &net_fd);
        if (k == -ENOENT)
                goto done;
        if (k < 0)
                return k;
        k = interface_file_name(ifname, IFACE_FILE_NETWORK, name, sizeof name);
        if (k < 0)
                return k;
        k = interface_dropin_dir_name(ifname, dropin, sizeof dropin);
        if (k < 0)
                return k;
        dropin_fd = openat(net_fd, dropin, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

        /* The .network file first, so networkd never sees the drop-ins without it. */
        if (generated_by_us(net_fd, name, ifname)) {
                if (unlinkat(net_fd, name, 0) < 0 && errno != ENOENT)
                        return negative_errno();
                changed = true;
        }
        remove_leftovers(net_fd, dropin_fd, ifname);
        if (dropin_fd >= 0) {
                for (int f = 0; f < _IFACE_FILE_MAX; f++) {
                        const char *base = interface_file_basename(f);

                        if (!base || !generated_by_us(dropin_fd, base, ifname))
                                continue;
                        if (unlinkat(dropin_fd, base, 0) < 0 && errno != ENOENT)
                                return negative_errno();
                        changed = true;
                }
                if (unlinkat(net_fd, dropin, AT_REMOVEDIR) < 0 && !IN_SET(errno, ENOTEMPTY, EEXIST, ENOENT))
                        log_debug_errno(errno, "Failed to remove %s: %m", dropin);
        }
done:
        if (ret_changed)
                *ret_changed = changed;
        return 0;
}

int interface_files_owner_mac(const char *network_dir, const char *ifname, char ret[static MAC_STR_MAX]) {
        _cleanup_close_ int net_fd = -1;
        _cleanup_free_ char *text = NULL;
        char name[PATH_MAX];
        bool in_match = false;
        int k;

        k = interface_file_name(ifname, IFACE_FILE_ENI, name, sizeof name);
        if (k < 0)
                return k;
        k = open_dir(network_dir, false, &net_fd);
        if (k < 0)
                return k;
        k = read_file_at(net_fd, name, 64 * 1024, &text, NULL);
        if (k < 0)
                return k;
        /* Our own rendering, read back like anything else from disk: the first
         * MACAddress= of a [Match] section, and only a valid MAC. */
        for (char *line = text, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                if (line[0] == '[')
                        in_match = streq(line, "[Match]");
                else if (in_match && strncmp(line, "MACAddress=", strlen("MACAddress=")) == 0)
                        return validate_mac(line + strlen("MACAddress="), ret) < 0 ? -EBADMSG : 0;
        }
        return -EBADMSG;
}

int interface_files_exist(const char *network_dir, const char *ifname) {
        char path[PATH_MAX], name[PATH_MAX];
        int k;

        k = interface_file_name(ifname, IFACE_FILE_NETWORK, name, sizeof name);
        if (k < 0)
                return k;
        if (snprintf(path, sizeof path, "%s/%s", network_dir, name) >= (int) sizeof path)
                return -ENAMETOOLONG;
        return access(path, F_OK) == 0;
}
