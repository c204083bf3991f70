/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eni.h"
#include "macro.h"
#include "rendered-check.h"
#include "strv.h"
#include "validate.h"

typedef enum ValueKind {
        VALUE_LITERAL,      /* exactly KeyRule.literal */
        VALUE_DRIVERS,      /* the settings' drivers, separated by single spaces */
        VALUE_MAC,          /* the ENI's MAC */
        VALUE_IFNAME,       /* the interface's name */
        VALUE_TABLE,        /* eni_table() */
        VALUE_METRIC,       /* eni_metric() */
        VALUE_GATEWAY,      /* "_ipv6ra" or "_dhcp4", networkd's gateway placeholders */
        VALUE_SUBNET,       /* one of the ENI's subnets */
        VALUE_SOURCE4,      /* one of the ENI's IPv4 addresses or IPv4 prefixes */
        VALUE_SOURCE6,      /* one of the ENI's IPv6 addresses or IPv6 prefixes */
        VALUE_SECONDARY4,   /* one of the ENI's secondary IPv4 addresses, with "/32" */
} ValueKind;

typedef struct KeyRule {
        InterfaceFile file;
        const char *section;
        const char *key;
        ValueKind kind;
        const char *literal;
} KeyRule;

/* What render.c may write (SPEC §4), file by file. Written out rather than derived from
 * render.c, so that a change there has to be made here too, on purpose. */
static const KeyRule key_rules[] = {
        { IFACE_FILE_NETWORK, "Match", "Driver", VALUE_DRIVERS, NULL },
        { IFACE_FILE_NETWORK, "Link", "MTUBytes", VALUE_LITERAL, "9001" },
        { IFACE_FILE_NETWORK, "Network", "DHCP", VALUE_LITERAL, "yes" },
        { IFACE_FILE_NETWORK, "Network", "IPv6DuplicateAddressDetection", VALUE_LITERAL, "0" },
        { IFACE_FILE_NETWORK, "Network", "LLMNR", VALUE_LITERAL, "no" },
        { IFACE_FILE_NETWORK, "Network", "DNSDefaultRoute", VALUE_LITERAL, "yes" },
        { IFACE_FILE_NETWORK, "DHCPv4", "UseHostname", VALUE_LITERAL, "no" },
        { IFACE_FILE_NETWORK, "DHCPv4", "UseDNS", VALUE_LITERAL, "yes" },
        { IFACE_FILE_NETWORK, "DHCPv4", "UseNTP", VALUE_LITERAL, "yes" },
        { IFACE_FILE_NETWORK, "DHCPv4", "UseDomains", VALUE_LITERAL, "yes" },
        { IFACE_FILE_NETWORK, "DHCPv6", "UseHostname", VALUE_LITERAL, "no" },
        { IFACE_FILE_NETWORK, "DHCPv6", "UseDNS", VALUE_LITERAL, "yes" },
        { IFACE_FILE_NETWORK, "DHCPv6", "UseNTP", VALUE_LITERAL, "yes" },
        { IFACE_FILE_NETWORK, "DHCPv6", "WithoutRA", VALUE_LITERAL, "solicit" },

        { IFACE_FILE_ENI, "Match", "MACAddress", VALUE_MAC, NULL },
        { IFACE_FILE_ENI, "Match", "Name", VALUE_IFNAME, NULL },
        { IFACE_FILE_ENI, "Network", "DHCP", VALUE_LITERAL, "yes" },
        { IFACE_FILE_ENI, "DHCPv4", "RouteMetric", VALUE_METRIC, NULL },
        { IFACE_FILE_ENI, "DHCPv4", "UseRoutes", VALUE_LITERAL, "true" },
        { IFACE_FILE_ENI, "DHCPv4", "UseGateway", VALUE_LITERAL, "true" },
        { IFACE_FILE_ENI, "IPv6AcceptRA", "RouteMetric", VALUE_METRIC, NULL },
        { IFACE_FILE_ENI, "IPv6AcceptRA", "UseGateway", VALUE_LITERAL, "true" },
        { IFACE_FILE_ENI, "Route", "Table", VALUE_TABLE, NULL },
        { IFACE_FILE_ENI, "Route", "Gateway", VALUE_GATEWAY, NULL },
        { IFACE_FILE_ENI, "Route", "Destination", VALUE_SUBNET, NULL },

        { IFACE_FILE_POLICY4, "RoutingPolicyRule", "From", VALUE_SOURCE4, NULL },
        { IFACE_FILE_POLICY4, "RoutingPolicyRule", "Priority", VALUE_TABLE, NULL },
        { IFACE_FILE_POLICY4, "RoutingPolicyRule", "Table", VALUE_TABLE, NULL },

        { IFACE_FILE_POLICY6, "RoutingPolicyRule", "From", VALUE_SOURCE6, NULL },
        { IFACE_FILE_POLICY6, "RoutingPolicyRule", "Priority", VALUE_TABLE, NULL },
        { IFACE_FILE_POLICY6, "RoutingPolicyRule", "Table", VALUE_TABLE, NULL },

        { IFACE_FILE_ALIAS, "Address", "Address", VALUE_SECONDARY4, NULL },
        { IFACE_FILE_ALIAS, "Address", "AddPrefixRoute", VALUE_LITERAL, "false" },
};

