/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "build-config.h"
#include "file-read.h"
#include "file-save.h"
#include "curl-dlopen.h"
#include "error-codes.h"
#include "imds-client.h"
#include "imds-parse.h"
#include "lock.h"
#include "log.h"
#include "strv.h"
#include "time-util.h"
#include "validate.h"

#define TOKEN_MAX 512
/* A cached token is used until this long before IMDS would expire it. */
#define TOKEN_EXPIRY_MARGIN_SEC 120
#define BACKOFF_BASE_USEC (100 * USEC_PER_MSEC)
#define BACKOFF_MAX_USEC (2 * USEC_PER_SEC)

static void curl_slist_free_allp(struct curl_slist **l) {
        if (*l)
                sym_curl_slist_free_all(*l);
}


struct ImdsClient {
        CURL *curl;
        char **endpoints;
        char **interfaces;
        ImdsRoute *routes;
        size_t n_routes;
        size_t route;            /* index of the route in use */
        bool route_confirmed;    /* the route in use answered in this run */

        char token[TOKEN_MAX + 1];
        char *token_cache_dir;
        bool token_cache_read_only;

        uint64_t deadline_usec;
        unsigned max_attempts;
        uint64_t request_timeout_usec;
        uint64_t connect_timeout_usec;
        unsigned n_requests;
};

/* The response of one HTTP exchange. */
typedef struct Response {
        long status;             /* 0: no HTTP answer (transport error) */
        CURLcode curl_code;
        char *body;
        size_t len;
        bool too_large;
        bool stalled;            /* connected, then the answer did not come in time */
} Response;

static void response_done(Response *r) {
        free(r->body);
        *r = (Response) {};
}

static size_t write_body(char *data, size_t size, size_t nmemb, void *userdata) {
        Response *r = userdata;
        size_t n = size * nmemb;
        char *b;

        /* Nothing valid is this large: stop reading instead of buffering (bounded memory). */
        if (r->len + n > IMDS_BODY_MAX) {
                r->too_large = true;
                return 0;
        }
        b = realloc(r->body, r->len + n + 1);
        if (!b)
                return 0;
        memcpy(b + r->len, data, n);
        r->len += n;
        b[r->len] = '\0';
        r->body = b;
        return n;
}

static uint64_t boottime_sec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_BOOTTIME, &ts);
        return (uint64_t) ts.tv_sec;
}

static bool token_is_valid(const char *t, size_t len) {
        if (len == 0 || len > TOKEN_MAX)
                return false;
        /* It goes into a header line: only characters of base64 and friends. */
        return strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_.-") == len;
}

static void token_cache_load(ImdsClient *c) {
        _cleanup_close_ int dir_fd = -1;
        _cleanup_free_ char *text = NULL;
        json_auto_t *j = NULL;
        const char *token;
        json_int_t expires;

        if (!c->token_cache_dir)
                return;
        dir_fd = open(c->token_cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dir_fd < 0 || read_file_at(dir_fd, IMDS_TOKEN_CACHE_NAME, 4096, &text, NULL) < 0)
                return;
        j = json_loads(text, 0, NULL);
        if (json_unpack(j, "{s:s, s:I}", "token", &token, "expires", &expires) < 0)
                return;
        if (!token_is_valid(token, strlen(token)) ||
            expires < (json_int_t) boottime_sec() + TOKEN_EXPIRY_MARGIN_SEC)
                return;
        strcpy(c->token, token);
        log_debug("Using the cached IMDS token.");
}

static void token_cache_save(ImdsClient *c, unsigned ttl_sec) {
        _cleanup_close_ int dir_fd = -1;
        _cleanup_free_ char *text = NULL;
        json_auto_t *j = NULL;

        if (!c->token_cache_dir || c->token_cache_read_only)
                return;
        dir_fd = open(c->token_cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dir_fd < 0)
                return;
        j = json_pack("{s:s, s:I}", "token", c->token, "expires", (json_int_t) boottime_sec() + (json_int_t) ttl_sec);
        text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        if (text)
                (void) file_save_atomic_mode(dir_fd, IMDS_TOKEN_CACHE_NAME, text, 0600);
}

static void token_drop(ImdsClient *c) {
        _cleanup_close_ int dir_fd = -1;

        c->token[0] = '\0';
        if (!c->token_cache_dir || c->token_cache_read_only)
                return;
        dir_fd = open(c->token_cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dir_fd >= 0)
                (void) file_save_atomic(dir_fd, IMDS_TOKEN_CACHE_NAME, NULL);
}

