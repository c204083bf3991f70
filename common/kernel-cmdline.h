/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The kernel command line can disable the package (SPEC §7): ec2net.enable=0 (or no, false,
 * off, ...). The generator reads it at boot before anything else, so bad input here must
 * never stop the boot: unknown values are ignored, only impossible input is an error.
 */

#include "config.h"

#define KERNEL_CMDLINE_PATH "/proc/cmdline"
/* Far above any kernel's COMMAND_LINE_SIZE; a fake file in a test cannot make us read more. */
#define KERNEL_CMDLINE_SIZE_MAX (64U * 1024U)

/* Returns 1 when enabled (also when the option is absent), 0 when disabled, -EINVAL for
 * NULL, -E2BIG when longer than KERNEL_CMDLINE_SIZE_MAX. The last valid ec2net.enable= wins;
 * a bare "ec2net.enable" means yes; double quotes are removed as the kernel and systemd do
 * ("ec2net.enable=0", ec2net.enable="0"); words are separated by any ASCII whitespace. */
int kernel_cmdline_ec2net_enabled(const char *cmdline);

/* Reads the command line from path (NULL: /proc/cmdline) into *ret, NUL bytes turned into
 * spaces and trailing whitespace removed. Returns 0, -E2BIG when longer than
 * KERNEL_CMDLINE_SIZE_MAX, or another -errno. */
int kernel_cmdline_read(const char *path, char **ret);

/* /proc/cmdline, or /proc/1/cmdline in a container, or $EC2NET_KERNEL_CMDLINE (tests). */
const char *kernel_cmdline_default_path(void);
