#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Runs the maintainer scripts of the built .deb (with the parts debhelper added) and the
# scriptlets of the built .rpm through install, upgrade and removal, each scenario against a
# stand-in system, and checks what they did:
#   - a private mount and network namespace: a fresh tmpfs on /run holding a generated
#     /run/systemd/network (the package's files, 2.x's, netplan's, an administrator's) and
#     the generator's wants links; /etc under an overlay whose upper layer records every
#     change; /proc/cmdline replaced where a scenario needs it; the package's own
#     ec2-net-generator at its installed path (the scripts ask it whether the package is
#     enabled);
#   - systemctl, deb-systemd-helper, deb-systemd-invoke, dpkg-divert, udevadm,
#     systemd-tmpfiles and systemd-sysctl replaced by stubs that log their arguments and
#     answer is-enabled/show from the scenario (masked units).
# Checked (SPEC §8, §10, issues 5 and 12): first installation enables networkd and resolved
# and starts exactly what a boot would (seed and policy-routes@ of the ENIs present); a
# disabled package (configuration or kernel command line) takes nothing over; masked units
# are neither enabled nor started; upgrades start, stop and restart nothing and change
# nothing in /etc (resolv.conf included) or /run; removal stops the units and has the
# product (its own ec2-net-generator --cleanup --no-reload: networkd keeps what it runs
# until the next boot) delete the files it generated under /run,
# those 2.x left and its runtime directory, and nothing else (not an administrator's, not
# netplan's), and leaves /etc as it was.
#
# Usage: test-maintscripts.sh OUTDIR    (OUTDIR of test-deb.sh / test-rpm.sh)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=package-lib.sh
source "$here/package-lib.sh"
self=$here/$(basename "$0")

# ---------------------------------------------------------------------------------------
# Inside the namespaces: set up the stand-in system, run the scripts, report.
# ---------------------------------------------------------------------------------------
GENERATOR_DIR=/usr/lib/systemd/system-generators

