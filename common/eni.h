/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The model of one elastic network interface as IMDS describes it (SPEC §3–4). Every string
 * in it has passed a validator from validate.h; nothing else may be stored here.
 */

#include <jansson.h>
#include <stdbool.h>

#include "validate.h"

#define NETWORK_CARD_NONE (-1)   /* the instance type has no network-card key */
#define ENI_MAX_NETWORK_CARD 31
#define ENI_MAX_DEVICE_NUMBER 99 /* keeps table and metric numbers unique per card */

typedef struct Eni {
        char mac[MAC_STR_MAX];
        char interface_id[ENI_ID_MAX];  /* "" when IMDS has no interface-id */
        unsigned device_number;
        int network_card;               /* NETWORK_CARD_NONE or 0..ENI_MAX_NETWORK_CARD */
        bool primary;                   /* the MAC equals the top-level "mac" */
        char **ipv4s;                   /* local-ipv4s; the first is the ENI's primary address */
        char **ipv6s;
        char **ipv4_prefixes;
        char **ipv6_prefixes;
        char *subnet_ipv4_cidr;         /* NULL when the subnet has none */
        char **subnet_ipv6_cidrs;
} Eni;

/* Zeroes the model with empty (non-NULL) lists. */
int eni_init(Eni *eni);
void eni_done(Eni *eni);

/* SPEC §4: table = 10000 + 100 × card + device; the rules use it as priority too. */
unsigned eni_table(const Eni *eni);
/* SPEC §4: metric = 512 + 100 × card + device. */
unsigned eni_metric(const Eni *eni);
/* Rules are never written for the primary ENI (device 0 on card 0, SPEC §4). */
bool eni_is_primary_device(const Eni *eni);

/* Serialisation, for the per-interface state under /run and for golden test inputs. The
 * parser validates every value exactly as the IMDS path does. */
int eni_to_json(const Eni *eni, json_t **ret);
int eni_from_json(const json_t *j, Eni *ret);
