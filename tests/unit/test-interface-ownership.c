/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whose configuration a remove takes (SPEC §6): the decision itself for every combination
 * of the MAC that went away, the MAC the files were written for and the link that holds
 * the name now; then interface_remove() on real files rendered by the renderer, which must
 * read the owner from eni.conf (or the saved state) and leave another MAC's files alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>

#include "build-config.h"
#include "config.h"
#include "eni.h"
#include "interface-files.h"
#include "interface-ownership.h"
#include "interface-setup.h"
#include "render.h"
#include "time-util.h"
#include "tree-util.h"

#define MAC_A "0e:00:00:00:00:0a"
#define MAC_B "0e:00:00:00:00:0b"
/* No such link here: the name is free, as after a detach. */
#define IFNAME "ec2rmtest0"

static void test_verdict_table(void **state) {
        static const struct {
                const char *removed, *owner;
                bool in_use;
                const char *present;
                RemoveVerdict want;
        } cases[] = {
                /* The owner went away, the name is free: everything goes. */
                { MAC_A, MAC_A, false, "", REMOVE_ALL },
                /* Files written for another ENI: nothing, whether the name is used or not. */
                { MAC_A, MAC_B, false, "", REMOVE_NONE_NOT_OWNER },
                { MAC_A, MAC_B, true, MAC_B, REMOVE_NONE_NOT_OWNER },
                { MAC_A, MAC_B, true, MAC_A, REMOVE_NONE_NOT_OWNER },
                /* Another ENI took the name before writing its files: the departed one's
                 * files go, the units (named after the interface) are the newcomer's. */
                { MAC_A, MAC_A, true, MAC_B, REMOVE_FILES_ONLY },
                { MAC_A, MAC_A, true, "", REMOVE_FILES_ONLY },
                /* The same ENI is back under the name: its files are its own. */
                { MAC_A, MAC_A, true, MAC_A, REMOVE_NONE_NAME_IN_USE },
                /* Files that name no MAC (left by 2.x, or half-written): only when the name
                 * is free. */
                { MAC_A, "", false, "", REMOVE_ALL },
                { MAC_A, "", true, MAC_B, REMOVE_NONE_NAME_IN_USE },
                /* No MAC in the event (a udev database from before the rule stored it): a
                 * present link makes it stale; otherwise as 2.x. */
                { "", MAC_A, false, "", REMOVE_ALL },
                { "", MAC_A, true, MAC_B, REMOVE_NONE_NAME_IN_USE },
                { "", MAC_A, true, MAC_A, REMOVE_NONE_NAME_IN_USE },
                { "", "", false, "", REMOVE_ALL },
        };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                RemoveFacts f = {
                        .removed_mac = cases[i].removed,
                        .owner_mac = cases[i].owner,
                        .name_in_use = cases[i].in_use,
                        .present_mac = cases[i].present,
                };
                RemoveVerdict v = interface_remove_verdict(&f);

                if (v != cases[i].want)
                        fail_msg("case %zu (removed \"%s\", owner \"%s\", in use %d by \"%s\"): %s, want %s", i,
                                 cases[i].removed, cases[i].owner, cases[i].in_use, cases[i].present,
                                 remove_verdict_to_string(v), remove_verdict_to_string(cases[i].want));
        }
        /* NULL reads as unknown. */
        assert_int_equal(interface_remove_verdict(&(RemoveFacts) {}), REMOVE_ALL);
}

typedef struct Fixture {
        char *dir;
        char network_dir[PATH_MAX], runtime_dir[PATH_MAX];
        Config config;
} Fixture;

static int fixture_setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);

        if (!f || !(f->dir = make_temp_dir()))
                return -1;
        snprintf(f->network_dir, sizeof f->network_dir, "%s/network", f->dir);
        snprintf(f->runtime_dir, sizeof f->runtime_dir, "%s/run", f->dir);
        if (mkdir(f->runtime_dir, 0755) < 0 || config_init_defaults(&f->config) < 0)
                return -1;
        *state = f;
        return 0;
}

static int fixture_teardown(void **state) {
        Fixture *f = *state;

        config_done(&f->config);
        rm_rf(f->dir);
        free(f->dir);
        free(f);
        return 0;
}

static SetupContext context(Fixture *f) {
        return (SetupContext) {
                .config = &f->config,
                .network_dir = f->network_dir,
                .runtime_dir = f->runtime_dir,
                .deadline_usec = usec_add(now_usec(), 5 * USEC_PER_SEC),
        };
}

static void make_eni(const char *mac, Eni *ret) {
        assert_int_equal(eni_init(ret), 0);
        snprintf(ret->mac, sizeof ret->mac, "%s", mac);
        ret->device_number = 1;
        ret->network_card = NETWORK_CARD_NONE;
}

