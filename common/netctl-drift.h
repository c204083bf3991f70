/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The comparison of ec2-netctl status (SPEC §11): from the three views of an interface in
 * the model (IMDS, the generated files, networkd and the kernel), every disagreement as a
 * finding with what was expected and what was found. Pure: model in, findings out; no I/O.
 *
 * What is expected follows SPEC §4 and the renderer: the rules of ec2net_policy_{4,6}.conf
 * at priority = table, the secondary addresses of ec2net_alias.conf, the routes of eni.conf
 * in the ENI's table (the IPv4 default and subnet routes when the interface holds IPv4, the
 * IPv6 default and subnet routes when it holds IPv6), the altnames, and our .network file
 * applied by networkd.
 */

#include <stdbool.h>

#include "netctl-model.h"

/* Adds the findings of one interface to i->findings. -ENOMEM. */
int netctl_drift_check(NetctlInterface *i);

/* Is path our .network file for ifname (PREFIX-IFACE.network, in any directory: the
 * administrator's file of the same name in /etc replaces ours by design)? */
bool netctl_network_file_is_ours(const char *ifname, const char *path);

/* The policy rules the generated files ask for, as "ADDR/LEN" sources of the given family
 * (AF_INET, AF_INET6), at priority and table eni_table(). Empty when the files have none
 * (primary ENI, PolicyRules=no, no address of the family). */
int netctl_expected_rule_sources(const NetctlInterface *i, int family, char ***ret);
/* The secondary IPv4 addresses ec2net_alias.conf asks for. */
int netctl_expected_secondaries(const NetctlInterface *i, char ***ret);
/* The altnames SPEC §4 asks for: the ENI id and device-number-D[.C]. */
int netctl_expected_altnames(const NetctlInterface *i, char ***ret);

/* Is the IPv4 address one of the ENI's: listed in local-ipv4s, or inside a delegated
 * ipv4-prefix? */
bool netctl_address_is_enis(const Eni *eni, const char *address);

/* Does a kernel rule at the interface's priority match "from SOURCE lookup TABLE"? */
bool netctl_rule_is_expected(const KernelRule *rule, unsigned table, const char *source);
