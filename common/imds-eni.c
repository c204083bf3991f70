/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "error-codes.h"
#include "file-save.h"
#include "imds-eni.h"
#include "imds-parse.h"
#include "log.h"
#include "strv.h"
#include "time-util.h"

#define NETWORK_CARD_MARKER "network-cards"
#define PROPAGATION_POLL_USEC (500 * USEC_PER_MSEC)
/* How long a hot-attached ENI may lack network-card before we conclude the instance type
 * has none: short when we do not know yet, long when other ENIs showed it has cards. */
#define NETWORK_CARD_UNKNOWN_BUDGET_USEC (4 * USEC_PER_SEC)
#define NETWORK_CARD_KNOWN_BUDGET_USEC (15 * USEC_PER_SEC)

typedef struct Lists {
        char **ipv4s, **ipv6s, **ipv4_prefixes, **ipv6_prefixes;
} Lists;

static void lists_done(Lists *l) {
        strv_free(l->ipv4s);
        strv_free(l->ipv6s);
        strv_free(l->ipv4_prefixes);
        strv_free(l->ipv6_prefixes);
        *l = (Lists) {};
}

static int mac_path(char *buf, size_t size, const char *mac, const char *key) {
        int n = snprintf(buf, size, "network/interfaces/macs/%s/%s", mac, key);

        return n < 0 || (size_t) n >= size ? -ENAMETOOLONG : 0;
}

static int get_mac_key(ImdsClient *c, const char *mac, const char *key, char **ret, size_t *ret_len) {
        char path[256];
        int r;

        r = mac_path(path, sizeof path, mac, key);
        if (r < 0)
                return r;
        return imds_get(c, path, ret, ret_len);
}

/* A single-line value, validated; empty is invalid. */
static int get_mac_line(ImdsClient *c, const char *mac, const char *key, char **ret) {
        _cleanup_free_ char *body = NULL;
        size_t len;
        int r;

        r = get_mac_key(c, mac, key, &body, &len);
        if (r < 0)
                return r;
        r = imds_parse_line(body, len, ret);
        if (r < 0)
                return log_debug_errno(-EIMDS_INVALID, "IMDS value of %s is not a single line.", key);
        return 0;
}

static int get_mac_uint(ImdsClient *c, const char *mac, const char *key, unsigned max, unsigned *ret) {
        _cleanup_free_ char *line = NULL;
        int r;

        r = get_mac_line(c, mac, key, &line);
        if (r < 0)
                return r;
        if (parse_bounded_uint(line, max, ret) < 0)
                return log_debug_errno(-EIMDS_INVALID, "IMDS value of %s is not a number up to %u.", key, max);
        return 0;
}

/* A list key: absent from the listing → empty; present → fetched and validated. */
static int get_mac_list(ImdsClient *c, const char *mac, char *const *listing, const char *key,
                        ImdsValueType type, bool must_have_items, char ***ret) {
        _cleanup_free_ char *body = NULL;
        size_t len;
        int r;

        if (!strv_contains(listing, key)) {
                *ret = calloc(1, sizeof(char *));
                return *ret ? 0 : -ENOMEM;
        }
        r = get_mac_key(c, mac, key, &body, &len);
        if (r == -ENOENT) {   /* listed, then gone: treat as absent like the listing would */
                *ret = calloc(1, sizeof(char *));
                return *ret ? 0 : -ENOMEM;
        }
        if (r < 0)
                return r;
        r = imds_parse_list(body, len, type, ret);
        if (r < 0)
                return log_debug_errno(-EIMDS_INVALID, "IMDS list %s is invalid.", key);
        if (must_have_items && !(*ret)[0]) {
                *ret = strv_free(*ret);
                return log_debug_errno(-EIMDS_INVALID, "IMDS list %s is empty.", key);
        }
        return 0;
}

static int get_listing(ImdsClient *c, const char *mac, char ***ret) {
        _cleanup_free_ char *body = NULL;
        size_t len;
        int r;

        r = get_mac_key(c, mac, "", &body, &len);
        if (r == -ENOENT)
                return log_debug_errno(-EIMDS_UNKNOWN_MAC, "IMDS does not know MAC %s.", mac);
        if (r < 0)
                return r;
        r = imds_parse_list(body, len, IMDS_VALUE_KEY, ret);
        if (r < 0)
                return log_debug_errno(-EIMDS_INVALID, "IMDS listing of %s is invalid.", mac);
        /* Every ENI's directory has a device-number. An empty or truncated listing is a
         * broken answer, not an ENI without addresses: it must not remove anything. */
        if (!strv_contains(*ret, "device-number")) {
                *ret = strv_free(*ret);
                return log_debug_errno(-EIMDS_INVALID, "IMDS listing of %s lacks device-number.", mac);
        }
        return 0;
}

