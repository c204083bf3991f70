/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ec2-netctl doctor's checks on staged files (EC2NET_ROOT, a temporary directory) and
 * hand-built models, and the readers they use:
 *   - [Match] evaluation as networkd does it (lists, globs, "!", resets, altnames, host
 *     conditions that cannot be decided), file masking and ordering across directories,
 *     drop-ins adding conditions;
 *   - networkd.conf and its drop-ins (ManageForeign*), the INI reader, the root override;
 *   - each check: a shadowing .network file, other managers' files, networkd settings with
 *     other agents' rules, collisions, another agent's tables through an ENI, the IMDS
 *     outcomes, the units; and the JSON fields documented in ec2-netctl(8).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <limits.h>
#include <sys/stat.h>

#include "conf-files.h"
#include "error-codes.h"
#include "host-root.h"
#include "ini-read.h"
#include "netctl-doctor.h"
#include "netctl-fixture.h"
#include "netctl-json.h"
#include "netctl-schema.h"
#include "network-match.h"
#include "networkd-conf.h"

static char *root;

static int setup(void **state) {
        root = make_temp_dir();
        if (!root || setenv(HOST_ROOT_ENV, root, 1) < 0)
                return -1;
        return 0;
}

static int teardown(void **state) {
        rm_rf(root);
        free(root);
        unsetenv(HOST_ROOT_ENV);
        return 0;
}

/* Writes ROOT/path (directories created); content NULL: a symlink to /dev/null. */
static void stage(const char *path, const char *content) {
        char full[PATH_MAX];

        snprintf(full, sizeof full, "%s%s", root, path);
        for (char *p = strchr(full + strlen(root) + 1, '/'); p; p = strchr(p + 1, '/')) {
                *p = '\0';
                (void) mkdir(full, 0755);
                *p = '/';
        }
        if (content)
                assert_int_equal(write_whole_file(full, content), 0);
        else
                assert_int_equal(symlink("/dev/null", full), 0);
}

static MatchResult match_text(const char *text, const MatchLink *l) {
        _cleanup_(network_match_done) NetworkMatch m = {};

        assert_int_equal(network_match_parse_text(text, strlen(text), &m), 0);
        return network_match_link(&m, l);
}

static void test_match(void **state) {
        char *alt[] = { "eni-0a0000000000000a6", "device-number-1", NULL };
        MatchLink l = { .name = "ens6", .altnames = alt, .mac = "0e:00:00:00:00:06", .driver = "ena",
                        .type = "ether", .kind = "" };

        assert_int_equal(match_text("[Match]\nMACAddress=0E:00:00:00:00:06\n", &l), MATCH_YES);
        assert_int_equal(match_text("[Match]\nMACAddress=0e:00:00:00:00:05 0e:00:00:00:00:07\n", &l), MATCH_NO);
        assert_int_equal(match_text("[Match]\nName=en*\nDriver=ena ixgbevf\n", &l), MATCH_YES);
        assert_int_equal(match_text("[Match]\nName=eth*\n", &l), MATCH_NO);
        assert_int_equal(match_text("[Match]\nName=eni-0a0000000000000a6\n", &l), MATCH_YES);   /* altname */
        assert_int_equal(match_text("[Match]\nName=!ens6\n", &l), MATCH_NO);
        assert_int_equal(match_text("[Match]\nName=!eth0\n", &l), MATCH_YES);
        assert_int_equal(match_text("[Match]\nName=ens6\nName=\nName=eth0\n", &l), MATCH_NO);   /* reset */
        assert_int_equal(match_text("[Match]\nType=ether\nDriver=ena\nMACAddress=0e:00:00:00:00:06\n", &l),
                         MATCH_YES);
        assert_int_equal(match_text("[Match]\nKind=veth\n", &l), MATCH_NO);
        assert_int_equal(match_text("[Match]\nName=ens6\nVirtualization=!container\n", &l), MATCH_MAYBE);
        assert_int_equal(match_text("[Match]\nName=eth9\nHost=x\n", &l), MATCH_NO);
        /* No condition at all: every link (networkd warns, and applies it). */
        assert_int_equal(match_text("[Network]\nDHCP=yes\n", &l), MATCH_YES);
        /* Keys of other sections do not count. */
        assert_int_equal(match_text("[Link]\nName=eth9\n[Match]\nDriver=e*\n", &l), MATCH_YES);
}

