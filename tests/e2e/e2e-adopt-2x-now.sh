#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# e2e-adopt-2x with [Interfaces] DeferTakeOver=no: each ENI moves from 2.x's files to the
# product's at its first refresh after the upgrade.
ADOPT_NOW=1 exec bash "$(dirname "$0")/e2e-adopt-2x.sh" "$@"
