/* SPDX-License-Identifier: Apache-2.0 */
/* The per-interface state read back from /run: any JSON gives a valid model or an error,
 * and a valid model renders to files in which every line is one the renderer may write
 * for that model (rendered-check.h): no value can start a new line, section or key. */
#include "fuzz-check.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "eni.h"
#include "render.h"
#include "rendered-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char *const drivers[] = { (char *) "ena", NULL };
        json_t *j = json_loadb((const char *) data, size, 0, NULL);
        Eni eni = {};

        if (j && eni_from_json(j, &eni) >= 0) {
                RenderedInterface r = {};
                RenderSettings s = { .drivers = drivers, .policy_rules = true,
                                     .secondary_addresses = true };
                RenderInput in = { .ifname = "eth1", .eni = &eni, .has_ipv4 = true, .has_ipv6 = true };

                if (render_interface(&in, &s, &r) >= 0) {
                        char err[512];

                        if (rendered_interface_check(&in, &s, &r, err, sizeof err) < 0) {
                                fprintf(stderr, "rendered output the renderer may not write: %s\n", err);
                                FUZZ_CHECK(false);
                        }
                }
                rendered_interface_done(&r);
                eni_done(&eni);
        }
        json_decref(j);
        return 0;
}
