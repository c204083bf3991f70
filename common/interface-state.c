/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "file-read.h"
#include "file-save.h"
#include "interface-state.h"
#include "log.h"
#include "run-record.h"

#define STATE_DIR "interfaces"
#define STATE_FILE_MAX (64 * 1024)

void interface_state_done(InterfaceState *s) {
        eni_done(&s->eni);
}

static int state_dir_open(const char *runtime_dir, bool create) {
        char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/" STATE_DIR, runtime_dir);
        if (create && mkdir(path, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

int interface_state_read(const char *runtime_dir, const char *ifname, InterfaceState *ret) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        _cleanup_(interface_state_done) InterfaceState s = {};
        char name[PATH_MAX];
        json_auto_t *j = NULL;
        int r;

        fd = state_dir_open(runtime_dir, false);
        if (fd < 0)
                return -ENOENT;
        snprintf(name, sizeof name, "%s.json", ifname);
        r = read_file_at(fd, name, STATE_FILE_MAX, &text, NULL);
        if (r < 0)
                return r;
        j = json_loads(text, 0, NULL);
        /* The state is ours, but is validated like anything else read back from disk. */
        r = eni_from_json(json_object_get(j, "eni"), &s.eni);
        if (r < 0)
                return log_debug_errno(r, "Ignoring invalid state file %s.", name);
        s.has_ipv4 = json_is_true(json_object_get(j, "has_ipv4"));
        s.has_ipv6 = json_is_true(json_object_get(j, "has_ipv6"));
        if (json_is_string(json_object_get(j, "shadowed_by")))
                snprintf(s.shadowed_by, sizeof s.shadowed_by, "%s",
                         json_string_value(json_object_get(j, "shadowed_by")));
        *ret = s;
        s = (InterfaceState) {};
        return 0;
}

int interface_state_load(const char *runtime_dir, const char *ifname, const char *mac, InterfaceState *ret) {
        _cleanup_(interface_state_done) InterfaceState s = {};
        int r;

        r = interface_state_read(runtime_dir, ifname, &s);
        if (r < 0)
                return r;
        if (!streq(s.eni.mac, mac))
                return log_debug_errno(-ESTALE, "State of %s is for MAC %s, not %s.", ifname, s.eni.mac, mac);
        *ret = s;
        s = (InterfaceState) {};
        return 0;
}

int interface_state_save(const char *runtime_dir, const char *ifname, const InterfaceState *s) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        json_auto_t *eni = NULL, *j = NULL;
        char name[PATH_MAX];
        int r;

        r = eni_to_json(&s->eni, &eni);
        if (r < 0)
                return r;
        j = json_pack("{s:O, s:b, s:b, s:s}", "eni", eni, "has_ipv4", s->has_ipv4, "has_ipv6", s->has_ipv6,
                      "shadowed_by", s->shadowed_by);
        text = j ? json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(1)) : NULL;
        if (!text)
                return -ENOMEM;
        fd = state_dir_open(runtime_dir, true);
        if (fd < 0)
                return negative_errno();
        snprintf(name, sizeof name, "%s.json", ifname);
        /* A run killed while saving left its temporary file: ours to remove, under the lock. */
        (void) file_save_remove_leftovers(fd, (const char *const[]) { name, NULL });
        r = file_save_atomic(fd, name, text);
        return r < 0 ? r : 0;
}

void interface_state_remove(const char *runtime_dir, const char *ifname) {
        _cleanup_close_ int fd = state_dir_open(runtime_dir, false);
        char name[PATH_MAX];

        snprintf(name, sizeof name, "%s.json", ifname);
        if (fd >= 0) {
                (void) file_save_remove_leftovers(fd, (const char *const[]) { name, NULL });
                (void) file_save_atomic(fd, name, NULL);
        }
        run_record_remove(runtime_dir, ifname);
}

int interface_state_mtime(const char *runtime_dir, const char *ifname, uint64_t *ret_usec) {
        _cleanup_close_ int fd = state_dir_open(runtime_dir, false);
        char name[PATH_MAX];
        struct stat st;

        if (fd < 0)
                return -ENOENT;
        snprintf(name, sizeof name, "%s.json", ifname);
        if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        *ret_usec = (uint64_t) st.st_mtim.tv_sec * USEC_PER_SEC + (uint64_t) st.st_mtim.tv_nsec / 1000;
        return 0;
}

void interface_state_note_addresses(InterfaceState *s, const LinkAddresses *now) {
        s->has_ipv4 = s->has_ipv4 || s->eni.ipv4s[0] || now->has_global_ipv4;
        s->has_ipv6 = s->has_ipv6 || s->eni.ipv6s[0] || now->has_global_ipv6;
}

int interface_state_render(const InterfaceState *s, const Config *config, const char *ifname,
                           RenderedInterface *ret) {
        RenderSettings settings = {
                .drivers = config->drivers,
                .policy_rules = config->policy_rules,
                .secondary_addresses = config->secondary_addresses,
        };
        RenderInput in = {
                .ifname = ifname,
                .eni = &s->eni,
                .has_ipv4 = s->has_ipv4,
                .has_ipv6 = s->has_ipv6,
        };

        return render_interface(&in, &settings, ret);
}