static int fetch_lists(ImdsClient *c, const char *mac, char *const *listing, Lists *ret) {
        _cleanup_(lists_done) Lists l = {};
        int r;

        /* The ENI's primary IPv4 address is the first line of local-ipv4s: if the key is
         * there, it must hold at least that. */
        if ((r = get_mac_list(c, mac, listing, "local-ipv4s", IMDS_VALUE_IPV4, true, &l.ipv4s)) < 0 ||
            (r = get_mac_list(c, mac, listing, "ipv6s", IMDS_VALUE_IPV6, false, &l.ipv6s)) < 0 ||
            (r = get_mac_list(c, mac, listing, "ipv4-prefix", IMDS_VALUE_CIDR4, false, &l.ipv4_prefixes)) < 0 ||
            (r = get_mac_list(c, mac, listing, "ipv6-prefix", IMDS_VALUE_CIDR6, false, &l.ipv6_prefixes)) < 0)
                return r;
        *ret = l;
        l = (Lists) {};
        return 0;
}

static void eni_take_lists(Eni *eni, Lists *l) {
        strv_free(eni->ipv4s);
        strv_free(eni->ipv6s);
        strv_free(eni->ipv4_prefixes);
        strv_free(eni->ipv6_prefixes);
        eni->ipv4s = l->ipv4s;
        eni->ipv6s = l->ipv6s;
        eni->ipv4_prefixes = l->ipv4_prefixes;
        eni->ipv6_prefixes = l->ipv6_prefixes;
        *l = (Lists) {};
}

int imds_fetch_primary_mac(ImdsClient *c, char ret[static MAC_STR_MAX]) {
        _cleanup_free_ char *body = NULL, *line = NULL;
        size_t len;
        int r;

        r = imds_get(c, "mac", &body, &len);
        if (r < 0)
                return r;
        if (imds_parse_line(body, len, &line) < 0 || validate_mac(line, ret) < 0)
                return log_debug_errno(-EIMDS_INVALID, "IMDS top-level mac is invalid.");
        return 0;
}

#define PRIMARY_MAC_CACHE "primary-mac"
#define IMDS_UNAVAILABLE_MARKER "imds-unavailable"

static int runtime_read(const char *runtime_dir, const char *name, size_t max, char **ret) {
        _cleanup_close_ int fd = -1;

        if (!runtime_dir)
                return -ENOENT;
        fd = open(runtime_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        return read_file_at(fd, name, max, ret, NULL);
}

static void runtime_write(const char *runtime_dir, const char *name, const char *content) {
        _cleanup_close_ int fd = -1;

        if (!runtime_dir)
                return;
        fd = open(runtime_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0)
                (void) file_save_atomic(fd, name, content);
}

int imds_primary_mac_cached(const char *runtime_dir, char ret[static MAC_STR_MAX]) {
        _cleanup_free_ char *text = NULL;

        if (runtime_read(runtime_dir, PRIMARY_MAC_CACHE, 64, &text) >= 0 && text && strlen(text) == MAC_STR_MAX &&
            text[MAC_STR_MAX - 1] == '\n') {
                text[MAC_STR_MAX - 1] = '\0';
                if (validate_mac(text, ret) >= 0)
                        return 0;
        }
        return -ENOENT;
}

int imds_primary_mac(ImdsClient *c, const char *runtime_dir, char ret[static MAC_STR_MAX]) {
        char line[MAC_STR_MAX + 1];
        int r;

        if (imds_primary_mac_cached(runtime_dir, ret) >= 0)
                return 0;
        r = imds_fetch_primary_mac(c, ret);
        if (r < 0)
                return r;
        snprintf(line, sizeof line, "%s\n", ret);
        runtime_write(runtime_dir, PRIMARY_MAC_CACHE, line);
        return 0;
}

bool imds_unavailable_marked(const char *runtime_dir) {
        _cleanup_free_ char *text = NULL;

        return runtime_read(runtime_dir, IMDS_UNAVAILABLE_MARKER, 64, &text) >= 0;
}

void imds_unavailable_mark(const char *runtime_dir, bool unavailable) {
        runtime_write(runtime_dir, IMDS_UNAVAILABLE_MARKER, unavailable ? "yes\n" : NULL);
}

int network_card_marker_read(const char *runtime_dir) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *s = NULL;

        if (!runtime_dir)
                return -ENOENT;
        fd = open(runtime_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || read_file_at(fd, NETWORK_CARD_MARKER, 16, &s, NULL) < 0)
                return -ENOENT;
        if (streq(s, "yes\n"))
                return 1;
        if (streq(s, "no\n"))
                return 0;
        return -ENOENT;
}

