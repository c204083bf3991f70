/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The IMDS client (SPEC §3): IMDSv2 only, one token and one keep-alive connection per run,
 * requests bound to an interface with fallbacks, every call bounded by a deadline.
 *
 * Results of imds_get():
 *   0            a value (a 200 answer; the body may be empty — the caller decides)
 *   -ENOENT      404: the key does not exist (a legitimate answer)
 *   -EACCES      403: IMDS is disabled for this instance
 *   -EBADMSG     400, or a body that cannot be a valid answer (too large, not text)
 *   -EPERM       401 again after one token renewal
 *   -ETIMEDOUT   the deadline passed (including while backing off on 429/5xx/timeouts)
 *   -EHOSTUNREACH no endpoint could be reached on any route
 *   -EIO         retries for 429/5xx exhausted
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

typedef struct ImdsOptions {
        char *const *endpoints;        /* base URLs, tried in order; NULL: the defaults */
        char *const *interfaces;       /* bind requests to these, in order; "" = default route */
        const char *token_cache_dir;   /* NULL: do not cache the token */
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
/* The interface ("" for the default route) and endpoint that answered, or NULL. */
const char *imds_client_route_interface(const ImdsClient *c);
const char *imds_client_route_endpoint(const ImdsClient *c);
