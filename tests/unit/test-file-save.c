/* SPDX-License-Identifier: Apache-2.0 */
/* The writer (SPEC §4): atomic, 0644, untouched when unchanged, removed when empty, and a
 * crash between writing the temporary file and renaming it leaves the old file intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/wait.h>

#include "build-config.h"
#include "file-save.h"
#include "interface-files.h"
#include "macro.h"
#include "tree-util.h"

/* Linked with -Wl,--wrap=renameat: a child process "crashes" right before the rename. */
int __real_renameat(int, const char *, int, const char *);
int __wrap_renameat(int, const char *, int, const char *);
static bool crash_before_rename;

int __wrap_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
        if (crash_before_rename)
                _exit(99);
        return __real_renameat(olddirfd, oldpath, newdirfd, newpath);
}

static int setup(void **state) {
        *state = make_temp_dir();
        return *state ? 0 : -1;
}

static int teardown(void **state) {
        rm_rf(*state);
        free(*state);
        return 0;
}

static int open_dir(void **state) {
        int fd = open(*state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        assert_true(fd >= 0);
        return fd;
}

static void test_write_unchanged_remove(void **state) {
        _cleanup_close_ int fd = open_dir(state);
        char path[PATH_MAX];
        struct stat st1, st2;
        _cleanup_free_ char *c = NULL;
        mode_t old_umask = umask(077);

        snprintf(path, sizeof path, "%s/a.conf", (char *) *state);
        assert_int_equal(file_save_atomic(fd, "a.conf", "one\n"), 1);
        umask(old_umask);
        assert_int_equal(stat(path, &st1), 0);
        assert_int_equal(st1.st_mode & 07777, 0644);   /* not the umask's 0600 */
        c = read_whole_file(path);
        assert_string_equal(c, "one\n");

        /* Same content: no write at all (same inode, so networkd sees no change). */
        assert_int_equal(file_save_atomic(fd, "a.conf", "one\n"), 0);
        assert_int_equal(stat(path, &st2), 0);
        assert_int_equal(st1.st_ino, st2.st_ino);

        assert_int_equal(file_save_atomic(fd, "a.conf", "two\n"), 1);
        assert_int_equal(stat(path, &st2), 0);
        assert_int_not_equal(st1.st_ino, st2.st_ino);

        /* Empty content removes; removing again changes nothing. */
        assert_int_equal(file_save_atomic(fd, "a.conf", ""), 1);
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(file_save_atomic(fd, "a.conf", NULL), 0);

        assert_int_equal(file_save_atomic(fd, "../escape", "x"), -EINVAL);
        assert_int_equal(file_save_atomic(fd, "", "x"), -EINVAL);
}

static void test_crash_before_rename(void **state) {
        _cleanup_close_ int fd = open_dir(state);
        char path[PATH_MAX];
        _cleanup_free_ char *c = NULL;
        int status, leftovers = 0;
        struct dirent *de;
        pid_t pid;
        DIR *d;

        snprintf(path, sizeof path, "%s/b.conf", (char *) *state);
        assert_int_equal(file_save_atomic(fd, "b.conf", "old\n"), 1);

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                crash_before_rename = true;
                (void) file_save_atomic(fd, "b.conf", "new\n");
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 99);

        c = read_whole_file(path);
        assert_string_equal(c, "old\n");
        d = opendir(*state);
        while ((de = readdir(d)))
                leftovers += strncmp(de->d_name, ".#", 2) == 0;
        closedir(d);
        assert_int_equal(leftovers, 1);

        assert_int_equal(file_save_remove_leftovers(fd), 0);
        d = opendir(*state);
        leftovers = 0;
        while ((de = readdir(d)))
                leftovers += strncmp(de->d_name, ".#", 2) == 0;
        closedir(d);
        assert_int_equal(leftovers, 0);
}