void network_card_marker_write(const char *runtime_dir, bool has_cards) {
        _cleanup_close_ int fd = -1;

        if (!runtime_dir)
                return;
        /* "yes" always wins: once one ENI showed a card, the instance type has them. */
        if (!has_cards && network_card_marker_read(runtime_dir) == 1)
                return;
        fd = open(runtime_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0)
                (void) file_save_atomic(fd, NETWORK_CARD_MARKER, has_cards ? "yes\n" : "no\n");
}

static void sleep_until(uint64_t t) {
        uint64_t now = now_usec();
        struct timespec ts;

        if (t <= now)
                return;
        ts = (struct timespec) { .tv_sec = (time_t) ((t - now) / USEC_PER_SEC),
                                 .tv_nsec = (long) ((t - now) % USEC_PER_SEC) * 1000 };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Waits a little before the next propagation poll; false when the budget is spent. */
static bool propagation_wait(uint64_t deadline) {
        uint64_t next = usec_add(now_usec(), PROPAGATION_POLL_USEC);

        if (next >= deadline)
                return false;
        sleep_until(next);
        return true;
}

/* Whether the instance type has network cards, from the primary ENI's listing: its data is
 * complete from launch, so it shows the key exactly when the instance type has cards. */
static int instance_has_network_cards(ImdsClient *c, const char *primary_mac, const ImdsFetchOptions *o) {
        _cleanup_strv_free_ char **listing = NULL;
        int known, r;

        known = network_card_marker_read(o->runtime_dir);
        if (known >= 0 || !primary_mac)
                return known;
        r = get_listing(c, primary_mac, &listing);
        if (r < 0)
                return r;
        known = strv_contains(listing, "network-card");
        network_card_marker_write(o->runtime_dir, known);
        return known;
}

static int fetch_network_card(ImdsClient *c, const char *mac, const char *primary_mac, char *const *listing,
                              const ImdsFetchOptions *o, int *ret) {
        uint64_t deadline;
        unsigned card;
        int known, r;

        if (strv_contains(listing, "network-card")) {
                r = get_mac_uint(c, mac, "network-card", ENI_MAX_NETWORK_CARD, &card);
                if (r < 0)
                        return r;
                network_card_marker_write(o->runtime_dir, true);
                *ret = (int) card;
                return 0;
        }

        if (!o->wait_for_propagation) {
                *ret = NETWORK_CARD_NONE;
                return 0;
        }
        known = instance_has_network_cards(c, primary_mac, o);
        if (known == 0) {
                *ret = NETWORK_CARD_NONE;
                return 0;
        }

        /* Missing: either this instance type has no cards, or the value has not propagated
         * yet after a hot-attach. Poll within a budget that depends on what we know. */
        deadline = usec_add(now_usec(), known == 1 ? NETWORK_CARD_KNOWN_BUDGET_USEC
                                                   : NETWORK_CARD_UNKNOWN_BUDGET_USEC);
        if (deadline > o->propagation_deadline_usec)
                deadline = o->propagation_deadline_usec;
        while (propagation_wait(deadline)) {
                r = get_mac_uint(c, mac, "network-card", ENI_MAX_NETWORK_CARD, &card);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;
                network_card_marker_write(o->runtime_dir, true);
                *ret = (int) card;
                return 0;
        }
        if (known == 1)
                return log_debug_errno(-EIMDS_PROPAGATING, "network-card of %s did not appear in IMDS.", mac);
        log_debug("No network-card for %s: this instance type has no network cards.", mac);
        network_card_marker_write(o->runtime_dir, false);
        *ret = NETWORK_CARD_NONE;
        return 0;
}

static int fetch_device_number(ImdsClient *c, const char *mac, int network_card,
                               const ImdsFetchOptions *o, unsigned *ret) {
        unsigned n;
        int r;

        for (;;) {
                r = get_mac_uint(c, mac, "device-number", ENI_MAX_DEVICE_NUMBER, &n);
                if (r < 0)
                        return r;
                /* 0 on card 0 belongs to the primary ENI only; for any other ENI it means the
                 * real value has not propagated yet (SPEC §3). */
                if (n != 0 || network_card > 0) {
                        *ret = n;
                        return 0;
                }
                if (!o->wait_for_propagation || !propagation_wait(o->propagation_deadline_usec))
                        return log_debug_errno(-EIMDS_PROPAGATING, "device-number of %s is still 0 in IMDS.", mac);
        }
}

int imds_fetch_interface(ImdsClient *c, const char *mac, const char *primary_mac,
                         const ImdsFetchOptions *o, Eni *ret) {
        _cleanup_(eni_done) Eni eni = {};
        _cleanup_strv_free_ char **listing = NULL, **subnet6 = NULL;
        _cleanup_(lists_done) Lists lists = {};
        int r;

        r = eni_init(&eni);
        if (r < 0)
                return r;
        if (validate_mac(mac, eni.mac) < 0)
                return -EINVAL;
        eni.primary = primary_mac && streq(eni.mac, primary_mac);

        r = get_listing(c, eni.mac, &listing);
        if (r < 0)
                return r;

        if (eni.primary) {
                /* The primary is device 0 on card 0 by definition; no need to ask. */
                eni.device_number = 0;
                eni.network_card = strv_contains(listing, "network-card") ? 0 : NETWORK_CARD_NONE;
                network_card_marker_write(o->runtime_dir, eni.network_card == 0);
        } else {
                r = fetch_network_card(c, eni.mac, primary_mac, listing, o, &eni.network_card);
                if (r < 0)
                        return r;
                r = fetch_device_number(c, eni.mac, eni.network_card, o, &eni.device_number);
                if (r < 0)
                        return r;
        }

        if (strv_contains(listing, "interface-id")) {
                _cleanup_free_ char *id = NULL;

                r = get_mac_line(c, eni.mac, "interface-id", &id);
                if (r < 0)
                        return r;
                if (validate_eni_id(id, eni.interface_id) < 0)
                        return log_debug_errno(-EIMDS_INVALID, "IMDS interface-id is invalid.");
        }

        r = fetch_lists(c, eni.mac, listing, &lists);
        if (r < 0)
                return r;
        eni_take_lists(&eni, &lists);

        if (strv_contains(listing, "subnet-ipv4-cidr-block")) {
                _cleanup_free_ char *cidr = NULL;
                char buf[CIDR_STR_MAX];

                r = get_mac_line(c, eni.mac, "subnet-ipv4-cidr-block", &cidr);
                if (r < 0 && r != -ENOENT)
                        return r;
                if (r >= 0) {
                        if (validate_cidr4(cidr, buf) < 0)
                                return log_debug_errno(-EIMDS_INVALID, "IMDS subnet-ipv4-cidr-block is invalid.");
                        eni.subnet_ipv4_cidr = strdup(buf);
                        if (!eni.subnet_ipv4_cidr)
                                return -ENOMEM;
                }
        }
        r = get_mac_list(c, eni.mac, listing, "subnet-ipv6-cidr-blocks", IMDS_VALUE_CIDR6, false, &subnet6);
        if (r < 0)
                return r;
        strv_free(eni.subnet_ipv6_cidrs);
        eni.subnet_ipv6_cidrs = TAKE_PTR(subnet6);

        *ret = eni;
        eni = (Eni) {};
        return 0;
}

int imds_refresh_interface(ImdsClient *c, Eni *eni) {
        _cleanup_strv_free_ char **listing = NULL;
        _cleanup_(lists_done) Lists lists = {};
        int r;

        r = get_listing(c, eni->mac, &listing);
        if (r < 0)
                return r;
        r = fetch_lists(c, eni->mac, listing, &lists);
        if (r < 0)
                return r;
        /* An ENI keeps its primary private IPv4 address for as long as it is attached: an
         * answer without it, or with another one first, is not to be trusted. */
        if (eni->ipv4s[0] && (!lists.ipv4s[0] || !streq(lists.ipv4s[0], eni->ipv4s[0])))
                return log_debug_errno(-EIMDS_INVALID, "IMDS local-ipv4s of %s lost the primary address %s.",
                                       eni->mac, eni->ipv4s[0]);
        eni_take_lists(eni, &lists);
        return 0;
}