if [ "${1:-}" = --inner ]; then
    set -e
    # shellcheck source=package-lib.sh
    source "$(dirname "$0")/package-lib.sh"
    work=$2; shift 2   # remaining: the commands to run, as "SCRIPT ARG..." strings
    log=$work/calls.log
    : >"$log"

    mount -t tmpfs -o mode=0755 tmpfs /run
    mkdir -p "$work/etc-upper" "$work/etc-work"
    mount -t overlay overlay -o "lowerdir=/etc,upperdir=$work/etc-upper,workdir=$work/etc-work" /etc
    mount -t tmpfs tmpfs /usr/sbin   # no policy-rc.d, no host tools under /usr/sbin
    for t in /usr/lib/systemd/systemd-sysctl /lib/systemd/systemd-sysctl; do
        if [ -e "$t" ]; then mount --bind "$work/stubs/systemd-sysctl" "$t"; fi
    done
    if [ -f "$work/cmdline" ]; then mount --bind "$work/cmdline" /proc/cmdline; fi
    mount -t tmpfs -o mode=0755 tmpfs "$GENERATOR_DIR"
    cp "$work/generator" "$GENERATOR_DIR/ec2-net-generator"
    # The package's unit files installed (an rpm scriptlet tells by them whether the package
    # now installed is this product or 2.x).
    mount -t tmpfs -o mode=0755 tmpfs /usr/lib/systemd/system
    cp "$work/units"/* /usr/lib/systemd/system/
    [ -f "$work/policy-rc.d" ] && cp "$work/policy-rc.d" /usr/sbin/policy-rc.d

    # The system as the scenario wants it: two ENIs present (this network namespace's sysfs).
    ip link add ens5 type veth peer name ens6
    mount -t sysfs sysfs /sys
    [ -f "$work/not-booted" ] || mkdir -p /run/systemd/system
    wants=/run/systemd/generator/multi-user.target.wants
    mkdir -p "$wants"
    for u in ec2-net-seed.service policy-routes@ens5.service policy-routes@ens6.service; do
        ln -s "/usr/lib/systemd/system/${u/@*./@.}" "$wants/$u"
    done
    # /run/systemd/network as a running instance has it: the product's files for ens5 and
    # ens6 (as its renderer writes them) with an administrator's drop-in and a crashed
    # writer's temporary file beside them; ens9's drop-ins whose .network is gone; what 2.x
    # left for ens7 under the other prefix and for ens8 under ours; netplan's and an
    # administrator's files. The runtime directory with the product's state and 2.x's.
    n=/run/systemd/network
    p=$(cat "$work/prefix")
    other=70; [ "$p" != 70 ] || other=07
    mkdir -p "$n" /run/amazon-ec2-net-utils/interfaces /run/amazon-ec2-net-utils/lock \
        /run/amazon-ec2-net-utils/setup-policy-routes
    pkg_put_generated "$n" "$p"
    echo '[Network]' >"$n/$p-ens5.network.d/50-admin.conf"                 # an administrator's
    : >"$n/$p-ens5.network.d/.#eni.conf.0123456789abcdef"                     # a crashed writer's
    mkdir -p "$n/$p-ens9.network.d"
    sed 's/ens6/ens9/g' "$n/$p-ens6.network.d/eni.conf" >"$n/$p-ens9.network.d/eni.conf"
    pkg_put_legacy "$n" "$other" ens7 0e:00:00:00:02:00
    pkg_put_legacy "$n" "$p" ens8 0e:00:00:00:03:00
    printf '[Match]\nName=ens5\n' >"$n/10-netplan-ens5.network"                     # netplan's
    printf '[Match]\nName=eth9\n' >"$n/05-admin.network"                            # an administrator's
    echo token >/run/amazon-ec2-net-utils/imds-token
    echo '{}' >/run/amazon-ec2-net-utils/interfaces/ens5.json
    echo 4242 >/run/amazon-ec2-net-utils/setup-policy-routes/ens7
    # /etc as the scenario wants it: a plain resolv.conf, the configuration drop-ins.
    rm -f /etc/resolv.conf
    if [ -f "$work/resolv-link" ]; then
        ln -s ../run/systemd/resolve/stub-resolv.conf /etc/resolv.conf
    else
        echo 'nameserver 10.0.0.2' >/etc/resolv.conf
    fi
    if [ -d "$work/conf.d" ]; then
        mkdir -p /etc/amazon-ec2-net-utils.conf.d
        cp "$work/conf.d"/* /etc/amazon-ec2-net-utils.conf.d/
    fi
    [ -f "$work/conf" ] && cp "$work/conf" /etc/amazon-ec2-net-utils.conf

    snapshot() {   # snapshot DIR: every entry with its type, link target and checksum
        (cd "$1" && find . -mindepth 1 -printf '%P %y %l\n' | LC_ALL=C sort
         find . -type f -exec md5sum {} + | LC_ALL=C sort -k 2)
    }
    snapshot "$work/etc-upper" >"$work/etc.before"
    snapshot /run >"$work/run.before"

    export PATH="$work/stubs:$PATH" STUB_LOG=$log
    rc=0
    for cmd in "$@"; do
        echo "+ $cmd" >>"$log"
        # shellcheck disable=SC2086 # "SCRIPT ARG..." on purpose
        sh $cmd >>"$work/output.log" 2>&1 || { rc=$?; echo "exit $rc: $cmd" >>"$work/output.log"; }
    done

    snapshot "$work/etc-upper" >"$work/etc.after"
    snapshot /run >"$work/run.after"
    (cd /run/systemd/network && find . -mindepth 1 | LC_ALL=C sort) >"$work/network.after"
    readlink /etc/resolv.conf >"$work/resolv.after" 2>/dev/null || echo file >"$work/resolv.after"
    exit "$rc"
fi

# ---------------------------------------------------------------------------------------
# Outside: the scenarios and their checks.
# ---------------------------------------------------------------------------------------
out=${1:?usage: test-maintscripts.sh OUTDIR}
out=$(cd "$out" && pwd)
[ "$(id -u)" = 0 ] || pkg_skip "needs root (mount namespaces)"
pkg_require unshare mount dpkg-deb rpm
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
    grep -qw overlay /proc/filesystems || pkg_skip "no overlayfs in this kernel"
unshare -m -n true 2>/dev/null || pkg_skip "cannot create mount and network namespaces"
[ -d "$GENERATOR_DIR" ] || pkg_skip "no $GENERATOR_DIR to mount the package's generator on"

deb=$(find "$out/deb/src" -maxdepth 1 -name "${PKG_NAME}_*.deb" 2>/dev/null | head -n 1)
rpm=$(find "$out/rpm/RPMS" -name "$PKG_NAME-*.rpm" 2>/dev/null | head -n 1)
[ -n "$deb" ] || [ -n "$rpm" ] || pkg_skip "no package built in $out (run package-deb, package-rpm)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scripts=$tmp/scripts
mkdir -p "$scripts/deb" "$scripts/rpm" "$scripts/2x" "$tmp/stubs"
[ -z "$deb" ] || dpkg-deb -e "$deb" "$scripts/deb"
# Debian's 2.x package, whose scripts run with ours on an upgrade from it and a downgrade to it.
if [ -n "$deb" ]; then
    legacy_deb=$(pkg_legacy_deb) || pkg_skip "cannot get Debian's $PKG_NAME $PKG_LEGACY_VERSION"
    dpkg-deb -e "$legacy_deb" "$scripts/2x"
fi
if [ -n "$rpm" ]; then
    for tag in PREIN POSTIN PREUN POSTUN; do
        rpm -qp --qf "%{$tag}\n" "$rpm" >"$scripts/rpm/$tag"
    done
fi
# Each package's own generator, which its scripts run.
mkdir -p "$tmp/payload/deb" "$tmp/payload/rpm"
[ -z "$deb" ] || dpkg-deb -x "$deb" "$tmp/payload/deb"
if [ -n "$rpm" ]; then
    pkg_require rpm2archive
    rpm2archive - <"$rpm" | tar -xzf - -C "$tmp/payload/rpm"
fi
for p in ${deb:+deb} ${rpm:+rpm}; do
    [ -x "$tmp/payload/$p$GENERATOR_DIR/ec2-net-generator" ] ||
        pkg_die "the $p package has no $GENERATOR_DIR/ec2-net-generator"
done

# --- stubs ------------------------------------------------------------------------------
cat >"$tmp/stubs/systemctl" <<'EOF'
#!/bin/sh
echo "systemctl $*" >>"$STUB_LOG"
args=$*
unit=
for a in "$@"; do unit=$a; done
masked() { case " $STUB_MASKED " in *" $unit "*) return 0 ;; esac; return 1; }
case " $args " in
    *" is-enabled "*) if masked; then echo masked; else echo disabled; fi; exit 1 ;;
    *" show "*) if masked; then echo masked; else echo loaded; fi ;;
    *" list-unit-files "*) case " $STUB_UNIT_FILES " in *" $unit "*) echo "$unit enabled enabled" ;; esac ;;
    *" is-active "*) case " $STUB_ACTIVE " in *" $unit "*) exit 0 ;; esac; exit 3 ;;
esac
exit 0
EOF
cat >"$tmp/stubs/deb-systemd-helper" <<'EOF'
#!/bin/sh
echo "deb-systemd-helper $*" >>"$STUB_LOG"
case " $* " in *" debian-installed "*) [ -n "$STUB_DSH_INSTALLED" ] ;; esac
EOF
for s in deb-systemd-invoke udevadm systemd-tmpfiles systemd-sysctl systemd-run; do
    # shellcheck disable=SC2016 # $* and $STUB_LOG are the stub's
    printf '#!/bin/sh\necho "%s $*" >>"$STUB_LOG"\nexit 0\n' "$s" >"$tmp/stubs/$s"
done
cat >"$tmp/stubs/dpkg-divert" <<'EOF'
#!/bin/sh
echo "dpkg-divert $*" >>"$STUB_LOG"
case " $* " in *" --listpackage "*) [ -z "$STUB_DIVERTED_BY" ] || echo "$STUB_DIVERTED_BY" ;; esac
exit 0
EOF
chmod +x "$tmp/stubs"/*

# --- running a scenario ------------------------------------------------------------------
pass=0 fail=0
current=
W=

# scenario NAME [SETUP...]: a fresh work directory; SETUP words: not-booted, resolv-link,
# masked=UNIT, cmdline=TEXT, conf=TEXT (main file), dropin=NAME:TEXT, unit-file=UNIT,
# no-unit-file=UNIT, active=UNIT, diverted, policy-deny, dsh-installed (deb-systemd-helper
# knows set-hostname-imds.service from an earlier version)
scenario() {
    current=$1; shift
    W=$tmp/$current
    mkdir -p "$W"
    cp -a "$tmp/stubs" "$W/stubs"
    cp "$tmp/payload/${current%%-*}$GENERATOR_DIR/ec2-net-generator" "$W/generator"
    cp -r "$tmp/payload/${current%%-*}/usr/lib/systemd/system" "$W/units"
    # The file prefix each package is built with (debian/rules, the spec's default).
    case "$current" in deb-*) echo 07 ;; *) echo 70 ;; esac >"$W/prefix"
    # networkd and resolved installed (resolved is only suggested by the .deb).
    STUB_MASKED='' STUB_UNIT_FILES='systemd-networkd.service systemd-resolved.service' STUB_ACTIVE=''
    STUB_DIVERTED_BY='' STUB_DSH_INSTALLED=''
    local s
    for s in "$@"; do
        case "$s" in
            not-booted) : >"$W/not-booted" ;;
            resolv-link) : >"$W/resolv-link" ;;
            masked=*) STUB_MASKED="$STUB_MASKED ${s#masked=}" ;;
            unit-file=*) STUB_UNIT_FILES="$STUB_UNIT_FILES ${s#unit-file=}" ;;
            no-unit-file=*) STUB_UNIT_FILES=$(printf '%s\n' $STUB_UNIT_FILES | grep -vx "${s#no-unit-file=}" | tr '\n' ' ') ;;
            dsh-installed) STUB_DSH_INSTALLED=1 ;;
            active=*) STUB_ACTIVE="$STUB_ACTIVE ${s#active=}" ;;
            diverted) STUB_DIVERTED_BY=$PKG_NAME ;;
            cmdline=*) printf '%s\n' "${s#cmdline=}" >"$W/cmdline" ;;
            conf=*) printf '%b' "${s#conf=}" >"$W/conf" ;;
            dropin=*) mkdir -p "$W/conf.d"; s=${s#dropin=}; printf '%b' "${s#*:}" >"$W/conf.d/${s%%:*}" ;;
            policy-deny) printf '#!/bin/sh\nexit 101\n' >"$W/policy-rc.d"; chmod +x "$W/policy-rc.d" ;;
            *) pkg_die "unknown scenario setting $s" ;;
        esac
    done
    export STUB_MASKED STUB_UNIT_FILES STUB_ACTIVE STUB_DIVERTED_BY STUB_DSH_INSTALLED
}

# run "SCRIPT ARG..." ...: runs the scripts in order in the stand-in system.
run() {
    local cmds=() c
    for c in "$@"; do cmds+=("$scripts/$c"); done
    unshare -m -n --propagation private bash "$self" --inner "$W" "${cmds[@]}"
    status=$?
}

ok() { pass=$((pass + 1)); echo "ok   $current: $*"; }
bad() {
    fail=$((fail + 1)); echo "FAIL $current: $*"
    sed 's/^/       calls: /' "$W/calls.log"; sed 's/^/       output: /' "$W/output.log" 2>/dev/null
}
expect_status0() { if [ "$status" -eq 0 ]; then ok "scripts exit 0"; else bad "a script failed ($status)"; fi; }
called() { if grep -qxF -- "$1" "$W/calls.log"; then ok "called: $1"; else bad "not called: $1"; fi; }
said() {   # said TEXT: a script printed this line
    if grep -qxF -- "$1" "$W/output.log"; then ok "said: $1"; else bad "did not say: $1"; fi
}
called_re() { if grep -qE -- "$1" "$W/calls.log"; then ok "called: /$1/"; else bad "not called: /$1/"; fi; }
not_called() {   # not_called REGEX
    if grep -E -- "$1" "$W/calls.log" >"$W/hits"; then bad "called: $(head -n 1 "$W/hits")"; else ok "not called: /$1/"; fi
}
etc_unchanged() {
    if diff -u "$W/etc.before" "$W/etc.after" >"$W/etc.diff"; then ok "/etc unchanged"
    else bad "/etc changed:"; cat "$W/etc.diff"; fi
}
run_unchanged() {
    if diff -u "$W/run.before" "$W/run.after" >"$W/run.diff"; then ok "/run unchanged"
    else bad "/run changed:"; cat "$W/run.diff"; fi
}
network_is() {   # network_is ENTRY...: exactly these entries left in /run/systemd/network
    printf '%s\n' "$@" | LC_ALL=C sort >"$W/network.expected"
    if diff -u "$W/network.expected" "$W/network.after" >"$W/network.diff"; then
        ok "left in /run/systemd/network: $*"
    else bad "/run/systemd/network:"; cat "$W/network.diff"; fi
}
resolv_is() {
    if [ "$(cat "$W/resolv.after")" = "$1" ]; then ok "/etc/resolv.conf: $1"
    else bad "/etc/resolv.conf is $(cat "$W/resolv.after"), expected $1"; fi
}

START_ALL='start --no-block ec2-net-seed.service policy-routes@ens5.service policy-routes@ens6.service'
STARTS='systemctl (--[a-z-]+ )*(start|restart|try-restart|reload-or-restart|stop|enable|disable|mask)\b'
# What is neither the product's nor 2.x's; PREFIX is the package's.
foreign() {
    local p=$1
    echo ./05-admin.network ./10-netplan-ens5.network "./$p-ens5.network.d" "./$p-ens5.network.d/50-admin.conf"
}

# --- .deb ------------------------------------------------------------------------------------
if [ -n "$deb" ]; then
    echo "== .deb maintainer scripts ($deb)"

    scenario deb-install
    run "deb/preinst install" "deb/postinst configure"
    expect_status0
    called "systemctl enable systemd-networkd.service"
    called "systemctl enable systemd-resolved.service"
    called "systemctl start systemd-networkd.service"
    called "systemctl start systemd-resolved.service"
    called "systemctl daemon-reload"
    called "systemctl $START_ALL"
    called "deb-systemd-helper enable set-hostname-imds.service"
    called_re '^systemd-sysctl 90-ipv6-dad.conf 90-ena-tuning-defaults.conf$'
    called_re '^systemd-tmpfiles .*--create amazon-ec2-net-utils.conf'
    called_re '^dpkg-divert --package amazon-ec2-net-utils --add --rename .*75-cloud-ifupdown.rules'
    not_called 'networkctl|systemctl .*(restart|stop)'
    etc_unchanged
    run_unchanged
    resolv_is file

    # systemd-resolved is only suggested: without it, networkd alone.
    scenario deb-install-no-resolved no-unit-file=systemd-resolved.service
    run "deb/preinst install" "deb/postinst configure"
    expect_status0
    called "systemctl enable systemd-networkd.service"
    not_called 'systemctl (enable|start) systemd-resolved.service'
    called "systemctl $START_ALL"
    resolv_is file

    scenario deb-install-not-booted not-booted
    run "deb/postinst configure"
    expect_status0
    called "systemctl enable systemd-networkd.service"
    called "systemctl enable systemd-resolved.service"
    not_called 'systemctl .*(start|daemon-reload)'
    etc_unchanged

    scenario deb-install-disabled-conf 'dropin=50-off.conf:# off\n[Main]\n  Enable = No\n'
    run "deb/postinst configure"
    expect_status0
    not_called "$STARTS"
    said "amazon-ec2-net-utils: disabled by [Main] Enable=No in /etc/amazon-ec2-net-utils.conf.d/50-off.conf:3, not taking over the network."
    etc_unchanged

    # The last valid assignment wins: main file off, a drop-in on, a later bad value ignored.
    scenario deb-install-reenabled 'conf=[Main]\nEnable=no\n' 'dropin=10-on.conf:[Main]\nEnable=yes\n' \
        'dropin=20-bad.conf:[Main]\nEnable=maybe\n[Other]\nEnable=no\n'
    run "deb/postinst configure"
    expect_status0
    called "systemctl $START_ALL"

    scenario deb-install-disabled-cmdline 'cmdline=root=/dev/nvme0n1p1 ro ec2net.enable=0'
    run "deb/postinst configure"
    expect_status0
    not_called "$STARTS"
    said "amazon-ec2-net-utils: disabled by ec2net.enable=0 on the kernel command line, not taking over the network."

    # Drop-ins in C order whatever the locale: B.conf is read before a.conf, which wins.
    scenario deb-install-dropin-order 'dropin=a.conf:[Main]\nEnable=yes\n' 'dropin=B.conf:[Main]\nEnable=no\n'
    run "deb/postinst configure"
    expect_status0
    called "systemctl $START_ALL"

    scenario deb-install-masked masked=systemd-resolved.service masked=policy-routes@ens6.service
    run "deb/postinst configure"
    expect_status0
    called "systemctl enable systemd-networkd.service"
    not_called 'systemctl (enable|start) systemd-resolved.service'
    called "systemctl start --no-block ec2-net-seed.service policy-routes@ens5.service"

    scenario deb-install-policy-rc.d policy-deny
    run "deb/postinst configure"
    expect_status0
    called "systemctl enable systemd-networkd.service"
    not_called 'systemctl start'

    scenario deb-upgrade
    run "deb/prerm upgrade 3.0.1" "deb/preinst upgrade 3.0.0" "deb/postrm upgrade 3.0.1" \
        "deb/postinst configure 3.0.0"
    expect_status0
    called "systemctl daemon-reload"
    not_called "$STARTS"
    not_called '^deb-systemd-invoke|networkctl'
    etc_unchanged
    run_unchanged
    resolv_is file

    # From Debian's 2.3.0-3, with its own scripts in dpkg's order (it has no prerm and no
    # postinst): no start, no stop, nothing in /etc or /run, the hostname unit not enabled.
    scenario deb-upgrade-from-2.3.0-3 diverted
    run "deb/preinst upgrade 2.3.0-3" "2x/postrm upgrade 3.0.0" "deb/postinst configure 2.3.0-3"
    expect_status0
    called "systemctl daemon-reload"
    called "deb-systemd-helper update-state set-hostname-imds.service"
    not_called "$STARTS"
    not_called 'deb-systemd-helper enable|^deb-systemd-invoke|networkctl'
    etc_unchanged
    run_unchanged
    resolv_is file

    # From a later 2.x that shipped and enabled the hostname unit: it stays enabled.
    scenario deb-upgrade-from-2.x diverted dsh-installed
    run "deb/preinst upgrade 2.7.4" "deb/postinst configure 2.7.4"
    expect_status0
    called "deb-systemd-helper enable set-hostname-imds.service"
    not_called "$STARTS"
    etc_unchanged
    run_unchanged

    # A downgrade to Debian's 2.3.0-3, in dpkg's order (it has no prerm and no postinst): the
    # timers stopped first, the product's files and state handed over (2.x's files stay),
    # then 2.x's units started on the ENIs present, as its udev rule would.
    scenario deb-downgrade-to-2.3.0-3 diverted
    run "deb/prerm upgrade 2.3.0-3" "2x/preinst upgrade 3.0.0" "deb/postrm upgrade 2.3.0-3"
    expect_status0
    called_re "^deb-systemd-invoke stop refresh-policy-routes@\*\.timer$"
    called_re "^deb-systemd-invoke stop refresh-policy-routes@\*\.service policy-routes@\*\.service ec2-net-seed.service"
    called "systemctl daemon-reload"
    called "systemctl start --no-block policy-routes@ens5.service refresh-policy-routes@ens5.timer policy-routes@ens6.service refresh-policy-routes@ens6.timer"
    # systemd reloaded again once dpkg has removed the package's files (after postrm).
    called_re '^systemd-run --no-block .*while \[ -e /usr/lib/systemd/system-generators/ec2-net-generator \].*systemctl daemon-reload'
    not_called 'networkctl|systemctl (restart|reload) '
    # shellcheck disable=SC2046 # one entry a word
    network_is $(foreign 07) ./70-ens7.network ./70-ens7.network.d ./70-ens7.network.d/eni.conf \
        ./70-ens7.network.d/ec2net_policy_4.conf ./07-ens8.network ./07-ens8.network.d \
        ./07-ens8.network.d/eni.conf ./07-ens8.network.d/ec2net_policy_4.conf
    if grep -Eq '^amazon-ec2-net-utils/(imds-token|interfaces|handover-interfaces) ' "$W/run.after"; then
        bad "the product's state left"
    else ok "the product's state removed"; fi
    if grep -q '^amazon-ec2-net-utils/setup-policy-routes/ens7 ' "$W/run.after"; then
        ok "2.x's runtime entries kept"
    else bad "2.x's runtime entries removed"; fi
    etc_unchanged

    # The downgrade failed after prerm: the package takes the ENIs back.
    scenario deb-downgrade-aborted diverted
    run "deb/prerm upgrade 2.3.0-3" "deb/postinst abort-upgrade 2.3.0-3"
    expect_status0
    called "systemctl start --no-block policy-routes@ens5.service policy-routes@ens6.service"
    if grep -q '^amazon-ec2-net-utils/handover-interfaces ' "$W/run.after"; then
        bad "the hand-over list left"
    else ok "the hand-over list removed"; fi

    scenario deb-remove diverted
    run "deb/prerm remove" "deb/postrm remove"
    expect_status0
    called_re "^deb-systemd-invoke stop refresh-policy-routes@\*\.timer$"
    called_re "^deb-systemd-invoke stop refresh-policy-routes@\*\.service policy-routes@\*\.service ec2-net-seed.service"
    called_re '^dpkg-divert --package amazon-ec2-net-utils --remove --rename .*75-cloud-ifupdown.rules'
    not_called 'networkctl|systemctl (restart|reload|start)'
    # shellcheck disable=SC2046 # one entry a word
    network_is $(foreign 07)
    if grep -q 'amazon-ec2-net-utils' "$W/run.after"; then bad "/run/amazon-ec2-net-utils left"; else ok "/run/amazon-ec2-net-utils removed"; fi
    said "ec2-net-generator: Removed the generated configuration of ens6."
    said "ec2-net-generator: Removed the configuration amazon-ec2-net-utils 2.x left for ens8."
    # networkd not reloaded: it keeps what it runs (no packet lost) until it next reads.
    said "ec2-net-generator: systemd-networkd keeps the configuration it runs until it next reads its files (networkctl reload, the next boot)."
    etc_unchanged

    scenario deb-purge
    run "deb/prerm remove" "deb/postrm remove" "deb/postrm purge"
    expect_status0
    called "deb-systemd-helper purge set-hostname-imds.service"
    not_called 'dpkg-divert .*--remove'
    # shellcheck disable=SC2046 # one entry a word
    network_is $(foreign 07)
    etc_unchanged
fi

# --- .rpm ------------------------------------------------------------------------------------
if [ -n "$rpm" ]; then
    echo "== .rpm scriptlets ($rpm)"

    scenario rpm-install unit-file=NetworkManager.service active=NetworkManager.service
    run "rpm/PREIN 1" "rpm/POSTIN 1"
    expect_status0
    called "systemctl enable systemd-networkd.service"
    called "systemctl enable systemd-resolved.service"
    called "systemctl disable NetworkManager.service"
    called "systemctl stop NetworkManager.service"
    called "systemctl start systemd-networkd.service"
    called "systemctl $START_ALL"
    called_re '^systemd-tmpfiles --create amazon-ec2-net-utils.conf'
    resolv_is ../run/systemd/resolve/stub-resolv.conf
    if grep -q '^resolv.conf.old f' "$W/etc.after"; then ok "old resolv.conf kept as resolv.conf.old"; else bad "no resolv.conf.old"; fi
    run_unchanged

    scenario rpm-install-resolv-link resolv-link
    run "rpm/POSTIN 1"
    expect_status0
    etc_unchanged

    scenario rpm-install-disabled 'dropin=00-off.conf:[Main]\nEnable=off\n'
    run "rpm/POSTIN 1"
    expect_status0
    not_called "$STARTS"
    said "amazon-ec2-net-utils: disabled by [Main] Enable=off in /etc/amazon-ec2-net-utils.conf.d/00-off.conf:2, not taking over the network."
    etc_unchanged
    resolv_is file

    scenario rpm-install-disabled-cmdline 'cmdline=ro "ec2net.enable=no"'
    run "rpm/POSTIN 1"
    expect_status0
    not_called "$STARTS"
    said "amazon-ec2-net-utils: disabled by ec2net.enable=0 on the kernel command line, not taking over the network."
    etc_unchanged
    resolv_is file

    scenario rpm-install-masked masked=systemd-networkd.service masked=systemd-resolved.service
    run "rpm/POSTIN 1"
    expect_status0
    not_called 'systemctl (enable|start) systemd-(networkd|resolved)'
    called "systemctl $START_ALL"
    etc_unchanged

    # An upgrade runs the new %post with 2, then the old %preun and %postun with 1.
    scenario rpm-upgrade
    run "rpm/PREIN 2" "rpm/POSTIN 2" "rpm/PREUN 1" "rpm/POSTUN 1"
    expect_status0
    called "systemctl daemon-reload"
    not_called "$STARTS"
    not_called 'networkctl'
    etc_unchanged
    run_unchanged
    resolv_is file

    scenario rpm-remove
    run "rpm/PREUN 0" "rpm/POSTUN 0"
    expect_status0
    called_re "^systemctl stop refresh-policy-routes@\*\.timer$"
    called_re "^systemctl stop refresh-policy-routes@\*\.service policy-routes@\*\.service ec2-net-seed.service"
    not_called 'networkctl|systemctl (restart|reload|start)'
    # shellcheck disable=SC2046 # one entry a word
    network_is $(foreign 70)
    if grep -q 'amazon-ec2-net-utils' "$W/run.after"; then bad "/run/amazon-ec2-net-utils left"; else ok "/run/amazon-ec2-net-utils removed"; fi
    said "ec2-net-generator: Removed the generated configuration of ens6."
    said "ec2-net-generator: systemd-networkd keeps the configuration it runs until it next reads its files (networkctl reload, the next boot)."
    called "systemctl daemon-reload"
    etc_unchanged
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
