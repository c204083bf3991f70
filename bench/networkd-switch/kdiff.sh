#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# kdiff.sh A.kernel B.kernel: the difference between two kernel snapshots of
# experiment.sh (lab_snapshot_kernel), without what differs between any two labs: the VPC
# routers' link-local addresses (their bridges get random MACs) and the ids networkd 257
# gives the nexthop objects of RA routes.
norm() { sed -E 's/"gateway": "fe80::[0-9a-f:]+"/"gateway": "fe80::ROUTER"/; s/"nhid": [0-9]+/"nhid": ID/' "$1"; }
diff <(norm "$1") <(norm "$2")
