/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/* Which interfaces IMDS requests are bound to, in order (SPEC §3): the interfaces the
 * requests are for (own), then the default route (""), then other ENIs (others), each only
 * when it holds a global IPv4 address with its subnet's route (LinkAddresses.has_subnet_ipv4).
 * An interface without one must not be used: the kernel would send the request out of it
 * with another ENI's source address, which the VPC drops, or with a secondary /32 it cannot
 * route (and the request waits for its timeout). Either list may be NULL. */
int imds_routes_build(char *const *own, char *const *others, char ***ret);