static int build_routes(ImdsClient *c) {
        size_t n_ep = strv_length(c->endpoints), n_if = strv_length(c->interfaces), k = 0;

        if (n_if == 0) {
                if (strv_extend(&c->interfaces, "") < 0)
                        return -ENOMEM;
                n_if = 1;
        }
        c->routes = calloc(n_ep * n_if, sizeof(ImdsRoute));
        if (!c->routes)
                return -ENOMEM;
        /* Each endpoint through every interface before the next endpoint (SPEC §3). */
        for (size_t e = 0; e < n_ep; e++)
                for (size_t i = 0; i < n_if; i++)
                        c->routes[k++] = (ImdsRoute) { c->endpoints[e], c->interfaces[i] };
        c->n_routes = k;
        return 0;
}

int imds_client_new(const ImdsOptions *o, ImdsClient **ret) {
        static char *const default_endpoints[] = IMDS_DEFAULT_ENDPOINTS;
        ImdsClient *c;
        int r;

        r = dlopen_curl();
        if (r < 0)
                return r;
        if (sym_curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK)
                return -EIO;
        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->endpoints = strv_copy(o->endpoints && o->endpoints[0] ? o->endpoints : default_endpoints);
        c->interfaces = strv_copy(o->interfaces);
        c->token_cache_dir = o->token_cache_dir ? strdup(o->token_cache_dir) : NULL;
        c->token_cache_read_only = o->token_cache_read_only;
        c->curl = sym_curl_easy_init();
        if (!c->endpoints || !c->interfaces || (o->token_cache_dir && !c->token_cache_dir) || !c->curl) {
                imds_client_free(c);
                return -ENOMEM;
        }
        r = build_routes(c);
        if (r < 0) {
                imds_client_free(c);
                return r;
        }
        c->deadline_usec = o->deadline_usec ? o->deadline_usec : usec_add(now_usec(), 10 * USEC_PER_SEC);
        c->max_attempts = o->max_attempts ? o->max_attempts : 4;
        c->request_timeout_usec = o->request_timeout_usec ? o->request_timeout_usec : 2 * USEC_PER_SEC;
        c->connect_timeout_usec = o->connect_timeout_usec ? o->connect_timeout_usec : 250 * USEC_PER_MSEC;
        token_cache_load(c);
        *ret = c;
        return 0;
}

ImdsClient *imds_client_free(ImdsClient *c) {
        if (!c)
                return NULL;
        if (c->curl)
                sym_curl_easy_cleanup(c->curl);
        strv_free(c->endpoints);
        strv_free(c->interfaces);
        free(c->routes);
        free(c->token_cache_dir);
        explicit_bzero(c->token, sizeof c->token);
        free(c);
        return NULL;
}

void imds_client_set_deadline(ImdsClient *c, uint64_t deadline_usec) {
        c->deadline_usec = deadline_usec;
}

unsigned imds_client_requests(const ImdsClient *c) {
        return c->n_requests;
}

const ImdsRoute *imds_client_answered_route(const ImdsClient *c) {
        return c->route_confirmed ? &c->routes[c->route] : NULL;
}

static long msec_until(uint64_t deadline, uint64_t cap) {
        uint64_t now = now_usec(), left = deadline > now ? deadline - now : 0;

        if (left > cap)
                left = cap;
        return (long) (left / USEC_PER_MSEC);
}

/* One HTTP exchange on the current route. Fills resp; returns -EIMDS_TIMEOUT when no time
 * is left to even try, -ENOMEM, or 0 (look at resp). */
static int http_exchange(ImdsClient *c, bool put_token, const char *path, Response *resp) {
        _cleanup_(curl_slist_free_allp) struct curl_slist *headers = NULL;
        const ImdsRoute *route = &c->routes[c->route];
        char url[512], header[TOKEN_MAX + 64], iface[IFNAME_MAX_BUF];
        long timeout_ms = msec_until(c->deadline_usec, c->request_timeout_usec);
        struct curl_slist *h;

        if (timeout_ms <= 0)
                return -EIMDS_TIMEOUT;
        if (snprintf(url, sizeof url, "%s/latest/%s%s", route->endpoint,
                     put_token ? "api/token" : "meta-data/", put_token ? "" : path) >= (int) sizeof url)
                return -EINVAL;

        if (put_token)
                snprintf(header, sizeof header, "X-aws-ec2-metadata-token-ttl-seconds: %d", IMDS_TOKEN_TTL_SEC);
        else
                snprintf(header, sizeof header, "X-aws-ec2-metadata-token: %s", c->token);
        h = sym_curl_slist_append(NULL, header);
        if (!h)
                return -ENOMEM;
        headers = h;

        sym_curl_easy_reset(c->curl);   /* keeps the connection cache: keep-alive across requests */
        sym_curl_easy_setopt(c->curl, CURLOPT_URL, url);
        sym_curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
        sym_curl_easy_setopt(c->curl, CURLOPT_USERAGENT, EC2NET_USER_AGENT);
        sym_curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
        /* Never through a proxy from the environment, never elsewhere by redirect. */
        sym_curl_easy_setopt(c->curl, CURLOPT_PROXY, "");
        sym_curl_easy_setopt(c->curl, CURLOPT_NOPROXY, "*");
        sym_curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
        sym_curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http");
#else
        sym_curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS, (long) CURLPROTO_HTTP);
