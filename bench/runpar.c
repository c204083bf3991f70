/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runpar: run one command per item, all at once (or one after another with -s), and report
 * what each one cost, from the kernel's own accounting (wait4 → struct rusage).
 *
 *     runpar [-s] [-o OUT] [-e ERRDIR] CMD ARG... ::: ITEM...
 *
 * Every "{}" in CMD/ARG is replaced by the item. One line per item on OUT (default stdout):
 *
 *     ITEM EXIT WALL_US USER_US SYS_US MAXRSS_KB MINFLT VCSW IVCSW
 *
 * then "total START_NS END_NS" (CLOCK_REALTIME of the first fork and of the last exit).
 * stdout and stderr of each child go to ERRDIR/ITEM.err when -e is given.
 *
 * This is a benchmark helper, not part of the product: it is the one place that forks.
 * The rusage of a child covers the child and any descendants it waited for; the product
 * has none (checked separately under strace).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
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
} Child;

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
        bool sequential = false;
        int opt, sep = -1, n_items, cmd_argc;
        struct timespec start, end;
        Child *c;
        FILE *out = stdout;

        while ((opt = getopt(argc, argv, "+so:e:")) >= 0)
                switch (opt) {
                case 's': sequential = true; break;
                case 'o': out_path = optarg; break;
                case 'e': errdir = optarg; break;
                default:
                        fprintf(stderr, "usage: runpar [-s] [-o OUT] [-e LOGDIR] CMD ARG... ::: ITEM...\n");
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

        clock_gettime(CLOCK_REALTIME, &start);
        for (int i = 0; i < n_items; i++) {
                c[i].item = argv[sep + 1 + i];
                clock_gettime(CLOCK_MONOTONIC, &c[i].t0);
                c[i].pid = spawn(argv + optind, cmd_argc, c[i].item, errdir);
                if (c[i].pid < 0) {
                        perror("runpar: fork");
                        return 1;
                }
                if (sequential) {
                        if (wait4(c[i].pid, &c[i].status, 0, &c[i].ru) < 0) {
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
                        pid_t pid = wait4(-1, &status, 0, &ru);
                        Child *ch;

                        if (pid < 0) {
                                if (errno == EINTR)
                                        continue;
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

                fprintf(out, "%s %d %lld %lld %lld %ld %ld %ld %ld\n", c[i].item, code,
                        (ns_of(&c[i].t1) - ns_of(&c[i].t0)) / 1000, us_of(&c[i].ru.ru_utime),
                        us_of(&c[i].ru.ru_stime), c[i].ru.ru_maxrss, c[i].ru.ru_minflt,
                        c[i].ru.ru_nvcsw, c[i].ru.ru_nivcsw);
        }
        fprintf(out, "total %lld %lld\n", ns_of(&start), ns_of(&end));
        if (out != stdout)
                fclose(out);
        return 0;
}