static void test_ini_and_conf_files(void **state) {
        _cleanup_strv_free_ char **files = NULL;
        char a[PATH_MAX], b[PATH_MAX];
        char *dirs[] = { a, b, NULL };
        NetworkdSettings s;

        /* A continued line, comments, a value with '='. */
        networkd_settings_init(&s);
        assert_int_equal(networkd_settings_parse_text(&s, "# c\n[Network]\n; c\nManageForeignRoutes=\\\n no\n", 44,
                                                      "x.conf"), 0);
        assert_false(s.manage_foreign_routes);
        assert_string_equal(s.manage_foreign_routes_source, "x.conf");
        assert_true(s.manage_foreign_rules);

        snprintf(a, sizeof a, "%s/etc", root);
        snprintf(b, sizeof b, "%s/lib", root);
        stage("/etc/20-b.network", "[Match]\n");
        stage("/lib/20-b.network", "[Match]\n");
        stage("/lib/10-a.network", "[Match]\n");
        stage("/lib/.hidden.network", "[Match]\n");
        stage("/lib/30-c.conf", "");
        assert_int_equal(conf_files_list(dirs, ".network", &files), 0);
        assert_int_equal(strv_length(files), 2);
        assert_true(strstr(files[0], "/lib/10-a.network") != NULL);
        assert_true(strstr(files[1], "/etc/20-b.network") != NULL);   /* /etc hides /lib */
}

static void test_networkd_settings(void **state) {
        NetworkdSettings s;
        char want[PATH_MAX];

        assert_int_equal(networkd_settings_load(&s), 0);
        assert_true(s.manage_foreign_rules);
        assert_string_equal(s.manage_foreign_rules_source, "");

        stage("/usr/lib/systemd/networkd.conf", "[Network]\nManageForeignRoutingPolicyRules=no\n");
        stage("/etc/systemd/networkd.conf", "[Network]\n#ManageForeignRoutingPolicyRules=no\n");
        stage("/usr/lib/systemd/networkd.conf.d/10-a.conf", "[Network]\nManageForeignRoutes=off\n");
        stage("/etc/systemd/networkd.conf.d/20-b.conf", "[Network]\nManageForeignRoutingPolicyRules=no\n");
        stage("/run/systemd/networkd.conf.d/30-c.conf", "[Network]\nManageForeignRoutes=bogus\n");
        assert_int_equal(networkd_settings_load(&s), 0);
        /* The main file is the first found (/etc, whose line is a comment): not /usr/lib's. */
        assert_false(s.manage_foreign_rules);
        snprintf(want, sizeof want, "%s/etc/systemd/networkd.conf.d/20-b.conf", root);
        assert_string_equal(s.manage_foreign_rules_source, want);
        assert_false(s.manage_foreign_routes);   /* a bad value changes nothing */

        /* Masked drop-in. */
        stage("/etc/systemd/networkd.conf.d/10-a.conf", NULL);
        assert_int_equal(networkd_settings_load(&s), 0);
        assert_true(s.manage_foreign_routes);
}

static void test_root_override(void **state) {
        char buf[PATH_MAX];

        assert_string_equal(host_root(), root);
        assert_int_equal(host_path("/etc/x", buf, sizeof buf), 0);
        assert_true(strncmp(buf, root, strlen(root)) == 0);
        assert_int_equal(host_path("etc/x", buf, sizeof buf), -EINVAL);
        setenv(HOST_ROOT_ENV, "relative", 1);
        assert_string_equal(host_root(), "/");
        setenv(HOST_ROOT_ENV, "/tmp/../etc", 1);
        assert_string_equal(host_root(), "/");
        setenv(HOST_ROOT_ENV, "/tmp/x/", 1);
        assert_string_equal(host_root(), "/tmp/x");
        setenv(HOST_ROOT_ENV, root, 1);
}

