/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Cleanup attributes and ownership transfer, in the style of systemd's macro.h. */

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Move ownership out of a cleanup variable. */
#define TAKE_PTR(p)                          \
        ({                                   \
                __typeof__(p) *_pp_ = &(p);  \
                __typeof__(p) _v_ = *_pp_;   \
                *_pp_ = NULL;                \
                _v_;                         \
        })

#define TAKE_FD(fd)                          \
        ({                                   \
                int *_pfd_ = &(fd);          \
                int _v_ = *_pfd_;            \
                *_pfd_ = -1;                 \
                _v_;                         \
        })

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}
#define _cleanup_closedir_ _cleanup_(closedirp)

/* Declare name##p(type **) calling func(*p) when non-NULL. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)   \
        static inline void func##p(type *p) {     \
                if (*p)                           \
                        func(*p);                 \
        }

/* errno as a negative return value, never 0 even when errno was not set. */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

static inline const char *strempty(const char *s) {
        return s ? s : "";
}

static inline const char *strna(const char *s) {
        return s ? s : "n/a";
}

#define streq(a, b) (strcmp((a), (b)) == 0)

/* x equals one of the (int) values. */
#define IN_SET(x, ...)                                                          \
        ({                                                                      \
                const int _in_set_v_[] = { __VA_ARGS__ };                       \
                bool _in_set_found_ = false;                                    \
                for (size_t _i_ = 0; _i_ < ELEMENTSOF(_in_set_v_); _i_++)       \
                        if (_in_set_v_[_i_] == (x))                             \
                                _in_set_found_ = true;                          \
                _in_set_found_;                                                 \
        })
