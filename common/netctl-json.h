/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * ec2-netctl's JSON output, schema "ec2-netctl/1" (NETCTL_SCHEMA), documented field by
 * field in ec2-netctl(8) (JSON OUTPUT). Every documented field is always present (null when
 * unknown), so a program never has to test for a missing key; a new field means a new
 * schema version in the man page and in NETCTL_SCHEMA. Pure: model in, JSON out.
 */

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "netctl-doctor.h"
#include "netctl-model.h"
#include "netctl-plan.h"

int netctl_status_to_json(const NetctlStatus *s, json_t **ret);
int netctl_plan_to_json(const NetctlPlan *p, json_t **ret);
int netctl_doctor_to_json(const NetctlDoctor *d, json_t **ret);

int netctl_findings_to_json(const FindingList *l, json_t **ret);

/* Writes j with a final newline: indented ("pretty") or on one line ("short"). */
int netctl_json_dump(FILE *f, const json_t *j, bool pretty);