/* A status with ens6 (device 1, table 10001) and ens7 (device 2, excluded), configured. */
static void build(NetctlStatus *s, Config *c, const char *network_dir) {
        NetctlInterface *i, *j;

        assert_int_equal(config_init_defaults(c), 0);
        s->host = (NetctlHost) { .now_usec = 1764630060ULL * USEC_PER_SEC, .enabled = true, .networkd_known = true,
                                 .manage_foreign_rules = true, .manage_foreign_routes = true };
        i = netctl_status_add_interface(s);
        fixture_interface(i, c);
        free(i->networkd.network_file);
        assert_true(asprintf(&i->networkd.network_file, "%s/" EC2NET_FILE_PREFIX "-ens6.network", network_dir) > 0);
        j = netctl_status_add_interface(s);
        snprintf(j->name, sizeof j->name, "ens7");
        j->ifindex = 7;
        snprintf(j->mac, sizeof j->mac, "0e:00:00:00:00:07");
        j->unmanaged = UNMANAGED_EXCLUDED;
        j->kernel.altnames = strv_copy((char *[]) { "device-number-2", NULL });
        s->kernel.links = calloc(2, sizeof(LinkInfo));
        s->kernel.links[0] = (LinkInfo) { .ifindex = 6, .ifname = "ens6" };
        s->kernel.links[1] = (LinkInfo) { .ifindex = 7, .ifname = "ens7" };
        s->kernel.n_links = 2;
}

static const Finding *find(const FindingList *l, const char *id, size_t nth) {
        for (size_t k = 0; k < l->n; k++)
                if (streq(l->items[k].id, id) && nth-- == 0)
                        return &l->items[k];
        return NULL;
}

static void test_network_files(void **state) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        _cleanup_(config_done) Config c = {};
        _cleanup_(finding_list_done) FindingList l = {}, l2 = {}, l3 = {};
        char netdir[PATH_MAX];
        const Finding *f;

        snprintf(netdir, sizeof netdir, "%s/run-network", root);
        stage("/run-network/" EC2NET_FILE_PREFIX "-ens6.network", "[Match]\nDriver=ena\n[Network]\nDHCP=yes\n");
        stage("/run-network/" EC2NET_FILE_PREFIX "-ens6.network.d/eni.conf", "[Match]\nMACAddress=0e:00:00:00:00:06\nName=ens6\n");
        /* The primary's file matches every ena link until its drop-in narrows it. */
        stage("/run-network/" EC2NET_FILE_PREFIX "-ens5.network", "[Match]\nDriver=ena\n");
        stage("/run-network/" EC2NET_FILE_PREFIX "-ens5.network.d/eni.conf", "[Match]\nMACAddress=0e:00:00:00:00:05\nName=ens5\n");
        stage("/usr/lib/systemd/network/80-ec2.network", "[Match]\nDriver=ena\n");
        build(&s, &c, netdir);

        /* A file matching ens6 that sorts after ours is never applied to it. */
        stage("/etc/systemd/network/99-late.network", "[Match]\nMACAddress=0e:00:00:00:00:06\n");
        assert_int_equal(doctor_check_network_files(&s, netdir, &l), 0);
        assert_int_equal(l.n, 0);

        stage("/etc/systemd/network/00-netplan-ens6.network",
              "[Match]\nMACAddress=0e:00:00:00:00:06\n[Network]\nDHCP=ipv4\n");
        stage("/etc/systemd/network/01-other.network", "[Match]\nName=ens6\nVirtualization=vm\n");
        assert_int_equal(doctor_check_network_files(&s, netdir, &l2), 0);
        assert_int_equal(l2.n, 1);
        f = find(&l2, "network-file-shadowing", 0);
        assert_int_equal(f->severity, SEVERITY_ERROR);
        assert_string_equal(f->interface, "ens6");
        assert_non_null(strstr(f->found, "/etc/systemd/network/00-netplan-ens6.network"));
        assert_non_null(strstr(f->summary, "networkd will apply it at its next reload"));

        /* Masked (by an empty file of the same name in /etc): the next one may match. */
        unlink(f->found);
        stage("/etc/systemd/network/00-netplan-ens6.network", "");
        assert_int_equal(doctor_check_network_files(&s, netdir, &l3), 0);
        f = find(&l3, "network-file-shadowing", 0);
        assert_non_null(f);
        assert_int_equal(f->severity, SEVERITY_WARNING);   /* Virtualization=: cannot tell */
        assert_non_null(strstr(f->found, "01-other.network"));
}