/* The files of ifname as a setup writes them for an ENI with this MAC. */
static void write_files(Fixture *f, const char *ifname, const char *mac) {
        _cleanup_(rendered_interface_done) RenderedInterface rendered = {};
        _cleanup_(eni_done) Eni eni = {};
        bool changed = false;

        make_eni(mac, &eni);
        RenderSettings settings = { .drivers = f->config.drivers, .policy_rules = true, .secondary_addresses = true };
        RenderInput in = { .ifname = ifname, .eni = &eni };
        assert_int_equal(render_interface(&in, &settings, &rendered), 0);
        assert_int_equal(interface_files_save(f->network_dir, ifname, &rendered, NULL, &changed), 0);
        assert_true(changed);
}

/* The saved state of ifname (interface-setup.c's format) for an ENI with this MAC. */
static void write_state(Fixture *f, const char *ifname, const char *mac) {
        _cleanup_(eni_done) Eni eni = {};
        _cleanup_free_ char *text = NULL;
        json_t *j_eni = NULL, *j;
        char path[PATH_MAX];

        make_eni(mac, &eni);
        assert_int_equal(eni_to_json(&eni, &j_eni), 0);
        j = json_pack("{s:o, s:b, s:b, s:s}", "eni", j_eni, "has_ipv4", 0, "has_ipv6", 0, "shadowed_by", "");
        assert_non_null(j);
        text = json_dumps(j, 0);
        json_decref(j);
        snprintf(path, sizeof path, "%s/interfaces", f->runtime_dir);
        assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
        snprintf(path, sizeof path, "%s/interfaces/%s.json", f->runtime_dir, ifname);
        assert_int_equal(write_whole_file(path, text), 0);
}

static bool exists(Fixture *f, const char *ifname, InterfaceFile file) {
        char name[PATH_MAX], path[PATH_MAX * 2];

        assert_int_equal(interface_file_name(ifname, file, name, sizeof name), 0);
        snprintf(path, sizeof path, "%s/%s", f->network_dir, name);
        return access(path, F_OK) == 0;
}

static bool state_exists(Fixture *f, const char *ifname) {
        char path[PATH_MAX * 2];

        snprintf(path, sizeof path, "%s/interfaces/%s.json", f->runtime_dir, ifname);
        return access(path, F_OK) == 0;
}

static void test_owner_read_from_eni_conf(void **state) {
        Fixture *f = *state;
        char mac[MAC_STR_MAX] = "";

        assert_int_equal(interface_files_owner_mac(f->network_dir, IFNAME, mac), -ENOENT);
        write_files(f, IFNAME, MAC_B);
        assert_int_equal(interface_files_owner_mac(f->network_dir, IFNAME, mac), 0);
        assert_string_equal(mac, MAC_B);
}

static void test_remove_leaves_another_macs_files(void **state) {
        Fixture *f = *state;
        SetupContext ctx = context(f);
        SetupRun run = {};
        RemoveOutcome o;

        write_files(f, IFNAME, MAC_B);
        write_state(f, IFNAME, MAC_B);
        assert_int_equal(interface_remove(&ctx, &run, IFNAME, &(RemoveRequest) { .removed_mac = MAC_A, .check_present = true },
                                          &o), 0);
        assert_int_equal(o.verdict, REMOVE_NONE_NOT_OWNER);
        assert_string_equal(o.owner_mac, MAC_B);
        assert_string_equal(o.removed_mac, MAC_A);
        assert_false(o.changed);
        assert_false(run.changed);
        assert_true(exists(f, IFNAME, IFACE_FILE_NETWORK));
        assert_true(exists(f, IFNAME, IFACE_FILE_ENI));
        assert_true(state_exists(f, IFNAME));

        /* The remove of the owner itself takes everything. */
        assert_int_equal(interface_remove(&ctx, &run, IFNAME, &(RemoveRequest) { .removed_mac = MAC_B, .check_present = true },
                                          &o), 0);
        assert_int_equal(o.verdict, REMOVE_ALL);
        assert_true(o.changed);
        assert_true(run.changed);
        assert_false(exists(f, IFNAME, IFACE_FILE_NETWORK));
        assert_false(exists(f, IFNAME, IFACE_FILE_ENI));
        assert_false(state_exists(f, IFNAME));
}

/* Without eni.conf (a setup killed after its .network file, or files of 2.x), the saved
 * state says whose they are. */
