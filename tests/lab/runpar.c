/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runpar: a test and benchmark launcher of the lab, not part of the product. Runs one
 * command per item, all at once (or one after another with -s), and reports what each one
 * cost, from the kernel's own accounting (wait4 → struct rusage).
 *
 *     runpar [-s] [-t SECONDS] [-o OUT] [-e ERRDIR] CMD ARG... ::: ITEM...
 *
 * Every "{}" in CMD/ARG is replaced by the item. One line per item on OUT (default stdout):
 *
 *     ITEM EXIT WALL_US USER_US SYS_US MAXRSS_KB MINFLT VCSW IVCSW
 *
 * then "total START_NS END_NS" (CLOCK_REALTIME of the first fork and of the last exit).
 * EXIT is the exit status, 128+N for signal N, or "timeout" for a child still running
 * SECONDS after runpar started (it is then killed with SIGKILL; with -s, the items after
 * it are not started and reported the same way, with zeros). stdout and stderr of each
 * child go to ERRDIR/ITEM.err when -e is given.
 *
 * Why C and not a script: a child's ru_maxrss includes what its parent had resident when
 * it forked (the copied address space counts until exec), so the launcher must be small
 * for the figure to be the command's own. The rusage of a child covers the child and any
 * descendants it waited for; the product has none (checked separately under strace).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct Child {
        pid_t pid;
        const char *item;
        struct timespec t0, t1;
        struct rusage ru;
        int status;
        bool timed_out;
} Child;

static volatile sig_atomic_t deadline_passed;

static void on_alarm(int sig) {
        (void) sig;
        deadline_passed = 1;
}

/* SIGKILL for every child not reaped yet, once, when the deadline has passed. */
static void kill_late(Child *c, int n) {
        static bool done;

        if (!deadline_passed || done)
                return;
        done = true;
        for (int i = 0; i < n; i++)
                if (c[i].pid > 0 && c[i].t1.tv_sec == 0 && c[i].t1.tv_nsec == 0) {
                        c[i].timed_out = true;
                        (void) kill(c[i].pid, SIGKILL);
                }
}

/* wait4 for pid (-1: any), killing late children when the deadline passes meanwhile. */
static pid_t wait_child(Child *c, int n, pid_t pid, int *status, struct rusage *ru) {
        for (;;) {
                pid_t r = wait4(pid, status, 0, ru);

                if (r >= 0 || errno != EINTR)
                        return r;
                kill_late(c, n);
        }
}