static void test_network_file_of_same_name_in_etc(void **state) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        _cleanup_(config_done) Config c = {};
        _cleanup_(finding_list_done) FindingList l = {};
        char netdir[PATH_MAX];

        snprintf(netdir, sizeof netdir, "%s/run-network", root);
        stage("/run-network/" EC2NET_FILE_PREFIX "-ens6.network", "[Match]\nDriver=ena\n");
        stage("/etc/systemd/network/" EC2NET_FILE_PREFIX "-ens6.network", "[Match]\nName=ens6\n");   /* the administrator's */
        build(&s, &c, netdir);
        free(s.interfaces[0].networkd.network_file);
        s.interfaces[0].networkd.network_file = strdup("/etc/systemd/network/" EC2NET_FILE_PREFIX "-ens6.network");
        assert_int_equal(doctor_check_network_files(&s, netdir, &l), 0);
        assert_int_equal(l.n, 0);
}

static void test_other_manager_files(void **state) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        _cleanup_(config_done) Config c = {};
        _cleanup_(finding_list_done) FindingList l = {}, l2 = {};

        build(&s, &c, "/nonexistent");
        assert_int_equal(doctor_check_other_manager_files(&s, &l), 0);
        assert_int_equal(l.n, 0);
        stage("/etc/udev/rules.d/75-cloud-ifupdown.rules", "ACTION==\"add\"\n");
        stage("/usr/lib/udev/rules.d/10-cloud-init-hook-hotplug.rules", "ACTION==\"add\"\n");
        stage("/etc/systemd/system/multi-user.target.wants/nm-cloud-setup.service", "");
        assert_int_equal(doctor_check_other_manager_files(&s, &l), 0);
        assert_non_null(find(&l, "ifupdown-hotplug", 0));
        assert_non_null(find(&l, "cloud-init-hotplug", 0));
        assert_non_null(find(&l, "nm-cloud-setup", 0));
        assert_int_equal(l.n, 3);
        /* Diverted away (2.x) and masked in /etc: not active. */
        stage("/etc/udev/rules.d/10-cloud-init-hook-hotplug.rules", NULL);
        unlink(find(&l, "ifupdown-hotplug", 0)->found);
        stage("/etc/udev/rules.d/75-cloud-ifupdown.rules.distrib", "ACTION==\"add\"\n");
        assert_int_equal(doctor_check_other_manager_files(&s, &l2), 0);
        assert_int_equal(l2.n, 1);
        assert_string_equal(l2.items[0].id, "nm-cloud-setup");
}

static void add_snapshot_rule(NetctlStatus *s, KernelRule r) {
        s->kernel.rules = realloc(s->kernel.rules, (s->kernel.n_rules + 1) * sizeof r);
        s->kernel.rules[s->kernel.n_rules++] = r;
}

static void add_snapshot_route(NetctlStatus *s, int oif, const char *oif_name, const char *dst, unsigned table,
                               uint8_t proto) {
        KernelRoute r = { .family = AF_INET, .table = table, .oif = oif, .protocol = proto, .type = RTN_UNICAST,
                          .scope = RT_SCOPE_LINK };

        snprintf(r.destination, sizeof r.destination, "%s", dst);
        snprintf(r.oif_name, sizeof r.oif_name, "%s", oif_name);
        s->kernel.routes = realloc(s->kernel.routes, (s->kernel.n_routes + 1) * sizeof r);
        s->kernel.routes[s->kernel.n_routes++] = r;
}