static void test_owner_from_state(void **state) {
        Fixture *f = *state;
        SetupContext ctx = context(f);
        SetupRun run = {};
        char name[PATH_MAX], path[PATH_MAX * 2];
        RemoveOutcome o;

        write_files(f, IFNAME, MAC_B);
        write_state(f, IFNAME, MAC_B);
        assert_int_equal(interface_file_name(IFNAME, IFACE_FILE_ENI, name, sizeof name), 0);
        snprintf(path, sizeof path, "%s/%s", f->network_dir, name);
        assert_int_equal(unlink(path), 0);

        assert_int_equal(interface_remove(&ctx, &run, IFNAME, &(RemoveRequest) { .removed_mac = MAC_A }, &o), 0);
        assert_int_equal(o.verdict, REMOVE_NONE_NOT_OWNER);
        assert_string_equal(o.owner_mac, MAC_B);
        assert_true(exists(f, IFNAME, IFACE_FILE_NETWORK));
        assert_true(state_exists(f, IFNAME));
}

/* The 2.x command line names no MAC: it removes whatever is there, as it always did. */
static void test_remove_without_request(void **state) {
        Fixture *f = *state;
        SetupContext ctx = context(f);
        SetupRun run = {};
        RemoveOutcome o;

        write_files(f, IFNAME, MAC_B);
        write_state(f, IFNAME, MAC_B);
        assert_int_equal(interface_remove(&ctx, &run, IFNAME, NULL, &o), 0);
        assert_int_equal(o.verdict, REMOVE_ALL);
        assert_true(o.changed);
        assert_false(exists(f, IFNAME, IFACE_FILE_NETWORK));
        assert_false(state_exists(f, IFNAME));
}

static void test_remove_invalid_mac(void **state) {
        Fixture *f = *state;
        SetupContext ctx = context(f);
        SetupRun run = {};
        RemoveOutcome o;

        write_files(f, IFNAME, MAC_B);
        assert_int_equal(interface_remove(&ctx, &run, IFNAME, &(RemoveRequest) { .removed_mac = "0e:00:00:00:00" }, &o),
                         -EINVAL);
        assert_int_equal(interface_remove(&ctx, &run, IFNAME, &(RemoveRequest) { .removed_mac = MAC_B "\n[Match]" }, &o),
                         -EINVAL);
        assert_true(exists(f, IFNAME, IFACE_FILE_ENI));
}

/* A link that holds the name now ("lo" stands in: it exists in every namespace and has
 * the all-zero MAC). Read only; nothing is sent. */
#define LO_MAC "00:00:00:00:00:00"

static void test_name_in_use(void **state) {
        Fixture *f = *state;
        SetupContext ctx = context(f);
        SetupRun run = {};
        RemoveOutcome o;

        /* The departed ENI's files, the name taken by another link: the files go. */
        write_files(f, "lo", MAC_A);
        assert_int_equal(interface_remove_plan(&ctx, "lo", &(RemoveRequest) { .removed_mac = MAC_A, .check_present = true },
                                               &o), 0);
        assert_int_equal(o.verdict, REMOVE_FILES_ONLY);
        assert_true(o.name_in_use);
        assert_string_equal(o.present_mac, LO_MAC);
        assert_true(exists(f, "lo", IFACE_FILE_ENI));   /* the plan changes nothing */
        assert_int_equal(interface_remove(&ctx, &run, "lo", &(RemoveRequest) { .removed_mac = MAC_A, .check_present = true },
                                          &o), 0);
        assert_int_equal(o.verdict, REMOVE_FILES_ONLY);
        assert_true(o.changed);
        assert_false(exists(f, "lo", IFACE_FILE_ENI));

        /* The files of the link that holds the name: a late remove of the same MAC (the
         * ENI attached again) and one without a MAC leave them. */
        write_files(f, "lo", LO_MAC);
        assert_int_equal(interface_remove(&ctx, &run, "lo", &(RemoveRequest) { .removed_mac = LO_MAC, .check_present = true },
                                          &o), 0);
        assert_int_equal(o.verdict, REMOVE_NONE_NAME_IN_USE);
        assert_int_equal(interface_remove(&ctx, &run, "lo", &(RemoveRequest) { .check_present = true }, &o), 0);
        assert_int_equal(o.verdict, REMOVE_NONE_NAME_IN_USE);
        assert_false(o.changed);
        assert_true(exists(f, "lo", IFACE_FILE_ENI));
        /* Not asked to look at the kernel: removed. */
        assert_int_equal(interface_remove(&ctx, &run, "lo", &(RemoveRequest) { .removed_mac = LO_MAC }, &o), 0);
        assert_int_equal(o.verdict, REMOVE_ALL);
        assert_false(exists(f, "lo", IFACE_FILE_ENI));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_verdict_table),
                cmocka_unit_test_setup_teardown(test_owner_read_from_eni_conf, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_remove_leaves_another_macs_files, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_owner_from_state, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_remove_without_request, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_remove_invalid_mac, fixture_setup, fixture_teardown),
                cmocka_unit_test_setup_teardown(test_name_in_use, fixture_setup, fixture_teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