static long long ns_of(const struct timespec *t) {
        return (long long) t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long us_of(const struct timeval *t) {
        return (long long) t->tv_sec * 1000000LL + t->tv_usec;
}

/* ARG with every "{}" replaced by ITEM (the result is leaked: the child execs). */
static char *subst(const char *arg, const char *item) {
        size_t n = 1;
        char *r, *p;

        for (const char *s = arg; *s; s++)
                n += (s[0] == '{' && s[1] == '}') ? strlen(item) : 1;
        r = p = malloc(n);
        if (!r)
                return (char *) arg;
        for (const char *s = arg; *s;) {
                if (s[0] == '{' && s[1] == '}') {
                        p = stpcpy(p, item);
                        s += 2;
                } else
                        *p++ = *s++;
        }
        *p = '\0';
        return r;
}

static pid_t spawn(char **tmpl, int argc, const char *item, const char *errdir) {
        char **argv = calloc((size_t) argc + 1, sizeof *argv);
        pid_t pid;

        if (!argv)
                return -1;
        for (int i = 0; i < argc; i++)
                argv[i] = subst(tmpl[i], item);
        pid = fork();
        if (pid == 0) {
                if (errdir) {
                        char path[4096];
                        int fd;

                        snprintf(path, sizeof path, "%s/%s.err", errdir, item);
                        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                        if (fd >= 0) {
                                dup2(fd, 1);
                                dup2(fd, 2);
                        }
                }
                execvp(argv[0], argv);
                fprintf(stderr, "runpar: %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        free(argv);
        return pid;
}

static Child *find(Child *c, int n, pid_t pid) {
        for (int i = 0; i < n; i++)
                if (c[i].pid == pid)
                        return &c[i];
        return NULL;
}

int main(int argc, char *argv[]) {
        const char *out_path = NULL, *errdir = NULL;
        double timeout = 0;
        bool sequential = false;
        int opt, sep = -1, n_items, cmd_argc;
        struct timespec start, end;
        Child *c;
        FILE *out = stdout;

        while ((opt = getopt(argc, argv, "+st:o:e:")) >= 0)
                switch (opt) {
                case 's': sequential = true; break;
                case 't': timeout = strtod(optarg, NULL); break;
                case 'o': out_path = optarg; break;
                case 'e': errdir = optarg; break;
                default:
                        fprintf(stderr, "usage: runpar [-s] [-t SECONDS] [-o OUT] [-e LOGDIR] CMD ARG... ::: ITEM...\n");
                        return 2;
                }
        for (int i = optind; i < argc; i++)
                if (strcmp(argv[i], ":::") == 0) {
                        sep = i;
                        break;
                }
        if (sep < 0 || sep == optind) {
                fprintf(stderr, "runpar: need CMD ::: ITEM...\n");
                return 2;
        }
        cmd_argc = sep - optind;
        n_items = argc - sep - 1;
        c = calloc((size_t) (n_items > 0 ? n_items : 1), sizeof *c);
        if (!c)
                return 1;

        if (timeout > 0) {
                struct sigaction sa = { .sa_handler = on_alarm };   /* no SA_RESTART */
                struct itimerval it = { .it_value = { .tv_sec = (time_t) timeout,
                                                      .tv_usec = (suseconds_t) ((timeout - (double) (time_t) timeout) * 1e6) } };

                sigaction(SIGALRM, &sa, NULL);
                setitimer(ITIMER_REAL, &it, NULL);
        }
        clock_gettime(CLOCK_REALTIME, &start);
        for (int i = 0; i < n_items; i++) {
                c[i].item = argv[sep + 1 + i];
                if (deadline_passed) {   /* -s: what is left is not started */
                        c[i].timed_out = true;
                        continue;
                }
                clock_gettime(CLOCK_MONOTONIC, &c[i].t0);
                c[i].pid = spawn(argv + optind, cmd_argc, c[i].item, errdir);
                if (c[i].pid < 0) {
                        perror("runpar: fork");
                        return 1;
                }
                if (sequential) {
                        if (wait_child(c, n_items, c[i].pid, &c[i].status, &c[i].ru) < 0) {
                                perror("runpar: wait4");
                                return 1;
                        }
                        clock_gettime(CLOCK_MONOTONIC, &c[i].t1);
                }
        }
        if (!sequential)
                for (int left = n_items; left > 0;) {
                        struct rusage ru;
                        int status;
                        pid_t pid = wait_child(c, n_items, -1, &status, &ru);
                        Child *ch;

                        if (pid < 0) {
                                perror("runpar: wait4");
                                return 1;
                        }
                        ch = find(c, n_items, pid);
                        if (!ch)
                                continue;
                        clock_gettime(CLOCK_MONOTONIC, &ch->t1);
                        ch->ru = ru;
                        ch->status = status;
                        left--;
                }
        clock_gettime(CLOCK_REALTIME, &end);

        if (out_path && !(out = fopen(out_path, "w"))) {
                perror(out_path);
                return 1;
        }
        for (int i = 0; i < n_items; i++) {
                int code = WIFEXITED(c[i].status) ? WEXITSTATUS(c[i].status) : 128 + WTERMSIG(c[i].status);

                char exit_text[16];

                if (c[i].timed_out)
                        snprintf(exit_text, sizeof exit_text, "timeout");
                else
                        snprintf(exit_text, sizeof exit_text, "%d", code);
                fprintf(out, "%s %s %lld %lld %lld %ld %ld %ld %ld\n", c[i].item, exit_text,
                        (ns_of(&c[i].t1) - ns_of(&c[i].t0)) / 1000, us_of(&c[i].ru.ru_utime),
                        us_of(&c[i].ru.ru_stime), c[i].ru.ru_maxrss, c[i].ru.ru_minflt,
                        c[i].ru.ru_nvcsw, c[i].ru.ru_nivcsw);
        }
        fprintf(out, "total %lld %lld\n", ns_of(&start), ns_of(&end));
        if (out != stdout)
                fclose(out);
        return 0;
}
