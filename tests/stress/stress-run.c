/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stress-run: run one command and report its exit status, wall time and peak memory, from
 * the kernel's accounting (wait4 → ru_maxrss). A test helper of the stress tier, not part
 * of the product.
 *
 *     stress-run [-t SECONDS] [-o FILE] CMD ARG...
 *
 * Prints one line "STATUS WALL_S MAXRSS_KB": STATUS is the exit status, "sig-N" when a
 * signal ended it, or "timeout" when it was still running after SECONDS (then killed with
 * SIGKILL). The command's stdout and stderr go to FILE when given.
 *
 * Why not a script: a child's ru_maxrss includes what its parent had resident when it
 * forked (the copied address space counts until exec), so the launcher must be small for
 * the figure to be the command's own. This one uses about 1 MiB.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[]) {
        double timeout = 120, t0, deadline;
        const char *out = NULL;
        struct rusage ru = {};
        int c, status = 0;
        bool timed_out = false;
        pid_t pid;

        while ((c = getopt(argc, argv, "+t:o:")) >= 0)
                switch (c) {
                case 't':
                        timeout = strtod(optarg, NULL);
                        break;
                case 'o':
                        out = optarg;
                        break;
                default:
                        fprintf(stderr, "usage: stress-run [-t SECONDS] [-o FILE] CMD ARG...\n");
                        return 2;
                }
        if (optind >= argc) {
                fprintf(stderr, "usage: stress-run [-t SECONDS] [-o FILE] CMD ARG...\n");
                return 2;
        }

        t0 = now();
        deadline = t0 + timeout;
        pid = fork();
        if (pid < 0) {
                perror("fork");
                return 1;
        }
        if (pid == 0) {
                if (out) {
                        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

                        if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
                                _exit(127);
                }
                execvp(argv[optind], argv + optind);
                _exit(127);
        }
        for (;;) {
                pid_t r = wait4(pid, &status, WNOHANG, &ru);

                if (r == pid)
                        break;
                if (r < 0 && errno != EINTR) {
                        perror("wait4");
                        return 1;
                }
                if (!timed_out && now() >= deadline) {
                        kill(pid, SIGKILL);
                        timed_out = true;
                }
                usleep(2000);
        }
        if (timed_out)
                printf("timeout");
        else if (WIFSIGNALED(status))
                printf("sig-%d", WTERMSIG(status));
        else
                printf("%d", WEXITSTATUS(status));
        printf(" %.3f %ld\n", now() - t0, ru.ru_maxrss);
        return 0;
}