static void test_cni_settings_collisions(void **state) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        _cleanup_(config_done) Config c = {};
        _cleanup_(finding_list_done) FindingList routing = {}, settings = {}, collisions = {}, quiet = {};
        KernelRule cni = fixture_rule("10.0.2.77/32", 1536, 2), other = fixture_rule("10.9.9.9/32", 10001, 200),
                   looks = fixture_rule("10.8.8.8/32", 300, 10001), stale = fixture_rule("10.0.9.9/32", 10005, 10005),
                   kernel = fixture_rule("", 32766, 254);
        const Finding *f;

        build(&s, &c, "/nonexistent");
        cni.protocol = other.protocol = looks.protocol = RTPROT_BOOT;
        kernel.protocol = RTPROT_KERNEL;

        /* Nothing foreign yet: the networkd settings and collisions checks are quiet. */
        add_snapshot_rule(&s, kernel);
        add_snapshot_rule(&s, fixture_rule("10.0.2.20/32", 10001, 10001));
        add_snapshot_route(&s, 6, "ens6", "0.0.0.0/0", 10001, RTPROT_DHCP);
        assert_int_equal(doctor_check_networkd_settings(&s, &quiet), 0);
        assert_int_equal(doctor_check_collisions(&s, &quiet), 0);
        assert_int_equal(doctor_check_foreign_policy_routing(&s, &quiet), 0);
        assert_int_equal(quiet.n, 0);

        add_snapshot_rule(&s, cni);
        add_snapshot_rule(&s, other);
        add_snapshot_rule(&s, looks);
        add_snapshot_rule(&s, stale);
        add_snapshot_route(&s, 6, "ens6", "10.0.2.0/24", 2, RTPROT_BOOT);     /* the CNI's table 2 */
        add_snapshot_route(&s, 7, "ens7", "10.0.3.0/24", 3, RTPROT_BOOT);     /* ens7: handed to it */
        add_snapshot_route(&s, 7, "ens7", "10.0.7.0/24", 10001, RTPROT_BOOT); /* in ens6's table */

        assert_int_equal(doctor_check_foreign_policy_routing(&s, &routing), 0);
        f = find(&routing, "foreign-routing-on-eni", 0);
        assert_string_equal(f->interface, "ens6");
        assert_int_equal(f->severity, SEVERITY_WARNING);
        assert_string_equal(f->found, "table 2");
        assert_non_null(strstr(f->summary, "Amazon VPC CNI"));
        assert_non_null(strstr(f->remedy, "ExcludeInterfaces=ens6"));
        f = find(&routing, "foreign-routing-on-eni", 1);
        assert_string_equal(f->interface, "ens7");
        assert_int_equal(f->severity, SEVERITY_INFO);   /* already excluded */

        assert_int_equal(doctor_check_networkd_settings(&s, &settings), 0);
        f = find(&settings, "networkd-drops-foreign-rules", 0);
        assert_non_null(f);
        assert_non_null(strstr(f->summary, "3 policy rule(s)"));
        assert_string_equal(f->found, "ManageForeignRoutingPolicyRules=yes (the default)");
        assert_non_null(find(&settings, "networkd-drops-foreign-routes", 0));
        f = find(&settings, "stale-rules", 0);
        assert_string_equal(f->found, "10005: from 10.0.9.9 lookup 10005 proto static");
        assert_null(find(&settings, "networkd-keeps-foreign-rules", 0));

        assert_int_equal(doctor_check_collisions(&s, &collisions), 0);
        f = find(&collisions, "priority-collision", 0);
        assert_string_equal(f->found, "10001: from 10.9.9.9 lookup 200 proto boot");
        f = find(&collisions, "table-collision", 0);
        assert_string_equal(f->found, "300: from 10.8.8.8 lookup 10001 proto boot");
        f = find(&collisions, "table-collision", 1);
        assert_int_equal(f->severity, SEVERITY_ERROR);
        assert_non_null(strstr(f->summary, "through ens7"));
        assert_int_equal(collisions.n, 3);

        /* ManageForeignRoutingPolicyRules=no: said, and the drop warning is gone. */
        finding_list_done(&settings);
        s.host.manage_foreign_rules = false;
        s.host.manage_foreign_rules_source = strdup("/etc/systemd/networkd.conf.d/50-cni.conf");
        assert_int_equal(doctor_check_networkd_settings(&s, &settings), 0);
        assert_null(find(&settings, "networkd-drops-foreign-rules", 0));
        assert_string_equal(find(&settings, "networkd-keeps-foreign-rules", 0)->found,
                            "ManageForeignRoutingPolicyRules=no (/etc/systemd/networkd.conf.d/50-cni.conf)");
}

static void test_imds_outcomes(void **state) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        _cleanup_(config_done) Config c = {};
        _cleanup_(finding_list_done) FindingList l = {};
        static const struct { int r; unsigned requests; const char *id; } cases[] = {
                { -EIMDS_DISABLED, 1, "imds-disabled" },     { -EIMDS_REJECTED, 1, "imds-v1-only" },
                { -EIMDS_REJECTED, 2, "imds-rejected" },     { -EIMDS_TIMEOUT, 3, "imds-timeout" },
                { -EIMDS_UNREACHABLE, 0, "imds-no-route" },  { -EIMDS_BUSY, 4, "imds-busy" },
                { -EIMDS_INVALID, 2, "imds-error" },
        };

        build(&s, &c, "/nonexistent");
        assert_int_equal(doctor_imds_finding(&s, 0, 2, &l), 0);
        assert_int_equal(l.n, 0);
        for (size_t k = 0; k < ELEMENTSOF(cases); k++) {
                assert_int_equal(doctor_imds_finding(&s, cases[k].r, cases[k].requests, &l), 0);
                assert_string_equal(l.items[l.n - 1].id, cases[k].id);
        }
        /* With a default route, unreachable is not a missing route. */
        add_snapshot_route(&s, 6, "ens6", "0.0.0.0/0", RT_TABLE_MAIN, RTPROT_DHCP);
        assert_int_equal(doctor_imds_finding(&s, -EIMDS_UNREACHABLE, 3, &l), 0);
        assert_string_equal(l.items[l.n - 1].id, "imds-unreachable");
}