static void test_interface_files(void **state) {
        RenderedInterface r = {};
        char path[PATH_MAX];
        bool changed;

        r.content[IFACE_FILE_NETWORK] = strdup("[Match]\n");
        r.content[IFACE_FILE_ENI] = strdup("[Network]\n");
        r.content[IFACE_FILE_ALIAS] = strdup("[Address]\n");
        assert_int_equal(interface_files_save(*state, "eth1", &r, NULL, &changed), 0);
        assert_true(changed);
        assert_int_equal(interface_files_exist(*state, "eth1"), 1);

        /* A list that became empty removes its file. */
        free(r.content[IFACE_FILE_ALIAS]);
        r.content[IFACE_FILE_ALIAS] = NULL;
        assert_int_equal(interface_files_save(*state, "eth1", &r, NULL, &changed), 0);
        assert_true(changed);
        snprintf(path, sizeof path, "%s/" EC2NET_FILE_PREFIX "-eth1.network.d/ec2net_alias.conf", (char *) *state);
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(interface_files_save(*state, "eth1", &r, NULL, &changed), 0);
        assert_false(changed);

        assert_int_equal(interface_files_save(*state, "../etc", &r, NULL, &changed), -EINVAL);

        /* An administrator's file in the drop-in directory survives removal. */
        snprintf(path, sizeof path, "%s/" EC2NET_FILE_PREFIX "-eth1.network.d/admin.conf", (char *) *state);
        assert_int_equal(write_whole_file(path, "[Network]\n"), 0);
        assert_int_equal(interface_files_remove(*state, "eth1", NULL, &changed), 0);
        assert_true(changed);
        assert_int_equal(interface_files_exist(*state, "eth1"), 0);
        assert_int_equal(access(path, F_OK), 0);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(interface_files_remove(*state, "eth1", NULL, &changed), 0);
        assert_false(changed);
        rendered_interface_done(&r);
}

typedef struct HookProbe {
        const char *dir;
        int calls;
        int network_file_existed;   /* at the time of the (last) call */
        int fail_with;
} HookProbe;

static int probe_before_change(void *userdata) {
        HookProbe *p = userdata;

        p->calls++;
        p->network_file_existed = interface_files_exist(p->dir, "eth2");
        return p->fail_with;
}

/* The hook runs once before the first change, never when nothing changes, and an error
 * from it stops the change. */
static void test_interface_files_change_hook(void **state) {
        RenderedInterface r = {};
        HookProbe probe = { .dir = *state };
        FilesChangeHook hook = { probe_before_change, &probe };
        char path[PATH_MAX];
        bool changed;

        r.content[IFACE_FILE_NETWORK] = strdup("[Match]\n");
        r.content[IFACE_FILE_ENI] = strdup("[Network]\n");
        assert_int_equal(interface_files_save(*state, "eth2", &r, &hook, &changed), 0);
        assert_true(changed);
        assert_int_equal(probe.calls, 1);
        assert_int_equal(probe.network_file_existed, 0);

        assert_int_equal(interface_files_save(*state, "eth2", &r, &hook, &changed), 0);
        assert_false(changed);
        assert_int_equal(probe.calls, 1);

        /* Same bytes but the wrong mode: mended, announced (harmless), not a change. */
        snprintf(path, sizeof path, "%s/" EC2NET_FILE_PREFIX "-eth2.network", (char *) *state);
        assert_int_equal(chmod(path, 0600), 0);
        assert_int_equal(interface_files_save(*state, "eth2", &r, &hook, &changed), 0);
        assert_int_equal(probe.calls, 2);

        free(r.content[IFACE_FILE_ENI]);
        r.content[IFACE_FILE_ENI] = strdup("[Network]\nDHCP=no\n");
        probe.fail_with = -EIO;
        assert_int_equal(interface_files_save(*state, "eth2", &r, &hook, &changed), -EIO);
        assert_int_equal(probe.calls, 3);
        probe.fail_with = 0;
        assert_int_equal(interface_files_save(*state, "eth2", &r, &hook, &changed), 0);
        assert_true(changed);
        assert_int_equal(probe.calls, 4);

        assert_int_equal(interface_files_remove(*state, "eth2", &hook, &changed), 0);
        assert_true(changed);
        assert_int_equal(probe.calls, 5);
        assert_int_equal(probe.network_file_existed, 1);
        assert_int_equal(interface_files_remove(*state, "eth2", &hook, &changed), 0);
        assert_false(changed);
        assert_int_equal(probe.calls, 5);
        rendered_interface_done(&r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_write_unchanged_remove, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crash_before_rename, setup, teardown),
                cmocka_unit_test_setup_teardown(test_interface_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_interface_files_change_hook, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
