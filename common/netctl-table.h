/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * ec2-netctl's output for people, in the manner of networkctl: a host line, a table of the
 * ENIs and the findings (status), or one block per interface with every view (status
 * IFACE...). Colour only when asked for (the caller decides: a terminal, no NO_COLOR).
 * Pure: model in, text out.
 */

#include <stdbool.h>
#include <stdio.h>

#include "netctl-doctor.h"
#include "netctl-model.h"
#include "netctl-plan.h"

/* The status as a table (detailed = false) or per-interface blocks (detailed = true). */
int netctl_status_dump(FILE *f, const NetctlStatus *s, bool detailed, bool colour);

/* What a refresh would change: per interface the diffs, rules, addresses, altnames, and
 * what it would leave wrong; then whether networkd would be reloaded. */
int netctl_plan_dump(FILE *f, const NetctlPlan *p, bool colour);

/* Each check with its result, then the findings. */
int netctl_doctor_dump(FILE *f, const NetctlDoctor *d, bool colour);

/* ANSI colour of a severity, and the reset; "" without colour. */
const char *netctl_colour(FindingSeverity s, bool colour);
