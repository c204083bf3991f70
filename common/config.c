/* SPDX-License-Identifier: Apache-2.0 */
#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "build-config.h"
#include "config.h"
#include "env-override.h"
#include "log.h"
#include "strv.h"
#include "validate.h"

#define BLANKS " \t"
#define IMDS_DEFAULT_ENDPOINTS "http://169.254.169.254 http://[fd00:ec2::254]"
#define DEFAULT_DRIVERS "ena ixgbevf vif"

/* Values quoted in diagnostics are cut here, so one bad line cannot make a huge message. */
#define QUOTE_MAX "64"

typedef struct ConfigKey ConfigKey;
typedef int (*ConfigKeyParser)(Config *c, const ConfigKey *k, const char *value,
                               const char *filename, unsigned line);

struct ConfigKey {
        const char *section;
        const char *key;
        ConfigKeyParser parse;
        size_t offset;                          /* of the field in Config */
        const char *default_value;              /* what "Key=" resets to */
        unsigned min, max;                      /* integers: range; lists: most entries */
        bool (*entry_is_valid)(const char *s);  /* lists */
        bool lower_case;                        /* lists: store entries lower-cased */
};

/* A section name we only warned about once; the keys under it are skipped silently. */
static const char section_unknown[] = "";

int config_parse_boolean(const char *s) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(s, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(s, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

bool config_imds_endpoint_is_valid(const char *s) {
        static const char host_chars[] =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-";
        unsigned port;
        size_t n;

        /* Stricter than ^http://[A-Za-z0-9.:\[\]-]+(:[0-9]+)?$ : the URL is concatenated
         * with request paths, so anything past the authority (path, query, userinfo) or a
         * scheme we would not speak must not get through. */
        if (!s || strnlen(s, CONFIG_IMDS_ENDPOINT_MAX + 1) > CONFIG_IMDS_ENDPOINT_MAX)
                return false;
        if (strncmp(s, "http://", 7) != 0)
                return false;
        s += 7;
        if (*s == '[') {
                s++;
                n = strspn(s, "0123456789abcdefABCDEF:.");
                if (n == 0 || s[n] != ']')
                        return false;
                s += n + 1;
        } else {
                n = strspn(s, host_chars);
                if (n == 0)
                        return false;
                s += n;
        }
        if (*s == '\0')
                return true;
        if (*s != ':')
                return false;
        return parse_bounded_uint(s + 1, 65535, &port) >= 0 && port > 0;
}

static bool driver_name_is_valid(const char *s) {
        size_t n = strlen(s);

        /* Kernel driver names as udev and sysfs show them. */
        return n >= 1 && n <= CONFIG_DRIVER_NAME_MAX &&
               strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static bool pattern_is_valid(const char *s) {
        size_t n = strnlen(s, CONFIG_PATTERN_MAX + 1);

        if (n < 1 || n > CONFIG_PATTERN_MAX)
                return false;
        /* Interface names and MACs are printable ASCII; nothing else could ever match. */
        for (size_t i = 0; i < n; i++) {
                unsigned char b = (unsigned char) s[i];

                if (b <= ' ' || b >= 0x7f)
                        return false;
        }
        return true;
}

static int config_warn(Config *c, const char *filename, unsigned line, const char *format, ...)
        _printf_(4, 5);

/* Records a diagnostic as "FILE:LINE: message, ignoring." Returns 0 or -ENOMEM. */
static int config_warn(Config *c, const char *filename, unsigned line, const char *format, ...) {
        _cleanup_free_ char *message = NULL, *full = NULL;
        size_t n = strv_length(c->warnings);
        va_list ap;
        int r;

        /* A binary file would otherwise produce one diagnostic per line. */
        if (n > CONFIG_WARNINGS_MAX)
                return 0;
        if (n == CONFIG_WARNINGS_MAX)
                r = asprintf(&full, "%s: Too many configuration problems, "
                             "further diagnostics suppressed.", strempty(filename));
        else {
                va_start(ap, format);
                r = vasprintf(&message, format, ap);
                va_end(ap);
                if (r < 0)
                        return -ENOMEM;
                if (line > 0)
                        r = asprintf(&full, "%s:%u: %s, ignoring.", strempty(filename), line,
                                     message);
                else
                        r = asprintf(&full, "%s: %s, ignoring.", strempty(filename), message);
        }
        if (r < 0)
                return -ENOMEM;
        log_debug("%s", full);
        return strv_consume(&c->warnings, TAKE_PTR(full));
}

static void *config_field(Config *c, const ConfigKey *k) {
        return (uint8_t *) c + k->offset;
}

static int config_parse_bool_key(Config *c, const ConfigKey *k, const char *value,
                                 const char *filename, unsigned line) {
        int r = config_parse_boolean(value);

        if (r < 0)
                return config_warn(c, filename, line,
                                   "Failed to parse %s= value '%." QUOTE_MAX "s' as a boolean",
                                   k->key, value);
        *(bool *) config_field(c, k) = r;
        return 0;
}

static int config_parse_uint_key(Config *c, const ConfigKey *k, const char *value,
                                 const char *filename, unsigned line) {
        unsigned v;

        if (parse_bounded_uint(value, k->max, &v) < 0 || v < k->min)
                return config_warn(c, filename, line,
                                   "Invalid %s= value '%." QUOTE_MAX "s', expected an integer "
                                   "from %u to %u", k->key, value, k->min, k->max);
        *(unsigned *) config_field(c, k) = v;
        return 0;
}

/* One bad entry rejects the whole assignment: half of an exclusion list would exclude less
 * than the administrator asked for, and silently. */
static int config_parse_list_key(Config *c, const ConfigKey *k, const char *value,
                                 const char *filename, unsigned line) {
        _cleanup_strv_free_ char **l = NULL;
        char ***field = config_field(c, k);
        size_t n;
        int r;

        r = strv_split_blank(value, &l);
        if (r < 0)
                return r;
        n = strv_length(l);
        if (n > k->max)
                return config_warn(c, filename, line, "Too many entries in %s= (%zu, at most %u)",
                                   k->key, n, k->max);
        STRV_FOREACH(i, l) {
                if (!k->entry_is_valid(*i))
                        return config_warn(c, filename, line,
                                           "Invalid entry '%." QUOTE_MAX "s' in %s=", *i, k->key);
                if (k->lower_case)
                        for (char *p = *i; *p; p++)
                                *p = (char) tolower((unsigned char) *p);
        }
        strv_free(*field);
        *field = TAKE_PTR(l);
        return 0;
}

/* "auto" or a boolean. */
static int config_parse_tristate_key(Config *c, const ConfigKey *k, const char *value,
                                     const char *filename, unsigned line) {
        int r = streq(value, "auto") ? CONFIG_AUTO : config_parse_boolean(value);

        if (r < CONFIG_AUTO)
                return config_warn(c, filename, line,
                                   "Failed to parse %s= value '%." QUOTE_MAX "s' as \"auto\" or a boolean",
                                   k->key, value);
        *(int *) config_field(c, k) = r;
        return 0;
}

/* [Main] Enable= also remembers where it turned the package off, for "disabled by". */
static int config_parse_enable_key(Config *c, const ConfigKey *k, const char *value,
                                   const char *filename, unsigned line) {
        _cleanup_free_ char *where = NULL;
        int r = config_parse_boolean(value);

        if (r == 0 && asprintf(&where, "[Main] %s=%s in %s:%u", k->key, value, strempty(filename), line) < 0)
                return -ENOMEM;
        if (r >= 0) {
                free(c->disabled_by);
                c->disabled_by = TAKE_PTR(where);
        }
        return config_parse_bool_key(c, k, value, filename, line);
}

#define BOOL_KEY(s, k, field, def)                                                      \
        { .section = s, .key = k, .parse = config_parse_bool_key,                      \
          .offset = offsetof(Config, field), .default_value = def }
#define UINT_KEY(s, k, field, def, lo, hi)                                              \
        { .section = s, .key = k, .parse = config_parse_uint_key,                      \
          .offset = offsetof(Config, field), .default_value = def, .min = lo, .max = hi }
#define LIST_KEY(s, k, field, def, most, valid, lower)                                  \
        { .section = s, .key = k, .parse = config_parse_list_key,                      \
          .offset = offsetof(Config, field), .default_value = def, .max = most,        \
          .entry_is_valid = valid, .lower_case = lower }

/* SPEC §7. The defaults here are the only ones: config_init_defaults() parses them. */
static const ConfigKey config_keys[] = {
        { .section = "Main", .key = "Enable", .parse = config_parse_enable_key,
          .offset = offsetof(Config, enabled), .default_value = "yes" },
        LIST_KEY("Interfaces", "Drivers", drivers, DEFAULT_DRIVERS, CONFIG_DRIVERS_MAX,
                 driver_name_is_valid, false),
        LIST_KEY("Interfaces", "ExcludeInterfaces", exclude_interfaces, "", CONFIG_PATTERNS_MAX,
                 pattern_is_valid, false),
        /* Lower-case, as the MACs we compare with (validate_mac() writes them so). */
        LIST_KEY("Interfaces", "ExcludeMACs", exclude_macs, "", CONFIG_PATTERNS_MAX,
                 pattern_is_valid, true),
        { .section = "Interfaces", .key = "HoldUntilConfigured", .parse = config_parse_tristate_key,
          .offset = offsetof(Config, hold_until_configured), .default_value = "auto" },
        { .section = "Interfaces", .key = "DeferTakeOver", .parse = config_parse_tristate_key,
          .offset = offsetof(Config, defer_take_over), .default_value = "auto" },
        BOOL_KEY("PolicyRouting", "PolicyRules", policy_rules, "yes"),
        BOOL_KEY("PolicyRouting", "SecondaryAddresses", secondary_addresses, "yes"),
        UINT_KEY("Refresh", "IntervalSec", refresh_interval_sec, "60",
                 CONFIG_REFRESH_INTERVAL_SEC_MIN, CONFIG_REFRESH_INTERVAL_SEC_MAX),
        UINT_KEY("Boot", "SeedTimeoutSec", seed_timeout_sec, "30", 0,
                 CONFIG_SEED_TIMEOUT_SEC_MAX),
        LIST_KEY("IMDS", "Endpoints", imds_endpoints, IMDS_DEFAULT_ENDPOINTS,
                 CONFIG_IMDS_ENDPOINTS_MAX, config_imds_endpoint_is_valid, false),
};

static const ConfigKey *config_key_find(const char *section, const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(config_keys); i++)
                if (streq(config_keys[i].section, section) && streq(config_keys[i].key, key))
                        return config_keys + i;
        return NULL;
}

/* Returns the table's copy of the name, so the parser state needs no allocation. */
static const char *config_section_find(const char *section) {
        for (size_t i = 0; i < ELEMENTSOF(config_keys); i++)
                if (streq(config_keys[i].section, section))
                        return config_keys[i].section;
        return NULL;
}

/* An empty assignment means "back to the default", as in systemd. */
static int config_assign(Config *c, const ConfigKey *k, const char *value, const char *filename,
                         unsigned line) {
        return k->parse(c, k, *value ? value : k->default_value, filename, line);
}

int config_init_defaults(Config *c) {
        int r;

        assert(c);

        *c = (Config) {};
        for (size_t i = 0; i < ELEMENTSOF(config_keys); i++) {
                r = config_assign(c, config_keys + i, "", "built-in defaults", 0);
                if (r < 0) {
                        config_done(c);
                        return r;
                }
        }
        /* The defaults are ours: a diagnostic here is a bug in the table above. */
        assert(!c->warnings);
        return 0;
}

void config_done(Config *c) {
        if (!c)
                return;
        strv_free(c->drivers);
        strv_free(c->exclude_interfaces);
        strv_free(c->exclude_macs);
        strv_free(c->imds_endpoints);
        strv_free(c->warnings);
        free(c->disabled_by);
        strv_free(c->files);
        *c = (Config) {};
}

static bool utf8_is_valid(const unsigned char *s, size_t n) {
        for (size_t i = 0; i < n;) {
                unsigned char b = s[i];
                uint32_t cp, min;
                size_t k;

                if (b < 0x80) {
                        i++;
                        continue;
                }
                if ((b & 0xe0) == 0xc0) {
                        k = 1, cp = b & 0x1f, min = 0x80;
                } else if ((b & 0xf0) == 0xe0) {
                        k = 2, cp = b & 0x0f, min = 0x800;
                } else if ((b & 0xf8) == 0xf0) {
                        k = 3, cp = b & 0x07, min = 0x10000;
                } else
                        return false;
                if (n - i <= k)
                        return false;
                for (size_t j = 1; j <= k; j++) {
                        if ((s[i + j] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i + j] & 0x3f);
                }
                /* Overlong forms and surrogates are how binary junk passes a lax check. */
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                i += k + 1;
        }
        return true;
}

/* Why a raw line (without its newline, at most CONFIG_LINE_MAX bytes) cannot be parsed,
 * or NULL when it can. */
static const char *line_problem(const char *p, size_t n) {
        if (memchr(p, '\0', n))
                return "Line contains a NUL byte";
        for (size_t i = 0; i < n; i++) {
                unsigned char b = (unsigned char) p[i];

                if ((b < ' ' && b != '\t') || b == 0x7f)
                        return "Line contains binary data";
        }
        if (!utf8_is_valid((const unsigned char *) p, n))
                return "Line contains binary data (not UTF-8)";
        return NULL;
}

static bool line_starts_header(const char *p, size_t n) {
        size_t i = 0;

        while (i < n && (p[i] == ' ' || p[i] == '\t'))
                i++;
        return i < n && p[i] == '[';
}

static char *strip_blanks(char *s) {
        size_t n;

        s += strspn(s, BLANKS);
        n = strlen(s);
        while (n > 0 && strchr(BLANKS, s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* One line, already checked by line_problem() and NUL-terminated. *section is the current
 * section: NULL before the first header, section_unknown after an unknown one. */
static int config_parse_line(Config *c, const char *filename, unsigned line, char *l,
                             const char **section) {
        const ConfigKey *k;
        char *key, *value, *eq;
        size_t n;

        l = strip_blanks(l);
        if (*l == '\0' || *l == '#' || *l == ';')
                return 0;

        if (*l == '[') {
                n = strlen(l);
                if (n < 2 || l[n - 1] != ']') {
                        /* Later keys would land in the wrong section: drop them as well. */
                        *section = section_unknown;
                        return config_warn(c, filename, line,
                                           "Invalid section header '%." QUOTE_MAX "s'", l);
                }
                l[n - 1] = '\0';
                *section = config_section_find(l + 1);
                if (!*section) {
                        *section = section_unknown;
                        return config_warn(c, filename, line,
                                           "Unknown section [%." QUOTE_MAX "s]", l + 1);
                }
                return 0;
        }

        eq = strchr(l, '=');
        if (!eq)
                return config_warn(c, filename, line,
                                   "Missing '=' in line '%." QUOTE_MAX "s'", l);
        *eq = '\0';
        key = strip_blanks(l);
        value = strip_blanks(eq + 1);
        if (*key == '\0')
                return config_warn(c, filename, line, "Missing key name before '='");
        if (!*section)
                return config_warn(c, filename, line,
                                   "Assignment to %." QUOTE_MAX "s= outside of any section", key);
        if (*section == section_unknown)
                return 0;

        k = config_key_find(*section, key);
        if (!k)
                return config_warn(c, filename, line,
                                   "Unknown key %." QUOTE_MAX "s= in section [%s]", key,
                                   *section);
        return config_assign(c, k, value, filename, line);
}

int config_parse_text(Config *c, const char *text, size_t len, const char *filename) {
        char buf[CONFIG_LINE_MAX + 1];
        const char *section = NULL;
        const char *p = text, *end = text ? text + len : NULL;
        unsigned line = 0;
        int r;

        if (!c || (!text && len > 0))
                return -EINVAL;
        if (len == 0)
                return 0;

        /* Editors on other systems like to start files with a byte order mark. */
        if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
                p += 3;

        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = (nl ? nl : end) - p;
                const char *problem = NULL;

                line++;
                if (n > 0 && p[n - 1] == '\r')
                        n--;
                if (n > CONFIG_LINE_MAX || (problem = line_problem(p, n))) {
                        /* An unreadable section header still ends the current section: the
                         * keys under it must not land in the one before. */
                        if (line_starts_header(p, n))
                                section = section_unknown;
                        if (n > CONFIG_LINE_MAX)
                                r = config_warn(c, filename, line, "Line longer than %u bytes",
                                                CONFIG_LINE_MAX);
                        else
                                r = config_warn(c, filename, line, "%s", problem);
                } else {
                        memcpy(buf, p, n);
                        buf[n] = '\0';
                        r = config_parse_line(c, filename, line, buf, &section);
                }
                if (r < 0)
                        return r;
                if (!nl)
                        break;
                p = nl + 1;
        }
        return 0;
}

/* Returns 1 with the file's content, 0 when there is nothing to parse (missing, or a
 * diagnostic was recorded), or -ENOMEM. */
static int config_read_file(Config *c, const char *path, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        struct stat st;
        int r;

        /* O_NONBLOCK: a FIFO in place of the file must not hang the boot. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                r = errno;
                if (r == ENOENT) {
                        log_debug("%s: Not present, using defaults for it.", path);
                        return 0;
                }
                return config_warn(c, path, 0, "Failed to open: %s", strerror(r));
        }
        if (fstat(fd, &st) < 0)
                return config_warn(c, path, 0, "Failed to stat: %s", strerror(errno));
        if (S_ISDIR(st.st_mode))
                return config_warn(c, path, 0, "Is a directory, not a file");
        /* A link to /dev/null is how systemd-style configuration masks a file. */
        if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) {
                log_debug("%s: Masked.", path);
                return 0;
        }
        if (!S_ISREG(st.st_mode))
                return config_warn(c, path, 0, "Not a regular file");
        if (st.st_size > (off_t) CONFIG_FILE_SIZE_MAX)
                return config_warn(c, path, 0, "File larger than %u bytes", CONFIG_FILE_SIZE_MAX);

        /* The size from fstat() is only a hint: the file may grow while we read it. */
        buf = malloc(CONFIG_FILE_SIZE_MAX + 1);
        if (!buf)
                return -ENOMEM;
        while (size <= CONFIG_FILE_SIZE_MAX) {
                ssize_t k = read(fd, buf + size, CONFIG_FILE_SIZE_MAX + 1 - size);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return config_warn(c, path, 0, "Failed to read: %s", strerror(errno));
                }
                if (k == 0)
                        break;
                size += (size_t) k;
        }
        if (size > CONFIG_FILE_SIZE_MAX)
                return config_warn(c, path, 0, "File larger than %u bytes", CONFIG_FILE_SIZE_MAX);

        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 1;
}

static int config_load_file(Config *c, const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r;

        r = config_read_file(c, path, &text, &size);
        if (r <= 0)
                return r;
        log_debug("%s: Parsing %zu bytes.", path, size);
        if (strv_extend(&c->files, path) < 0)
                return -ENOMEM;
        return config_parse_text(c, text, size, path);
}

static bool dropin_name_wanted(const char *name) {
        size_t n = strlen(name);

        /* Dot files are editor backups and package manager leftovers. */
        return name[0] != '.' && n > 5 && streq(name + n - 5, ".conf");
}

static bool name_is_printable(const char *name) {
        for (const char *p = name; *p; p++)
                if ((unsigned char) *p < ' ' || *p == 0x7f)
                        return false;
        return true;
}

/* Keeps the CONFIG_DROPINS_MAX lexically first names, sorted, in names[] (NULL-terminated,
 * room for CONFIG_DROPINS_MAX + 1 pointers). Bounded memory however big the directory is,
 * and the same result whatever order readdir() returns. */
static int dropin_names_insert(char **names, size_t *n, const char *name, bool *overflow) {
        size_t pos;

        if (*n == CONFIG_DROPINS_MAX) {
                *overflow = true;
                if (strcmp(name, names[*n - 1]) >= 0)
                        return 0;
                free(names[--*n]);
                names[*n] = NULL;
        }
        for (pos = *n; pos > 0 && strcmp(names[pos - 1], name) > 0; pos--)
                ;
        memmove(names + pos + 1, names + pos, (*n - pos + 1) * sizeof(char *));
        names[pos] = strdup(name);
        if (!names[pos]) {
                /* Keep the vector NULL-terminated and free-able: close the gap again. */
                memmove(names + pos, names + pos + 1, (*n - pos + 1) * sizeof(char *));
                return -ENOMEM;
        }
        (*n)++;
        return 0;
}

static int config_load_dropins(Config *c, const char *dir) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        bool overflow = false;
        struct dirent *de;
        size_t n = 0;
        int r;

        d = opendir(dir);
        if (!d) {
                r = errno;
                if (r == ENOENT) {
                        log_debug("%s: Not present, no drop-ins.", dir);
                        return 0;
                }
                return config_warn(c, dir, 0, "Failed to open drop-in directory: %s",
                                   strerror(r));
        }

        names = calloc(CONFIG_DROPINS_MAX + 1, sizeof(char *));
        if (!names)
                return -ENOMEM;
        for (;;) {
                errno = 0;
                de = readdir(d);
                if (!de)
                        break;
                if (!dropin_name_wanted(de->d_name))
                        continue;
                if (!name_is_printable(de->d_name)) {
                        r = config_warn(c, dir, 0, "Drop-in with an unprintable name");
                        if (r < 0)
                                return r;
                        continue;
                }
                r = dropin_names_insert(names, &n, de->d_name, &overflow);
                if (r < 0)
                        return r;
        }
        /* A partial listing would apply some drop-ins and not others, depending on luck. */
        if (errno != 0)
                return config_warn(c, dir, 0, "Failed to read drop-in directory: %s",
                                   strerror(errno));
        if (overflow) {
                r = config_warn(c, dir, 0, "More than %u drop-ins, only the first %u are read",
                                CONFIG_DROPINS_MAX, CONFIG_DROPINS_MAX);
                if (r < 0)
                        return r;
        }

        STRV_FOREACH(name, names) {
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "%s/%s", dir, *name) < 0)
                        return -ENOMEM;
                r = config_load_file(c, path);
                if (r < 0)
                        return r;
        }
        return 0;
}

