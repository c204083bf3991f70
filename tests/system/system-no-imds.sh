#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Boot where IMDS never answers (not on EC2, or IMDS turned off; issue 4): the seed stage
# waits its bound ([Boot] SeedTimeoutSec=), says so in one clear log line and boot goes on;
# the per-interface units give up within their own bounds, and network-online.target is
# reached. Then IMDS comes back and a restart of policy-routes@ configures the ENI.
#
#   system-no-imds.sh --build-dir BUILD [--keep] [--verbose]
set -u
source "$(dirname "$0")/system.sh"
sys_init "$@"

lab_load "$SYS_LIB_DIR/scenarios/three-enis-and-one-later.json"
IFACES=(ens5 ens6 ens7)
SEED_TIMEOUT=3
MSG_IMDS_UNAVAILABLE=3c8a6e1d4f2b4a9c8e0d7b5a3f1c2e83   # common/log.h
sys_vpc_up
# No IMDS: the address stays on the VPC's loopback, nothing listens (connection refused).
kill "$LAB_IMDS_PID"
for ((i = 0; i < 100; i++)); do lab_alive "$LAB_IMDS_PID" || break; sleep 0.05; done

# "Boot goes on after the bound" (issue 4): network-online.target within the seed stage's
# bound plus a little. The per-interface units pulled into the boot must not wait for IMDS
# all over again once the seed stage found it silent.
BOOT_BOUND=$((SEED_TIMEOUT + 10))
SYS_BOOT_TIMEOUT=60

sys_prepare
printf '[Boot]\nSeedTimeoutSec=%s\n' "$SEED_TIMEOUT" |
    sys_root_file /etc/amazon-ec2-net-utils.conf.d/60-seed.conf
sys_start
wants=$(sys_path /run/systemd/generator/multi-user.target.wants)
for u in ec2-net-seed.service policy-routes@ens5.service policy-routes@ens6.service \
    policy-routes@ens7.service; do
    lab_assert "the generator wired $u into the boot" test -L "$wants/$u"
done
lab_assert "the boot transaction finished without IMDS (${SYS_BOOT_SECONDS}s, state: ${SYS_BOOT_STATE:-none})" \
    test -n "$SYS_BOOT_STATE"
t_init=$(sys_ct systemctl show -P UserspaceTimestampMonotonic)
online=$(sys_prop network-online.target ActiveEnterTimestampMonotonic)
if [ "${online:-0}" -gt 0 ]; then
    online_s=$(awk -v u="$online" -v b="$t_init" 'BEGIN { printf "%.2f", (u - b) / 1e6 }')
else
    online_s=never
fi
lab_assert "network-online.target reached within ${BOOT_BOUND}s of systemd's start (${online_s})" \
    awk -v s="$online_s" -v b="$BOOT_BOUND" 'BEGIN { exit !(s != "never" && s + 0 <= b) }'

seed=$(sys_journal -u ec2-net-seed.service)
echo "$seed" | sed 's/^/    seed| /'
n=$(sys_journal -t ec2-net-seed MESSAGE_ID=$MSG_IMDS_UNAVAILABLE | wc -l)
lab_assert "the seed stage logged one line saying IMDS did not answer (got $n)" test "$n" = 1
lab_assert "the seed stage succeeded (boot goes on)" \
    test "$(sys_prop ec2-net-seed.service Result)" = success
seed_s=$(awk -v a="$(sys_prop ec2-net-seed.service ActiveEnterTimestampMonotonic)" \
    -v b="$(sys_prop ec2-net-seed.service InactiveExitTimestampMonotonic)" \
    'BEGIN { printf "%.2f", (a - b) / 1e6 }')
lab_assert "the seed stage kept its bound of ${SEED_TIMEOUT}s (took ${seed_s}s)" \
    awk -v s="$seed_s" -v t="$SEED_TIMEOUT" 'BEGIN { exit !(s <= t + 2) }'
for i in "${IFACES[@]}"; do
    lab_log "policy-routes@$i: $(sys_prop "policy-routes@$i.service" ActiveState)/\
$(sys_prop "policy-routes@$i.service" Result), restarts $(sys_prop "policy-routes@$i.service" NRestarts)"
done
sys_journal -u 'policy-routes@*' | sed 's/ec2-net-refresh\[[0-9]*\]/ec2-net-refresh/' | sort |
    uniq -c | sort -rn | head -n 8 | sed 's/^/    policy-routes@| /'
lab_assert "nothing written to /run/systemd/network without IMDS" \
    test -z "$(find "$(sys_path /run/systemd/network)" -mindepth 1 -print -quit)"

# IMDS comes back: a restart of the unit (what Restart=on-failure or an operator does)
# configures the ENI.
rm -f "$LAB_DIR/imds.port"
lab_imds_start
sys_ct systemctl restart policy-routes@ens6.service
lab_assert "policy-routes@ens6 configured ens6 once IMDS answers" \
    test "$(sys_prop policy-routes@ens6.service ActiveState)" = active
lab_wait_for 20 lab_inst "$LAB_PYTHON" "$LAB_LIB_DIR/labtool.py" check "$LAB_IMDS_FILE" ens6 || true
lab_check ens6

lab_summary
