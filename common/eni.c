/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "eni.h"
#include "strv.h"

int eni_init(Eni *eni) {
        *eni = (Eni) { .network_card = NETWORK_CARD_NONE };
        eni->ipv4s = calloc(1, sizeof(char *));
        eni->ipv6s = calloc(1, sizeof(char *));
        eni->ipv4_prefixes = calloc(1, sizeof(char *));
        eni->ipv6_prefixes = calloc(1, sizeof(char *));
        eni->subnet_ipv6_cidrs = calloc(1, sizeof(char *));
        if (!eni->ipv4s || !eni->ipv6s || !eni->ipv4_prefixes || !eni->ipv6_prefixes ||
            !eni->subnet_ipv6_cidrs) {
                eni_done(eni);
                return -ENOMEM;
        }
        return 0;
}

void eni_done(Eni *eni) {
        if (!eni)
                return;
        strv_free(eni->ipv4s);
        strv_free(eni->ipv6s);
        strv_free(eni->ipv4_prefixes);
        strv_free(eni->ipv6_prefixes);
        strv_free(eni->subnet_ipv6_cidrs);
        free(eni->subnet_ipv4_cidr);
        *eni = (Eni) { .network_card = NETWORK_CARD_NONE };
}

static unsigned card_index(const Eni *eni) {
        return eni->network_card > 0 ? (unsigned) eni->network_card : 0;
}

unsigned eni_table(const Eni *eni) {
        return 10000 + 100 * card_index(eni) + eni->device_number;
}

unsigned eni_metric(const Eni *eni) {
        return 512 + 100 * card_index(eni) + eni->device_number;
}

bool eni_is_primary_device(const Eni *eni) {
        return eni->device_number == 0 && card_index(eni) == 0;
}

static json_t *strv_to_json(char *const *l) {
        json_t *a = json_array();

        STRV_FOREACH(s, l)
                if (!a || json_array_append_new(a, json_string(*s)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

int eni_to_json(const Eni *eni, json_t **ret) {
        json_auto_t *j = NULL;

        j = json_pack("{s:s, s:s, s:I, s:b, s:o, s:o, s:o, s:o, s:o}",
                      "mac", eni->mac,
                      "interface-id", eni->interface_id,
                      "device-number", (json_int_t) eni->device_number,
                      "primary", eni->primary,
                      "local-ipv4s", strv_to_json(eni->ipv4s),
                      "ipv6s", strv_to_json(eni->ipv6s),
                      "ipv4-prefix", strv_to_json(eni->ipv4_prefixes),
                      "ipv6-prefix", strv_to_json(eni->ipv6_prefixes),
                      "subnet-ipv6-cidr-blocks", strv_to_json(eni->subnet_ipv6_cidrs));
        if (!j)
                return -ENOMEM;
        if (eni->network_card != NETWORK_CARD_NONE &&
            json_object_set_new(j, "network-card", json_integer(eni->network_card)) < 0)
                return -ENOMEM;
        if (eni->subnet_ipv4_cidr &&
            json_object_set_new(j, "subnet-ipv4-cidr-block", json_string(eni->subnet_ipv4_cidr)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(j);
        return 0;
}

typedef int (*validator_t)(const char *s, char ret[static CIDR_STR_MAX]);

static int validate_ipv4_wide(const char *s, char ret[static CIDR_STR_MAX]) {
        return validate_ipv4(s, ret);
}

static int validate_ipv6_wide(const char *s, char ret[static CIDR_STR_MAX]) {
        return validate_ipv6(s, ret);
}

static int json_to_strv(const json_t *j, const char *key, validator_t validate, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        const json_t *a = json_object_get(j, key);
        size_t i;
        json_t *v;
        int r;

        if (!l)
                return -ENOMEM;
        if (a) {
                if (!json_is_array(a) || json_array_size(a) > 256)
                        return -EINVAL;
                json_array_foreach(a, i, v) {
                        char buf[CIDR_STR_MAX];

                        if (!json_is_string(v) || validate(json_string_value(v), buf) < 0)
                                return -EINVAL;
                        r = strv_extend(&l, buf);
                        if (r < 0)
                                return r;
                }
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 0;
}

int eni_from_json(const json_t *j, Eni *ret) {
        _cleanup_(eni_done) Eni eni = {};
        const json_t *v;
        int r;

        if (!json_is_object(j))
                return -EINVAL;
        r = eni_init(&eni);
        if (r < 0)
                return r;

        v = json_object_get(j, "mac");
        if (!json_is_string(v) || validate_mac(json_string_value(v), eni.mac) < 0)
                return -EINVAL;
        v = json_object_get(j, "interface-id");
        if (v && (!json_is_string(v) ||
                  (json_string_length(v) > 0 && validate_eni_id(json_string_value(v), eni.interface_id) < 0)))
                return -EINVAL;
        v = json_object_get(j, "device-number");
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) > ENI_MAX_DEVICE_NUMBER)
                return -EINVAL;
        eni.device_number = (unsigned) json_integer_value(v);
        v = json_object_get(j, "network-card");
        if (v) {
                if (!json_is_integer(v) || json_integer_value(v) < 0 ||
                    json_integer_value(v) > ENI_MAX_NETWORK_CARD)
                        return -EINVAL;
                eni.network_card = (int) json_integer_value(v);
        }
        v = json_object_get(j, "primary");
        if (v && !json_is_boolean(v))
                return -EINVAL;
        eni.primary = json_is_true(v);

        if ((r = json_to_strv(j, "local-ipv4s", validate_ipv4_wide, &eni.ipv4s)) < 0 ||
            (r = json_to_strv(j, "ipv6s", validate_ipv6_wide, &eni.ipv6s)) < 0 ||
            (r = json_to_strv(j, "ipv4-prefix", validate_cidr4, &eni.ipv4_prefixes)) < 0 ||
            (r = json_to_strv(j, "ipv6-prefix", validate_cidr6, &eni.ipv6_prefixes)) < 0 ||
            (r = json_to_strv(j, "subnet-ipv6-cidr-blocks", validate_cidr6, &eni.subnet_ipv6_cidrs)) < 0)
                return r;

        v = json_object_get(j, "subnet-ipv4-cidr-block");
        if (v) {
                char buf[CIDR_STR_MAX];

                if (!json_is_string(v) || validate_cidr4(json_string_value(v), buf) < 0)
                        return -EINVAL;
                eni.subnet_ipv4_cidr = strdup(buf);
                if (!eni.subnet_ipv4_cidr)
                        return -ENOMEM;
        }

        *ret = eni;
        eni = (Eni) {};
        return 0;
}