#endif
        sym_curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
        sym_curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS,
                         msec_until(c->deadline_usec, c->connect_timeout_usec) ?: 1L);
        sym_curl_easy_setopt(c->curl, CURLOPT_MAXFILESIZE, (long) IMDS_BODY_MAX);
        sym_curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, write_body);
        sym_curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, resp);
        if (put_token)
                sym_curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, "PUT");
        if (route->interface[0]) {
                /* "if!" binds to the device (SO_BINDTODEVICE), never to an address lookalike. */
                snprintf(iface, sizeof iface, "if!%s", route->interface);
                sym_curl_easy_setopt(c->curl, CURLOPT_INTERFACE, iface);
        }

        c->n_requests++;
        resp->curl_code = sym_curl_easy_perform(c->curl);
        if (resp->curl_code == CURLE_OK || resp->curl_code == CURLE_WRITE_ERROR ||
            resp->curl_code == CURLE_FILESIZE_EXCEEDED)
                sym_curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
        if (resp->curl_code == CURLE_FILESIZE_EXCEEDED)
                resp->too_large = true;
        if (resp->curl_code == CURLE_OPERATION_TIMEDOUT) {
                curl_off_t connected = 0;

                /* A connect that timed out is an unreachable route, not a stalled IMDS. */
                if (sym_curl_easy_getinfo(c->curl, CURLINFO_CONNECT_TIME_T, &connected) == CURLE_OK)
                        resp->stalled = connected > 0;
        }
        log_debug("IMDS %s %s via %s: %s%ld (%s)", put_token ? "PUT" : "GET", url,
                  route->interface[0] ? route->interface : "default route",
                  resp->status ? "HTTP " : "", resp->status, sym_curl_easy_strerror(resp->curl_code));
        return 0;
}

/* Sleeps for an exponentially growing, jittered time, never past the deadline. Returns
 * -EIMDS_TIMEOUT when the deadline does not leave room for the wait. */
static int backoff(ImdsClient *c, unsigned attempt) {
        uint64_t wait = BACKOFF_BASE_USEC << (attempt < 5 ? attempt : 5), now = now_usec();
        uint32_t rnd = 0;

        if (wait > BACKOFF_MAX_USEC)
                wait = BACKOFF_MAX_USEC;
        (void) !getrandom(&rnd, sizeof rnd, GRND_NONBLOCK);
        wait = wait / 2 + (rnd % (wait / 2 + 1));   /* jitter: 50–100% */
        if (now + wait >= c->deadline_usec)
                return -EIMDS_TIMEOUT;
        sleep_usec(wait);
        return 0;
}

/* The error for a request that used up its attempts, from the last response: IMDS that
 * accepted the connection and then hung or sent its body too slowly is a timeout, not "no
 * route"; an HTTP answer is neither. */
static int exhausted_errno(const Response *r) {
        if (r->status != 0 || r->too_large)
                return -EIMDS_BUSY;
        return r->stalled ? -EIMDS_TIMEOUT : -EIMDS_UNREACHABLE;
}

/* After a request that got no HTTP answer: the next route. An interface whose DHCP address
 * networkd is renewing (a reload, a lease lost) stops answering until it is back, while
 * another ENI does, so a route that answered before is left too. true: try it now; false:
 * every route of this round went unanswered, back off (the count starts again). */
static bool route_next(ImdsClient *c, size_t *unreachable) {
        c->route = (c->route + 1) % c->n_routes;
        c->route_confirmed = false;
        if (++*unreachable < c->n_routes)
                return true;
        *unreachable = 0;
        return false;
}

