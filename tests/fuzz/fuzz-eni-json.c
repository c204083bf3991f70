/* SPDX-License-Identifier: Apache-2.0 */
/* The per-interface state read back from /run: any JSON gives a valid model or an error,
 * and a valid model renders to files in which no value can start a new line or section. */
#include "fuzz-check.h"
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "eni.h"
#include "render.h"

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

                if (render_interface(&in, &s, &r) >= 0)
                        for (int f = 0; f < _IFACE_FILE_MAX; f++)
                                for (const char *p = r.content[f]; p && (p = strchr(p, '\n')); p++)
                                        /* Every line is a comment, a section, a key=value or empty. */
                                        FUZZ_CHECK(p[1] == '\0' || p[1] == '\n' || p[1] == '#' || p[1] == '[' ||
                                               (p[1] >= 'A' && p[1] <= 'Z'));
                rendered_interface_done(&r);
                eni_done(&eni);
        }
        json_decref(j);
        return 0;
}
