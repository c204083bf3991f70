/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "env-override.h"
#include "file-read.h"
#include "kernel-cmdline.h"
#include "macro.h"

#define CMDLINE_WHITESPACE " \t\n\r\v\f"
#define EC2NET_ENABLE "ec2net.enable"

/* Longer than any "ec2net.enable=VALUE" we understand: longer words are not ours. */
#define WORD_MAX 32

int kernel_cmdline_ec2net_enabled(const char *cmdline) {
        const char *p = cmdline;
        int enabled = 1;

        if (!cmdline)
                return -EINVAL;
        if (strnlen(cmdline, KERNEL_CMDLINE_SIZE_MAX + 1) > KERNEL_CMDLINE_SIZE_MAX)
                return -E2BIG;

        for (;;) {
                char word[WORD_MAX];
                bool in_quote = false, too_long = false;
                size_t n = 0;
                int r;

                p += strspn(p, CMDLINE_WHITESPACE);
                if (*p == '\0')
                        break;

                /* Quotes group words and are dropped, wherever they are, as systemd's
                 * proc_cmdline parser does; an unterminated quote runs to the end. */
                for (; *p != '\0'; p++) {
                        if (*p == '"') {
                                in_quote = !in_quote;
                                continue;
                        }
                        if (!in_quote && strchr(CMDLINE_WHITESPACE, *p))
                                break;
                        if (n + 1 < sizeof(word))
                                word[n++] = *p;
                        else
                                too_long = true;
                }
                if (too_long)
                        continue;
                word[n] = '\0';

                if (streq(word, EC2NET_ENABLE))
                        enabled = 1;
                else if (strncmp(word, EC2NET_ENABLE "=", strlen(EC2NET_ENABLE "=")) == 0) {
                        /* A typo must not be read as either answer: keep the previous one. */
                        r = config_parse_boolean(word + strlen(EC2NET_ENABLE "="));
                        if (r >= 0)
                                enabled = r;
                }
        }
        return enabled;
}

const char *kernel_cmdline_default_path(void) {
        const char *e = env_override_path("EC2NET_KERNEL_CMDLINE");   /* tests */

        if (e)
                return e;
        /* In a container, /proc/cmdline is the host's: like systemd, use the arguments of
         * the container's PID 1 (systemd-nspawn -b ... ec2net.enable=0). */
        if (getenv("container") || access("/run/systemd/container", F_OK) == 0)
                return "/proc/1/cmdline";
        return KERNEL_CMDLINE_PATH;
}

int kernel_cmdline_read(const char *path, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        int r;

        if (!ret)
                return -EINVAL;

        /* procfs reports size 0: read_file_at() reads until EOF, bounded. */
        if (!path)
                path = kernel_cmdline_default_path();
        r = read_file_at(AT_FDCWD, path, KERNEL_CMDLINE_SIZE_MAX, &buf, &size);
        if (r == -EFBIG)
                return -E2BIG;
        if (r < 0)
                return r;

        /* A NUL would silently end the string early and hide what follows it. */
        for (size_t i = 0; i < size; i++)
                if (buf[i] == '\0')
                        buf[i] = ' ';
        while (size > 0 && strchr(CMDLINE_WHITESPACE, buf[size - 1]))
                size--;
        buf[size] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}