/* One bit per rule marks the keys already seen in the current section. */
_Static_assert(ELEMENTSOF(key_rules) <= 64, "too many rules for the seen-key mask");

typedef struct CheckContext {
        const RenderInput *in;
        const RenderSettings *s;
        InterfaceFile file;
        unsigned line;
        char *err;
        size_t err_size;
} CheckContext;

static int check_fail(const CheckContext *c, const char *line, const char *fmt, ...) _printf_(3, 4);
static int check_fail(const CheckContext *c, const char *line, const char *fmt, ...) {
        const char *name = interface_file_basename(c->file);
        char reason[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(reason, sizeof reason, fmt, ap);
        va_end(ap);
        snprintf(c->err, c->err_size, "%s line %u: %s: \"%s\"", name ? name : ".network", c->line, reason, line);
        return -EBADMSG;
}

static bool canonical_ipv4(const char *v) {
        char buf[IP_STR_MAX];

        return validate_ipv4(v, buf) == 0 && strcmp(buf, v) == 0;
}

static bool canonical_ipv6(const char *v) {
        char buf[IP_STR_MAX];

        return validate_ipv6(v, buf) == 0 && strcmp(buf, v) == 0;
}

static bool canonical_cidr4(const char *v) {
        char buf[CIDR_STR_MAX];

        return validate_cidr4(v, buf) == 0 && strcmp(buf, v) == 0;
}

static bool canonical_cidr6(const char *v) {
        char buf[CIDR_STR_MAX];

        return validate_cidr6(v, buf) == 0 && strcmp(buf, v) == 0;
}

static bool value_is_number(const char *v, unsigned expected) {
        char buf[16];

        snprintf(buf, sizeof buf, "%u", expected);
        return strcmp(v, buf) == 0;
}

static bool value_is_drivers(const char *v, char *const *drivers) {
        size_t n;

        if (!drivers || !drivers[0])
                return false;
        STRV_FOREACH(d, drivers) {
                if (d != drivers) {
                        if (*v != ' ')
                                return false;
                        v++;
                }
                n = strlen(*d);
                if (strncmp(v, *d, n) != 0)
                        return false;
                v += n;
        }
        return *v == '\0';
}

static bool value_ok(const CheckContext *c, const KeyRule *rule, const char *v) {
        const Eni *eni = c->in->eni;
        char mac[MAC_STR_MAX];

        switch (rule->kind) {
        case VALUE_LITERAL:
                return strcmp(v, rule->literal) == 0;
        case VALUE_DRIVERS:
                return value_is_drivers(v, c->s->drivers);
        case VALUE_MAC:
                return validate_mac(v, mac) == 0 && strcmp(mac, v) == 0 && strcmp(v, eni->mac) == 0;
        case VALUE_IFNAME:
                return ifname_is_valid(v) && strcmp(v, c->in->ifname) == 0;
        case VALUE_TABLE:
                return value_is_number(v, eni_table(eni));
        case VALUE_METRIC:
                return value_is_number(v, eni_metric(eni));
        case VALUE_GATEWAY:
                return strcmp(v, "_ipv6ra") == 0 || strcmp(v, "_dhcp4") == 0;
        case VALUE_SUBNET:
                return (canonical_cidr4(v) && eni->subnet_ipv4_cidr && strcmp(v, eni->subnet_ipv4_cidr) == 0) ||
                       (canonical_cidr6(v) && strv_contains(eni->subnet_ipv6_cidrs, v));
        case VALUE_SOURCE4:
                return (canonical_ipv4(v) && strv_contains(eni->ipv4s, v)) ||
                       (canonical_cidr4(v) && strv_contains(eni->ipv4_prefixes, v));
        case VALUE_SOURCE6:
                return (canonical_ipv6(v) && strv_contains(eni->ipv6s, v)) ||
                       (canonical_cidr6(v) && strv_contains(eni->ipv6_prefixes, v));
        case VALUE_SECONDARY4: {
                size_t n = strlen(v);
                char addr[IP_STR_MAX];

                if (n < 4 || n - 3 >= sizeof addr || strcmp(v + n - 3, "/32") != 0)
                        return false;
                memcpy(addr, v, n - 3);
                addr[n - 3] = '\0';
                /* The first address is the primary one, which DHCP configures. */
                return canonical_ipv4(addr) && eni->ipv4s[0] && strv_contains(eni->ipv4s + 1, addr);
        }
        }
        return false;
}

static bool section_allowed(InterfaceFile file, const char *section) {
        for (size_t i = 0; i < ELEMENTSOF(key_rules); i++)
                if (key_rules[i].file == file && strcmp(key_rules[i].section, section) == 0)
                        return true;
        return false;
}

static int check_file(CheckContext *c, const char *content) {
        char header[2][128];
        const char *section = NULL;
        _cleanup_free_ char *section_buf = NULL;
        uint64_t seen = 0;

        snprintf(header[0], sizeof header[0], "# Generated by amazon-ec2-net-utils for %s.", c->in->ifname);
        snprintf(header[1], sizeof header[1], "# Do not edit: files in /etc/systemd/network take precedence.");

        c->line = 0;
        if (*content == '\0' || content[strlen(content) - 1] != '\n')
                return check_fail(c, "", "empty, or no newline at the end");

        for (const char *p = content; *p;) {
                const char *nl = strchr(p, '\n');
                _cleanup_free_ char *line = strndup(p, (size_t) (nl - p));
                char *eq;

                if (!line)
                        return -ENOMEM;
                p = nl + 1;
                c->line++;

                if (c->line <= 2) {
                        if (strcmp(line, header[c->line - 1]) != 0)
                                return check_fail(c, line, "not the header");
                        continue;
                }
                if (line[0] == '\0')
                        continue;
                if (line[0] == '[') {
                        size_t n = strlen(line);

                        if (n < 3 || line[n - 1] != ']')
                                return check_fail(c, line, "malformed section header");
                        free(section_buf);
                        section_buf = strndup(line + 1, n - 2);
                        if (!section_buf)
                                return -ENOMEM;
                        if (!section_allowed(c->file, section_buf))
                                return check_fail(c, line, "section not written in this file");
                        section = section_buf;
                        seen = 0;
                        continue;
                }
                eq = strchr(line, '=');
                if (!eq)
                        return check_fail(c, line, "neither empty, a section nor key=value");
                if (!section)
                        return check_fail(c, line, "key before any section");
                *eq = '\0';
                {
                        const KeyRule *rule = NULL;
                        size_t i;

                        for (i = 0; i < ELEMENTSOF(key_rules); i++)
                                if (key_rules[i].file == c->file && strcmp(key_rules[i].section, section) == 0 &&
                                    strcmp(key_rules[i].key, line) == 0) {
                                        rule = &key_rules[i];
                                        break;
                                }
                        if (!rule) {
                                *eq = '=';
                                return check_fail(c, line, "key not written in [%s]", section);
                        }
                        if (seen & (UINT64_C(1) << i)) {
                                *eq = '=';
                                return check_fail(c, line, "key twice in one [%s]", section);
                        }
                        seen |= UINT64_C(1) << i;
                        if (!value_ok(c, rule, eq + 1)) {
                                *eq = '=';
                                return check_fail(c, line, "value not what the renderer writes for this ENI");
                        }
                }
        }
        return 0;
}

int rendered_interface_check(const RenderInput *in, const RenderSettings *s, const RenderedInterface *r,
                             char *err, size_t err_size) {
        CheckContext c = { .in = in, .s = s, .err = err, .err_size = err_size };

        for (int f = 0; f < _IFACE_FILE_MAX; f++) {
                int k;

                if (!r->content[f])
                        continue;
                c.file = (InterfaceFile) f;
                k = check_file(&c, r->content[f]);
                if (k < 0)
                        return k;
        }
        return 0;
}
