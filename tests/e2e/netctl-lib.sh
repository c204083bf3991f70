# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Helpers of the ec2-netctl scenarios (e2e-netctl-*.sh), sourced after common.sh.

# nc_run NAME ARGS...: `ec2-netctl ARGS` inside the instance; stdout in $LAB_DIR/NAME.out
# (NC_OUT), stderr in NAME.err, exit status in NC_RC.
nc_run() {
    local name=$1
    shift
    lab_product ec2-netctl "$@" >"$LAB_DIR/$name.out" 2>"$LAB_DIR/$name.err"
    NC_RC=$?
    NC_OUT="$LAB_DIR/$name.out"
    [ ! -s "$LAB_DIR/$name.err" ] || sed 's/^/    stderr| /' "$LAB_DIR/$name.err"
}

# nc_json NAME ARGS...: the same with --json=short; NC_JSON is the file.
nc_json() {
    local name=$1
    shift
    nc_run "$name" "$@" --json=short
    NC_JSON=$NC_OUT
}

# nc_ids [IFACE]: the ids of the problems (errors and warnings) of IFACE (or of the host)
# in $NC_JSON, sorted, one a line. (Info findings, such as networkd still configuring a link
# it was just told to reload, come and go with timing.)
nc_ids() {
    if [ -n "${1:-}" ]; then
        jq -r --arg i "$1" '.interfaces[] | select(.name == $i) | .findings[] | select(.severity != "info") | .id' \
            "$NC_JSON" | sort
    else
        jq -r '.findings[] | select(.severity != "info") | .id' "$NC_JSON" | sort
    fi
}

# nc_finding IFACE ID FIELD: FIELD (expected, found, remedy, severity, ...) of the first
# finding ID of IFACE.
nc_finding() {
    jq -r --arg i "$1" --arg id "$2" --arg f "$3" \
        '[.interfaces[] | select(.name == $i) | .findings[] | select(.id == $id)][0][$f] // "null"' "$NC_JSON"
}

# nc_field IFACE JQ-PATH: a field of IFACE's object (".managed", ".imds.source").
nc_field() {
    jq -r --arg i "$1" ".interfaces[] | select(.name == \$i) | $2" "$NC_JSON"
}

# nc_show: the findings of $NC_JSON, for the log.
nc_show() {
    jq -r '(.findings[], .interfaces[].findings[]) | "    finding: \(.interface // "host") \(.id) (\(.severity)) expected=\(.expected) found=\(.found)"' \
        "$NC_JSON" 2>/dev/null || sed 's/^/    | /' "$NC_JSON"
}

# nc_documented: every JSON path that ec2-netctl(8) documents for a document (section
# status/plan/doctor), jq-style, sorted.
nc_documented() {
    awk -v want=".SS \"$1\"" '
        /^\.S[SH] / { in_section = ($0 == want); next }
        in_section && /^\\fB\./ { sub(/^\\fB/, ""); sub(/\\fR.*/, ""); print }' \
        "$LAB_SRC_DIR/man/ec2-netctl.8.in" | sort -u
}

# nc_paths FILE: the JSON paths of FILE as nc_documented names them (the fields of finding
# objects left out: they have their own section), sorted.
nc_paths() {
    jq -r '[paths | map(if type == "number" then "[]" else . end)
            | select(.[-1] != "[]")
            | select(((map(. == "findings") | index(true)) // 1000000) >= length - 1)
            | reduce .[] as $p (""; if $p == "[]" then . + "[]" else . + "." + $p end)] | unique[]' "$1"
}

# nc_finding_keys FILE: the keys of every finding object in FILE, sorted and unique.
nc_finding_keys() {
    jq -r '[.. | objects | select(has("findings")) | .findings[] | keys[] | "." + .] | unique[]' "$1"
}
