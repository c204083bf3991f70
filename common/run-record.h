/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * The last setup or refresh of each interface and how it ended, kept per boot under
 * RUNTIME_DIR/runs/IFACE.json, so that an operator (ec2-netctl status) sees when an ENI was
 * last configured and with what result without reading the journal. Written by the programs
 * that configure an interface (ec2-net-refresh, the seed stage) after each run that found
 * the interface; a refresh of an interface that is gone writes nothing.
 */

#include <stdbool.h>
#include <stdint.h>

#define RUN_RECORD_ACTION_MAX 16
#define RUN_RECORD_ERROR_MAX 128

typedef struct RunRecord {
        char action[RUN_RECORD_ACTION_MAX]; /* "start", "refresh" or "seed" */
        uint64_t time_usec;                 /* CLOCK_REALTIME when the run ended */
        int error;                          /* 0, or the negative errno / error-codes.h code */
        char error_text[RUN_RECORD_ERROR_MAX]; /* error_to_string(error), "" on success */
        int exit_status;                    /* what the run's outcome maps to (exit-status.h) */
        bool changed;                       /* it changed files of the interface */
        unsigned imds_requests;
        /* CLOCK_REALTIME of the last run that succeeded (this one, or kept from the record
         * before when this one failed); 0 when none did this boot. */
        uint64_t last_success_usec;
} RunRecord;

/* Writes the record (atomically), filling in last_success_usec from the previous record
 * when this run failed. */
int run_record_save(const char *runtime_dir, const char *ifname, const RunRecord *record);
/* -ENOENT when there is none, -EINVAL when it is not a valid record. */
int run_record_load(const char *runtime_dir, const char *ifname, RunRecord *ret);
void run_record_remove(const char *runtime_dir, const char *ifname);

/* A record of now for the result r of a run (0 or a negative code). */
void run_record_init(RunRecord *record, const char *action, int r, bool changed, unsigned imds_requests);