static DoctorUnit unit(const char *name, const char *instance, const char *load, const char *active) {
        DoctorUnit u = {};

        snprintf(u.name, sizeof u.name, "%s", name);
        snprintf(u.instance, sizeof u.instance, "%s", instance);
        snprintf(u.state.load_state, sizeof u.state.load_state, "%s", load);
        snprintf(u.state.active_state, sizeof u.state.active_state, "%s", active);
        return u;
}

static void test_units(void **state) {
        _cleanup_(netctl_status_done) NetctlStatus s = {};
        _cleanup_(config_done) Config c = {};
        _cleanup_(finding_list_done) FindingList l = {}, off = {};
        DoctorUnit units[] = {
                unit("policy-routes@ens6.service", "ens6", "masked", "inactive"),
                unit("refresh-policy-routes@ens6.timer", "ens6", "loaded", "inactive"),
                unit("refresh-policy-routes@ens9.timer", "ens9", "loaded", "active"),
                unit("policy-routes@ens9.service", "ens9", "loaded", "inactive"),
                unit("refresh-policy-routes@ens7.timer", "ens7", "masked", "inactive"),   /* excluded */
        };
        const Finding *f;

        build(&s, &c, "/nonexistent");
        assert_int_equal(doctor_units_findings(&s, units, ELEMENTSOF(units), &l), 0);
        f = find(&l, "unit-masked", 0);
        assert_string_equal(f->interface, "ens6");
        assert_string_equal(f->remedy, "systemctl unmask policy-routes@ens6.service");
        assert_non_null(find(&l, "refresh-timer-inactive", 0));
        f = find(&l, "unit-stale", 0);
        assert_string_equal(f->interface, "ens9");
        assert_string_equal(f->remedy, "systemctl stop refresh-policy-routes@ens9.timer");
        assert_int_equal(l.n, 3);

        units[1] = unit("refresh-policy-routes@ens6.timer", "ens6", "loaded", "failed");
        finding_list_done(&l);
        assert_int_equal(doctor_units_findings(&s, units, 2, &l), 0);
        assert_non_null(find(&l, "unit-failed", 0));

        /* A disabled package masks its units on purpose. */
        s.host.enabled = false;
        assert_int_equal(doctor_units_findings(&s, units, 2, &off), 0);
        assert_int_equal(off.n, 0);
}

static void test_json(void **state) {
        _cleanup_(netctl_doctor_done) NetctlDoctor d = { .now_usec = 1764630060ULL * USEC_PER_SEC };
        json_auto_t *j = NULL;

        d.checks[DOCTOR_UNITS].result = DOCTOR_SKIPPED;
        d.checks[DOCTOR_UNITS].detail = strdup("systemd is not on the bus");
        d.checks[DOCTOR_IMDS].result = DOCTOR_FOUND;
        assert_int_equal(finding_add(&d.findings, "imds-disabled", SEVERITY_ERROR, NULL, "enabled", "HTTP 403", "x",
                                     "IMDS is disabled."), 0);
        assert_int_equal(netctl_doctor_to_json(&d, &j), 0);
        check_documented(j, "doctor");
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "checks"), 5),
                                                              "result")), "skipped");
        assert_true(json_is_false(json_object_get(json_object_get(j, "summary"), "healthy")));
}

int main(void) {
        const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
                T(test_match),
                T(test_ini_and_conf_files),
                T(test_networkd_settings),
                T(test_root_override),
                T(test_network_files),
                T(test_network_file_of_same_name_in_etc),
                T(test_other_manager_files),
                T(test_cni_settings_collisions),
                T(test_imds_outcomes),
                T(test_units),
                T(test_json),
#undef T
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
