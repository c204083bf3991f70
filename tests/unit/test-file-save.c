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

/* Linked with -Wl,--wrap=read: when swap_path is set, the file is replaced by a symlink to
 * swap_target right after it was read to its end, as by someone racing the writer between
 * its comparison and its mode fix. */
ssize_t __real_read(int, void *, size_t);
ssize_t __wrap_read(int, void *, size_t);
static const char *swap_path, *swap_target;

ssize_t __wrap_read(int fd, void *buf, size_t n) {
        ssize_t k = __real_read(fd, buf, n);
        char tmp[PATH_MAX];

        if (k == 0 && swap_path) {
                snprintf(tmp, sizeof tmp, "%s.swap", swap_path);
                assert_int_equal(symlink(swap_target, tmp), 0);
                assert_int_equal(rename(tmp, swap_path), 0);
                swap_path = NULL;
        }
        return k;
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

/* The mode fix of an unchanged file goes to the file that was read, never through a
 * symlink found at its name: here a file we must not touch (0600) would become 0644. */
static void test_mode_fix_not_through_symlink(void **state) {
        _cleanup_close_ int fd = open_dir(state);
        char path[PATH_MAX], hardlink[PATH_MAX], secret[PATH_MAX];
        struct stat st;

        snprintf(path, sizeof path, "%s/c.conf", (char *) *state);
        snprintf(hardlink, sizeof hardlink, "%s/c.link", (char *) *state);
        snprintf(secret, sizeof secret, "%s/secret", (char *) *state);
        assert_int_equal(write_whole_file(secret, "not ours\n"), 0);
        assert_int_equal(chmod(secret, 0600), 0);

        /* A symlink there from the start: replaced by our file, its target left alone. */
        assert_int_equal(symlink(secret, path), 0);
        assert_int_equal(file_save_atomic(fd, "c.conf", "same\n"), 1);
        assert_int_equal(lstat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(stat(secret, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);

        /* The same content with a wrong mode, swapped for a symlink while being compared. */
        assert_int_equal(chmod(path, 0640), 0);
        assert_int_equal(link(path, hardlink), 0);   /* keeps the file we read reachable */
        swap_path = path;
        swap_target = secret;
        assert_int_equal(file_save_atomic(fd, "c.conf", "same\n"), 0);
        assert_null(swap_path);                   /* the swap did happen */
        assert_int_equal(stat(secret, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(stat(hardlink, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
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

        assert_int_equal(file_save_remove_leftovers(fd, (const char *const[]) { "b.conf", NULL }), 0);
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

static void plant(const char *dir, const char *name) {
        char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/%s", dir, name);
        assert_int_equal(write_whole_file(path, "x\n"), 0);
}

static bool planted(const char *dir, const char *name) {
        char path[PATH_MAX];

        snprintf(path, sizeof path, "%s/%s", dir, name);
        return access(path, F_OK) == 0;
}

static void test_temp_name(void **state) {
        assert_true(file_save_is_temp_of(".#eni.conf.0123456789abcdef", "eni.conf"));
        assert_false(file_save_is_temp_of(".#eni.conf.0123456789ABCDEF", "eni.conf"));
        assert_false(file_save_is_temp_of(".#eni.conf.0123456789abcdeg", "eni.conf"));
        assert_false(file_save_is_temp_of(".#eni.conf.0123456789abcde", "eni.conf"));
        assert_false(file_save_is_temp_of(".#eni.conf.0123456789abcdef0", "eni.conf"));
        assert_false(file_save_is_temp_of(".#eni.conf", "eni.conf"));
        assert_false(file_save_is_temp_of(".#eni.conf_0123456789abcdef", "eni.conf"));
        assert_false(file_save_is_temp_of("#eni.conf.0123456789abcdef", "eni.conf"));
        assert_false(file_save_is_temp_of(".#xeni.conf.0123456789abcdef", "eni.conf"));
        assert_false(file_save_is_temp_of(".#eni.conf.0123456789abcdef", "ni.conf"));
}

#define NET(ifname) EC2NET_FILE_PREFIX "-" ifname ".network"

/* A writer killed between creating its temporary file and renaming it leaves the file; the
 * next save or removal of that interface (under the same lock) removes it, from the network
 * directory as from the drop-in directory. Nothing else that starts with ".#" is touched. */
static void test_interface_files_leftovers(void **state) {
        static const char *const ours[] = {
                ".#" NET("eth3") ".0123456789abcdef",
                ".#" NET("eth3") ".fedcba9876543210",
        };
        static const char *const foreign[] = {
                ".#" NET("eth4") ".0123456789abcdef",         /* another interface's writer */
                ".#" NET("eth3") ".0123456789ABCDEF",         /* not what we create */
                ".#" NET("eth3") ".01234567",
                ".#" NET("eth3") ".d.0123456789abcdef",
                ".#" NET("eth") ".0123456789abcdef",
                ".#05-admin.network",
                ".#05-admin.network.0123456789abcdef",
        };
        static const char *const ours_dropin[] = { ".#eni.conf.0123456789abcdef",
                                                   ".#ec2net_alias.conf.0000000000000000" };
        static const char *const foreign_dropin[] = { ".#50-admin.conf", ".#50-admin.conf.0123456789abcdef" };
        RenderedInterface r = {};
        char dropin[PATH_MAX];
        bool changed;

        snprintf(dropin, sizeof dropin, "%s/" NET("eth3") ".d", (char *) *state);
        assert_int_equal(mkdir(dropin, 0755), 0);
        for (size_t i = 0; i < ELEMENTSOF(ours); i++)
                plant(*state, ours[i]);
        for (size_t i = 0; i < ELEMENTSOF(foreign); i++)
                plant(*state, foreign[i]);
        for (size_t i = 0; i < ELEMENTSOF(ours_dropin); i++)
                plant(dropin, ours_dropin[i]);
        for (size_t i = 0; i < ELEMENTSOF(foreign_dropin); i++)
                plant(dropin, foreign_dropin[i]);

        r.content[IFACE_FILE_NETWORK] = strdup("[Match]\n");
        r.content[IFACE_FILE_ENI] = strdup("[Network]\n");
        assert_int_equal(interface_files_save(*state, "eth3", &r, NULL, &changed), 0);
        for (size_t i = 0; i < ELEMENTSOF(ours); i++)
                if (planted(*state, ours[i]))
                        fail_msg("left %s", ours[i]);
        for (size_t i = 0; i < ELEMENTSOF(ours_dropin); i++)
                if (planted(dropin, ours_dropin[i]))
                        fail_msg("left %s", ours_dropin[i]);
        for (size_t i = 0; i < ELEMENTSOF(foreign); i++)
                if (!planted(*state, foreign[i]))
                        fail_msg("removed %s", foreign[i]);
        for (size_t i = 0; i < ELEMENTSOF(foreign_dropin); i++)
                if (!planted(dropin, foreign_dropin[i]))
                        fail_msg("removed %s", foreign_dropin[i]);

        /* The same when the interface goes away. */
        plant(*state, ours[0]);
        plant(dropin, ours_dropin[0]);
        assert_int_equal(interface_files_remove(*state, "eth3", NULL, &changed), 0);
        assert_false(planted(*state, ours[0]));
        assert_false(planted(dropin, ours_dropin[0]));
        for (size_t i = 0; i < ELEMENTSOF(foreign); i++)
                assert_true(planted(*state, foreign[i]));
        for (size_t i = 0; i < ELEMENTSOF(foreign_dropin); i++)
                assert_true(planted(dropin, foreign_dropin[i]));
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
                cmocka_unit_test_setup_teardown(test_mode_fix_not_through_symlink, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crash_before_rename, setup, teardown),
                cmocka_unit_test_setup_teardown(test_interface_files, setup, teardown),
                cmocka_unit_test(test_temp_name),
                cmocka_unit_test_setup_teardown(test_interface_files_leftovers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_interface_files_change_hook, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
