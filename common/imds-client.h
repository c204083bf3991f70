/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The IMDS client (SPEC §3): IMDSv2 only, one token and one keep-alive connection per run,
 * requests bound to an interface with fallbacks, every call bounded by a deadline.
 *
 * Results of imds_get() (the codes of IMDS's answers are error-codes.h's, which no local
 * system call returns, so a local EACCES or ETIMEDOUT is never taken for IMDS's):
 *   0                  a value (a 200 answer; the body may be empty — the caller decides)
 *   -ENOENT            404: the key does not exist (a legitimate answer)
 *   -EIMDS_DISABLED    403: IMDS is disabled for this instance
 *   -EIMDS_REJECTED    400 (or the token request refused: no IMDSv2)
 *   -EIMDS_INVALID     a body that cannot be a valid answer (too large, an invalid token)
 *   -EIMDS_UNAUTHORIZED 401 again after one token renewal
 *   -EIMDS_TIMEOUT     the deadline passed (including while backing off), or IMDS accepted
 *                      the connection and then stalled on every attempt
 *   -EIMDS_UNREACHABLE no endpoint could be reached on any route
 *   -EIMDS_BUSY        retries for 429/5xx exhausted
 *   a local -errno     the token cache lock (-ETIMEDOUT when it was not free in time), -ENOMEM
 * An error is never an empty answer.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define IMDS_DEFAULT_ENDPOINTS { "http://169.254.169.254", "http://[fd00:ec2::254]", NULL }
#define IMDS_TOKEN_TTL_SEC 21600
#define IMDS_TOKEN_CACHE_NAME "imds-token"

typedef struct ImdsClient ImdsClient;

typedef struct ImdsRoute {
        const char *endpoint;
        const char *interface;   /* bound to this interface; "" = the default route */
} ImdsRoute;

typedef struct ImdsOptions {
        char *const *endpoints;        /* base URLs, tried in order; NULL: the defaults */
        char *const *interfaces;       /* bind requests to these, in order; "" = default route */
        const char *token_cache_dir;   /* NULL: do not cache the token */
        bool token_cache_read_only;    /* use a cached token, never write or lock the cache
                                        * (ec2-netctl: looking changes nothing) */
        uint64_t deadline_usec;        /* CLOCK_MONOTONIC; no call runs past it */
        unsigned max_attempts;         /* per request, for 429/5xx/timeouts; 0: default (4) */
        uint64_t request_timeout_usec; /* one HTTP exchange; 0: default (2 s) */
        uint64_t connect_timeout_usec; /* 0: default (250 ms) */
} ImdsOptions;

int imds_client_new(const ImdsOptions *options, ImdsClient **ret);
ImdsClient *imds_client_free(ImdsClient *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImdsClient *, imds_client_free);

/* Moves the deadline (e.g. a longer budget for initial setup than for one refresh). */
void imds_client_set_deadline(ImdsClient *c, uint64_t deadline_usec);

/* GET latest/meta-data/PATH. On success *ret_body is NUL-terminated (len excludes it). */
int imds_get(ImdsClient *c, const char *path, char **ret_body, size_t *ret_len);

/* HTTP requests made so far (token PUTs included), for logs and benchmarks. */
unsigned imds_client_requests(const ImdsClient *c);
/* The route IMDS answered on in this run (also a 403 or 404), or NULL when it never
 * answered: whether this run reached IMDS at all. */
const ImdsRoute *imds_client_answered_route(const ImdsClient *c);
