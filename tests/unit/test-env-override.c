/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The test overrides of the environment: an empty value is unset, a path must be absolute
 * and climb nowhere, and a program that runs with more privileges than its caller (here:
 * setgid, so the kernel marks the exec AT_SECURE) ignores every one of them, wherever in the
 * library it is read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "build-config.h"
#include "config.h"
#include "env-override.h"
#include "kernel-cmdline.h"
#include "log.h"
#include "macro.h"
#include "runtime-paths.h"
#include "tree-util.h"

#define NAME "EC2NET_TEST_OVERRIDE"

static void test_env_override(void **state) {
        char long_path[ENV_OVERRIDE_PATH_MAX + 2];

        assert_int_equal(unsetenv(NAME), 0);
        assert_null(env_override(NAME));
        assert_null(env_override_path(NAME));

        assert_int_equal(setenv(NAME, "", 1), 0);
        assert_null(env_override(NAME));
        assert_null(env_override_path(NAME));

        assert_int_equal(setenv(NAME, "debug", 1), 0);
        assert_string_equal(env_override(NAME), "debug");
        assert_null(env_override_path(NAME));   /* not absolute */

        static const char *const good[] = { "/", "/run/x", "/tmp/a..b/..c/c..", "/a/./b", "/a/" };
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                assert_int_equal(setenv(NAME, good[i], 1), 0);
                assert_non_null(env_override_path(NAME));
                assert_string_equal(env_override_path(NAME), good[i]);
        }
        static const char *const bad[] = { "run/x", "./x", "/a/../etc", "/..", "/a/..",
                                           "/../a", "/a\nb", "/a\rb", "/a\tb", "/a\x7f" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                assert_int_equal(setenv(NAME, bad[i], 1), 0);
                if (env_override_path(NAME))
                        fail_msg("accepted path '%s'", bad[i]);
                assert_string_equal(env_override(NAME), bad[i]);
        }

        memset(long_path, 'a', sizeof long_path - 1);
        long_path[0] = '/';
        long_path[ENV_OVERRIDE_PATH_MAX] = '\0';
        assert_int_equal(setenv(NAME, long_path, 1), 0);
        assert_non_null(env_override_path(NAME));
        long_path[ENV_OVERRIDE_PATH_MAX] = 'a';
        long_path[ENV_OVERRIDE_PATH_MAX + 1] = '\0';
        assert_int_equal(setenv(NAME, long_path, 1), 0);
        assert_null(env_override_path(NAME));
        assert_int_equal(unsetenv(NAME), 0);
}

/* Run as the setgid copy: what the library makes of the overrides, one per line. */
static int secure_child(void) {
        _cleanup_(config_done) Config config = {};
        RuntimePaths paths;

        runtime_paths_get(&paths);
        log_parse_environment();
        if (config_init_defaults(&config) < 0 || config_load(&config) < 0)
                return 1;
        printf("secure=%lu\n", getauxval(AT_SECURE));
        printf("override=%s\n", strna(env_override(NAME)));
        printf("runtime=%s\n", paths.runtime_dir);
        printf("network=%s\n", paths.network_dir);
        printf("cmdline=%s\n", kernel_cmdline_default_path());
        printf("loglevel=%d\n", log_get_max_level());
        /* Whatever this machine's /etc says, nothing of the override's file or value. */
        printf("config-overridden=%d\n", config.refresh_interval_sec == 4321);
        printf("endpoints-overridden=%d\n", streq(config.imds_endpoints[0], "http://192.0.2.1"));
        return 0;
}

static int copy_file(const char *from, const char *to, mode_t mode) {
        _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
        _cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        struct stat st;

        if (in < 0 || out < 0 || fstat(in, &st) < 0)
                return -1;
        for (off_t done = 0; done < st.st_size;) {
                ssize_t n = sendfile(out, in, NULL, (size_t) (st.st_size - done));
                if (n <= 0)
                        return -1;
                done += n;
        }
        return 0;
}

static void test_ignored_when_secure(void **state) {
        _cleanup_free_ char *dir = NULL, *out = NULL;
        char exe[PATH_MAX], conf[PATH_MAX], log[PATH_MAX], expected[4096];
        gid_t gid = getgid() == 65534 ? 65533 : 65534;
        int status;
        pid_t pid;

        /* Making a setgid program of another group takes root (the package build has none). */
        if (geteuid() != 0)
                skip();
        dir = make_temp_dir();
        assert_non_null(dir);
        snprintf(exe, sizeof exe, "%s/secure-child", dir);
        snprintf(conf, sizeof conf, "%s/off.conf", dir);
        snprintf(log, sizeof log, "%s/out", dir);
        assert_int_equal(write_whole_file(conf, "[Refresh]\nIntervalSec=4321\n"), 0);
        assert_int_equal(copy_file("/proc/self/exe", exe, 0755), 0);
        assert_int_equal(chown(exe, 0, gid), 0);
        assert_int_equal(chmod(exe, 02755), 0);

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char *argv[] = { exe, (char *) "--secure-child", NULL };
                char *envp[] = {
                        (char *) NAME "=set",
                        (char *) "EC2NET_RUNTIME_DIR=/tmp/evil-run",
                        (char *) "EC2NET_NETWORK_DIR=/tmp/evil-network",
                        (char *) "EC2NET_KERNEL_CMDLINE=/tmp/evil-cmdline",
                        (char *) "EC2NET_LOG_LEVEL=debug",
                        (char *) "EC2NET_IMDS_ENDPOINTS=http://192.0.2.1",
                        NULL, NULL,
                };
                _cleanup_free_ char *c = NULL;
                int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

                if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || asprintf(&c, "EC2NET_CONFIG=%s", conf) < 0)
                        _exit(126);
                envp[ELEMENTSOF(envp) - 2] = c;
                execve(exe, argv, envp);
                _exit(127);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        out = read_whole_file(log);
        assert_non_null(out);

        /* A file system mounted nosuid gives no setgid, so nothing to see: say so. */
        if (strncmp(out, "secure=0\n", 9) == 0) {
                print_message("%s is mounted nosuid: no secure execution to test\n", dir);
                rm_rf(dir);
                skip();
        }
        snprintf(expected, sizeof expected,
                 "secure=1\noverride=n/a\nruntime=%s\nnetwork=%s\n"
                 "cmdline=%s\nloglevel=%d\nconfig-overridden=0\nendpoints-overridden=0\n",
                 EC2NET_RUNTIME_DIR, EC2NET_NETWORK_RUNTIME_DIR,
                 access("/run/systemd/container", F_OK) == 0 ? "/proc/1/cmdline" : KERNEL_CMDLINE_PATH,
                 LOG_INFO);
        rm_rf(dir);
        assert_string_equal(out, expected);
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_env_override),
                cmocka_unit_test(test_ignored_when_secure),
        };

        if (argc == 2 && streq(argv[1], "--secure-child"))
                return secure_child();
        return cmocka_run_group_tests(tests, NULL, NULL);
}
