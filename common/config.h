/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The administrator's configuration (SPEC §7): /etc/amazon-ec2-net-utils.conf, then the
 * files named *.conf in /etc/amazon-ec2-net-utils.conf.d/ in lexical order (names starting
 * with a dot are skipped), systemd-style INI.
 *
 * Loading never fails on bad input: a bad line, a bad value, an unknown section or key, an
 * unreadable or oversized file is reported and skipped, and the setting it tried to change
 * keeps its previous value. This library logs at debug level only, so every such report is
 * also collected in Config.warnings ("FILE:LINE: message, ignoring.") for the executables to
 * log at warning level. The only hard failure is running out of memory.
 *
 * Later assignments replace earlier ones, lists included; an empty assignment ("Key=")
 * resets the key to its built-in default.
 */

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* Bounds on what we accept, so a broken or hostile file costs little. */
#define CONFIG_FILE_SIZE_MAX (64U * 1024U)
#define CONFIG_LINE_MAX 4096U
#define CONFIG_DROPINS_MAX 256U
#define CONFIG_WARNINGS_MAX 64U
#define CONFIG_DRIVERS_MAX 32U
#define CONFIG_DRIVER_NAME_MAX 31U
#define CONFIG_PATTERNS_MAX 64U
#define CONFIG_PATTERN_MAX 64U
#define CONFIG_IMDS_ENDPOINTS_MAX 4U
#define CONFIG_IMDS_ENDPOINT_MAX 128U

#define CONFIG_REFRESH_INTERVAL_SEC_MIN 10U
#define CONFIG_REFRESH_INTERVAL_SEC_MAX 86400U
#define CONFIG_SEED_TIMEOUT_SEC_MAX 600U

/* A tristate setting's "auto". */
#define CONFIG_AUTO (-1)

/* Environment overrides, documented for tests (SPEC §7). */
#define CONFIG_ENV_PATH "EC2NET_CONFIG"
#define CONFIG_ENV_IMDS_ENDPOINTS "EC2NET_IMDS_ENDPOINTS"

typedef struct Config {
        bool enabled;                   /* [Main] Enable= */
        char *disabled_by;              /* when !enabled: "[Main] Enable=no in FILE:LINE" */
        char **drivers;                 /* [Interfaces] Drivers= */
        char **exclude_interfaces;      /* [Interfaces] ExcludeInterfaces=, fnmatch globs */
        char **exclude_macs;            /* [Interfaces] ExcludeMACs=, lower-case fnmatch globs */
        bool policy_rules;              /* [PolicyRouting] PolicyRules= */
        bool secondary_addresses;       /* [PolicyRouting] SecondaryAddresses= */
        unsigned refresh_interval_sec;  /* [Refresh] IntervalSec= */
        unsigned seed_timeout_sec;      /* [Boot] SeedTimeoutSec= */
        int hold_until_configured;      /* [Interfaces] HoldUntilConfigured=: CONFIG_AUTO, 0, 1 */
        int defer_take_over;            /* [Interfaces] DeferTakeOver=: CONFIG_AUTO, 0, 1 */
        char **imds_endpoints;          /* [IMDS] Endpoints=, never empty once initialised */
        char **warnings;                /* diagnostics for the caller to log */
        char **files;                   /* the files parsed, in order (ec2-netctl status) */
} Config;

/* Fills in the built-in defaults. c is overwritten, not freed: pass a fresh or done Config.
 * Returns 0 or -ENOMEM (then c holds nothing that needs freeing). */
int config_init_defaults(Config *c);
/* Frees everything; c is left zeroed, so calling it twice is harmless. */
void config_done(Config *c);

/* Loads $EC2NET_CONFIG (or EC2NET_CONFIG_FILE) and its ".d" drop-ins into an initialised c,
 * then applies $EC2NET_IMDS_ENDPOINTS. Returns 0 or -ENOMEM. */
int config_load(Config *c);
/* Loads main_path, then the *.conf files in the directory main_path.d in lexical order.
 * Returns 0 or -ENOMEM. */
int config_load_from(Config *c, const char *main_path);
/* Parses one file's text (may contain anything, NUL bytes included); filename is only used
 * in diagnostics. Returns 0 or -ENOMEM. */
int config_parse_text(Config *c, const char *text, size_t len, const char *filename);

/* Is the driver in the Drivers= list? */
bool config_driver_allowed(const Config *c, const char *driver);
/* Does the name match ExcludeInterfaces= or the MAC match ExcludeMACs= (any case)?
 * Either argument may be NULL when unknown. */
bool config_interface_excluded(const Config *c, const char *ifname, const char *mac);

/* systemd's boolean words, any case: 1 yes y true t on / 0 no n false f off.
 * Returns 1, 0, or -EINVAL. Shared with the kernel command line parser. */
int config_parse_boolean(const char *s);
/* An IMDS base URL we accept from configuration or the environment: "http://" HOST
 * [":" PORT] and nothing else (no path, no TLS, no credentials), HOST being a DNS name or
 * IPv4 address ([A-Za-z0-9.-]) or a bracketed IPv6 address, PORT 1..65535. */
bool config_imds_endpoint_is_valid(const char *s);
