/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

/*
 * An oracle for the renderer's output, independent of how render.c builds it: every line of
 * every rendered file must be something render_interface() may write for this input (SPEC
 * §4). That is: the two header comment lines naming the interface; only the sections each
 * file may hold; per section only its keys, each at most once; and values of the expected
 * shape (checked with the validators of common/validate.h, canonical form) that agree with
 * the model: the ENI's MAC, table, metric, addresses, prefixes and subnets, the settings'
 * drivers. An injected "DNS=" line, a section out of place or a value from nowhere fails.
 */

#include <stddef.h>

#include "render.h"

/* 0 when every file of r passes; -EBADMSG otherwise, with the file, line number and
 * reason in err. */
int rendered_interface_check(const RenderInput *in, const RenderSettings *s, const RenderedInterface *r,
                             char *err, size_t err_size);