int config_load_from(Config *c, const char *main_path) {
        _cleanup_free_ char *dir = NULL;
        int r;

        if (!c || !main_path)
                return -EINVAL;

        r = config_load_file(c, main_path);
        if (r < 0)
                return r;
        if (asprintf(&dir, "%s.d", main_path) < 0)
                return -ENOMEM;
        return config_load_dropins(c, dir);
}

/* SPEC §7: the IMDS endpoints can be overridden for tests. Applied after the files, so a
 * test does not depend on what the machine's /etc says. */
static int config_apply_env_imds_endpoints(Config *c) {
        static const char name[] = "$" CONFIG_ENV_IMDS_ENDPOINTS;
        const ConfigKey *k = config_key_find("IMDS", "Endpoints");
        _cleanup_free_ char *copy = NULL;
        const char *e, *problem, *value;
        size_t n;

        assert(k);
        e = env_override(CONFIG_ENV_IMDS_ENDPOINTS);
        if (!e)
                return 0;
        n = strnlen(e, CONFIG_LINE_MAX + 1);
        if (n > CONFIG_LINE_MAX)
                return config_warn(c, name, 0, "Longer than %u bytes", CONFIG_LINE_MAX);
        problem = line_problem(e, n);
        if (problem)
                return config_warn(c, name, 0, "%s", problem);
        copy = strdup(e);
        if (!copy)
                return -ENOMEM;
        value = strip_blanks(copy);
        /* Set but blank is treated as unset, not as "reset to the defaults". */
        if (*value == '\0')
                return 0;
        return config_assign(c, k, value, name, 0);
}

int config_load(Config *c) {
        const char *path;
        int r;

        if (!c)
                return -EINVAL;

        path = env_override(CONFIG_ENV_PATH);
        if (!path)
                path = EC2NET_CONFIG_FILE;
        r = config_load_from(c, path);
        if (r < 0)
                return r;
        return config_apply_env_imds_endpoints(c);
}

bool config_driver_allowed(const Config *c, const char *driver) {
        return c && driver && strv_contains(c->drivers, driver);
}

bool config_interface_excluded(const Config *c, const char *ifname, const char *mac) {
        if (!c)
                return false;
        if (ifname) {
                STRV_FOREACH(p, c->exclude_interfaces)
                        if (fnmatch(*p, ifname, 0) == 0)
                                return true;
        }
        /* Patterns are stored lower-case; FNM_CASEFOLD covers a MAC given in upper case. */
        if (mac) {
                STRV_FOREACH(p, c->exclude_macs)
                        if (fnmatch(*p, mac, FNM_CASEFOLD) == 0)
                                return true;
        }
        return false;
}