/* Gets a token, trying every route from the current one (SPEC §3 order); when none
 * answers, backs off and goes round again, within max_attempts and the deadline. */
static int acquire_token(ImdsClient *c) {
        _cleanup_(file_lock_release) FileLock lock = FILE_LOCK_NULL;
        size_t unreachable = 0;   /* routes in a row that gave no HTTP answer */
        unsigned attempt = 0;
        int r;

        if (c->token_cache_dir && !c->token_cache_read_only) {
                char path[PATH_MAX];

                /* Processes started together (boot, a burst of hotplug) share one token: one
                 * asks, the others wait and then read it from the cache. */
                snprintf(path, sizeof path, "%s/" IMDS_TOKEN_CACHE_NAME ".lock", c->token_cache_dir);
                r = file_lock_acquire(path, c->deadline_usec, &lock);
                if (r < 0)
                        return r;
                token_cache_load(c);
                if (c->token[0])
                        return 0;
        }

        for (;;) {
                _cleanup_(response_done) Response resp = {};

                r = http_exchange(c, true, NULL, &resp);
                if (r < 0)
                        return r;
                if (resp.too_large)
                        return -EIMDS_INVALID;

                switch (resp.status) {
                case 200:
                        if (resp.len > 0 && resp.body[resp.len - 1] == '\n')
                                resp.body[--resp.len] = '\0';
                        if (!token_is_valid(resp.body ?: "", resp.len))
                                return log_debug_errno(-EIMDS_INVALID, "IMDS returned an invalid token.");
                        strcpy(c->token, resp.body);
                        c->route_confirmed = true;
                        token_cache_save(c, IMDS_TOKEN_TTL_SEC);
                        return 0;
                case 403:
                        c->route_confirmed = true;
                        return -EIMDS_DISABLED;
                case 400:
                case 404:
                case 405:
                        /* A bug on our side, or no IMDSv2 here: retrying cannot help. */
                        return log_debug_errno(-EIMDS_REJECTED, "IMDS rejected the token request: HTTP %ld.",
                                               resp.status);
                case 0:
                        /* Not reachable this way: the next route, right away. */
                        if (route_next(c, &unreachable))
                                continue;
                        break;
                default:
                        break;   /* 429/5xx: the route works but IMDS is busy */
                }

                if (++attempt >= c->max_attempts)
                        return exhausted_errno(&resp);
                r = backoff(c, attempt - 1);
                if (r < 0)
                        return r;
        }
}

int imds_get(ImdsClient *c, const char *path, char **ret_body, size_t *ret_len) {
        bool renewed = false;
        unsigned attempt = 0;
        size_t unreachable = 0;   /* routes in a row that gave no HTTP answer */
        int r;

        if (!path || strstr(path, "..") || strpbrk(path, "?#% \r\n"))
                return -EINVAL;

        for (;;) {
                _cleanup_(response_done) Response resp = {};

                if (!c->token[0]) {
                        r = acquire_token(c);
                        if (r < 0)
                                return r;
                }

                r = http_exchange(c, false, path, &resp);
                if (r < 0)
                        return r;

                switch (resp.status) {
                case 200:
                        c->route_confirmed = true;
                        if (resp.too_large)
                                return -EIMDS_INVALID;
                        if (ret_body) {
                                *ret_body = resp.body ? TAKE_PTR(resp.body) : strdup("");
                                if (!*ret_body)
                                        return -ENOMEM;
                        }
                        if (ret_len)
                                *ret_len = resp.len;
                        return 0;
                case 404:
                        c->route_confirmed = true;
                        return -ENOENT;
                case 401:
                        /* Expired or unknown token: renew once (SPEC §3). */
                        if (renewed)
                                return -EIMDS_UNAUTHORIZED;
                        renewed = true;
                        token_drop(c);
                        continue;
                case 403:
                        return -EIMDS_DISABLED;
                case 400:
                        return -EIMDS_REJECTED;
                case 0:
                        if (resp.too_large)
                                return -EIMDS_INVALID;
                        /* No answer this way: the next route, right away (the token
                         * stays good), also from a route that answered before. */
                        if (route_next(c, &unreachable))
                                continue;
                        break;
                default:
                        if (resp.too_large)
                                return -EIMDS_INVALID;
                        break;   /* 429, 5xx: back off and retry */
                }

                if (++attempt >= c->max_attempts)
                        return exhausted_errno(&resp);
                r = backoff(c, attempt - 1);
                if (r < 0)
                        return r;
        }
}
