// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Route-server decision logic that needs no FRR.
 */

#include <stdio.h>
#include <string.h>

#include "rs_policy.h"

#define RS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Weights for the hub routing preference; 0 leaves bgpd's weight alone. */
#define RS_WEIGHT_UNSET 0
#define RS_WEIGHT_BASE 100
#define RS_WEIGHT_PREFERRED 200

static const char *const rs_role_names[] = {
	[RS_ROLE_NONE] = "none",
	[RS_ROLE_LOCAL] = "local",
	[RS_ROLE_NVA] = "nva",
	[RS_ROLE_EXPRESSROUTE] = "expressroute-gateway",
	[RS_ROLE_VPN] = "vpn-gateway",
};

static const char *const rs_hub_pref_names[] = {
	[RS_PREF_EXPRESSROUTE] = "expressroute",
	[RS_PREF_VPN] = "vpn",
	[RS_PREF_AS_PATH] = "as-path",
};

static const char *const rs_gw_state_names[] = {
	[RS_GW_READY] = "ready",
	[RS_GW_NOT_ACTIVE_ACTIVE] = "not-active-active",
	[RS_GW_DEGRADED] = "degraded",
	[RS_GW_DOWN] = "down",
};

struct rs_asn_range {
	uint32_t first;
	uint32_t last;
};

static const struct rs_asn_range rs_azure_reserved[] = {
	{8074, 8075},
	{12076, 12076},
	{65515, 65515},
	{65517, 65520},
};

static const struct rs_asn_range rs_iana_reserved[] = {
	{23456, 23456},
	{64496, 64511},
	{65535, 65551},
	{UINT32_MAX, UINT32_MAX},
};

static const char *rs_name(const char *const names[], size_t count,
			   unsigned int value)
{
	if (value >= count || !names[value])
		return "unknown";
	return names[value];
}

/* Index of name in names, or -1. */
static int rs_name_index(const char *const names[], size_t count,
			 const char *name)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < count; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *rs_role_name(enum rs_role role)
{
	return rs_name(rs_role_names, RS_ARRAY_SIZE(rs_role_names), role);
}

bool rs_role_from_name(const char *name, enum rs_role *role)
{
	int idx = rs_name_index(rs_role_names, RS_ARRAY_SIZE(rs_role_names),
				name);

	if (idx < 0)
		return false;
	if (role)
		*role = (enum rs_role)idx;
	return true;
}

const char *rs_hub_pref_name(enum rs_hub_pref pref)
{
	return rs_name(rs_hub_pref_names, RS_ARRAY_SIZE(rs_hub_pref_names),
		       pref);
}

bool rs_hub_pref_from_name(const char *name, enum rs_hub_pref *pref)
{
	int idx = rs_name_index(rs_hub_pref_names,
				RS_ARRAY_SIZE(rs_hub_pref_names), name);

	if (idx < 0)
		return false;
	if (pref)
		*pref = (enum rs_hub_pref)idx;
	return true;
}

const char *rs_gw_state_name(enum rs_gw_state state)
{
	return rs_name(rs_gw_state_names, RS_ARRAY_SIZE(rs_gw_state_names),
		       state);
}

static enum rs_gw_state rs_verdict(enum rs_gw_state state, const char *text,
				   char *reason, size_t reason_size)
{
	if (reason && reason_size > 0)
		snprintf(reason, reason_size, "%s", text);
	return state;
}

static bool rs_instance_up(const struct rs_gw_instance *inst)
{
	return inst->configured && inst->established;
}

static enum rs_gw_state rs_er_evaluate(const struct rs_gw_instance *inst,
				       char *reason, size_t reason_size)
{
	if (!inst->configured)
		return rs_verdict(RS_GW_DOWN, "no instance configured", reason,
				  reason_size);
	if (!inst->established)
		return rs_verdict(RS_GW_DOWN, "session down", reason,
				  reason_size);
	return rs_verdict(RS_GW_READY, "", reason, reason_size);
}

static enum rs_gw_state rs_vpn_evaluate(const struct rs_gw_instance inst[2],
					char *reason, size_t reason_size)
{
	bool up0 = rs_instance_up(&inst[0]);
	bool up1 = rs_instance_up(&inst[1]);

	if (!inst[0].configured && !inst[1].configured)
		return rs_verdict(RS_GW_NOT_ACTIVE_ACTIVE,
				  "no instance configured", reason,
				  reason_size);
	if (!inst[0].configured)
		return rs_verdict(RS_GW_NOT_ACTIVE_ACTIVE,
				  "instance 0 not configured", reason,
				  reason_size);
	if (!inst[1].configured)
		return rs_verdict(RS_GW_NOT_ACTIVE_ACTIVE,
				  "instance 1 not configured", reason,
				  reason_size);
	if (up0 && up1)
		return rs_verdict(RS_GW_READY, "", reason, reason_size);
	if (up1)
		return rs_verdict(RS_GW_DEGRADED, "instance 0 session down",
				  reason, reason_size);
	if (up0)
		return rs_verdict(RS_GW_DEGRADED, "instance 1 session down",
				  reason, reason_size);
	return rs_verdict(RS_GW_DOWN, "both instance sessions down", reason,
			  reason_size);
}

enum rs_gw_state rs_gateway_evaluate(enum rs_role role,
				     const struct rs_gw_instance inst[2],
				     char *reason, size_t reason_size)
{
	switch (role) {
	case RS_ROLE_EXPRESSROUTE:
		return rs_er_evaluate(&inst[0], reason, reason_size);
	case RS_ROLE_VPN:
		return rs_vpn_evaluate(inst, reason, reason_size);
	case RS_ROLE_NONE:
	case RS_ROLE_LOCAL:
	case RS_ROLE_NVA:
		break;
	}
	return rs_verdict(RS_GW_DOWN, "not a gateway", reason, reason_size);
}

static bool rs_gw_same(const struct rs_gw_member *a,
		       const struct rs_gw_member *b)
{
	return a->role == b->role && a->role != RS_ROLE_NVA &&
	       !strcmp(a->gateway, b->gateway);
}

size_t rs_gw_leader(const struct rs_gw_member *members, size_t count, size_t i)
{
	size_t first;

	for (first = 0; first < i; first++)
		if (rs_gw_same(&members[first], &members[i]))
			return first;
	return i;
}

enum rs_gw_state rs_gw_members_state(const struct rs_gw_member *members,
				     size_t count, size_t i, char *reason,
				     size_t reason_size)
{
	struct rs_gw_instance inst[2] = {};
	size_t m;

	for (m = 0; m < count; m++) {
		const struct rs_gw_member *member = &members[m];
		struct rs_gw_instance *slot;

		if (m != i && !rs_gw_same(member, &members[i]))
			continue;
		slot = &inst[member->role == RS_ROLE_VPN && member->instance];
		slot->established =
			slot->configured
				? slot->established && member->established
				: member->established;
		slot->configured = true;
	}
	return rs_gateway_evaluate(members[i].role, inst, reason, reason_size);
}

bool rs_gw_state_exchanges(enum rs_gw_state state)
{
	switch (state) {
	case RS_GW_READY:
	case RS_GW_DEGRADED:
	case RS_GW_DOWN:
		return true;
	case RS_GW_NOT_ACTIVE_ACTIVE:
		break;
	}
	return false;
}

static bool rs_role_valid(enum rs_role role)
{
	return (unsigned int)role <= RS_ROLE_VPN;
}

static bool rs_role_is_gateway(enum rs_role role)
{
	return role == RS_ROLE_EXPRESSROUTE || role == RS_ROLE_VPN;
}

/* A gateway out of the exchange (vpn gateway not active-active). */
static bool rs_party_isolated(const struct rs_party *party)
{
	return rs_role_is_gateway(party->role) && !party->exchanges;
}

/*
 * Gateway ids are compared within one kind only, so they need not be
 * unique across expressroute and vpn gateways.
 */
static bool rs_same_gateway(const struct rs_party *a, const struct rs_party *b)
{
	return rs_role_is_gateway(a->role) && a->role == b->role &&
	       a->gateway_id == b->gateway_id;
}

bool rs_policy_permits(const struct rs_party *from, const struct rs_party *to,
		       const struct rs_rules *rules)
{
	if (!rs_role_valid(from->role) || !rs_role_valid(to->role))
		return false;
	/* local is the route server itself, never a receiver */
	if (to->role == RS_ROLE_LOCAL)
		return false;
	/* a receiver without a role is left to bgpd's own rules */
	if (to->role == RS_ROLE_NONE)
		return true;
	if (from->peer_id && from->peer_id == to->peer_id)
		return false;
	if (from->role == RS_ROLE_LOCAL)
		return true;
	if (rs_party_isolated(from) || rs_party_isolated(to))
		return false;
	/* fail closed: what no role classifies reaches no role peer */
	if (from->role == RS_ROLE_NONE)
		return rules->allow_unclassified;
	if (rs_same_gateway(from, to))
		return false;
	if (from->role == RS_ROLE_NVA && to->role == RS_ROLE_NVA)
		return true;
	/* what is left crosses between the nva side and the gateway side */
	return rules->branch_to_branch;
}

bool rs_gw_class_shared(const struct rs_gw_class_facts *facts)
{
	return !facts->strict && facts->exchanges && facts->ebgp &&
	       facts->as_path_kept && (facts->one_member || facts->own_asn);
}

const struct rs_party rs_nva_class_party = {.role = RS_ROLE_NVA,
					    .exchanges = true};

struct rs_party rs_shared_gw_class_party(enum rs_role role)
{
	return (struct rs_party){.role = role, .exchanges = true};
}

bool rs_gw_class_joins_nvas(const struct rs_gw_class_facts *facts,
			    const struct rs_rules *rules)
{
	return rules->branch_to_branch && rs_gw_class_shared(facts);
}

uint32_t rs_preference_weight(enum rs_hub_pref pref, enum rs_role role)
{
	bool er = role == RS_ROLE_EXPRESSROUTE;

	if (role != RS_ROLE_NVA && !rs_role_is_gateway(role))
		return RS_WEIGHT_UNSET;

	switch (pref) {
	case RS_PREF_EXPRESSROUTE:
		return er ? RS_WEIGHT_PREFERRED : RS_WEIGHT_BASE;
	case RS_PREF_VPN:
		/* vpn and nva tie here; AS-path length decides between them */
		return er ? RS_WEIGHT_BASE : RS_WEIGHT_PREFERRED;
	case RS_PREF_AS_PATH:
		break;
	}
	return RS_WEIGHT_BASE;
}

static bool rs_asn_in(const struct rs_asn_range ranges[], size_t count,
		      uint32_t asn)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (asn >= ranges[i].first && asn <= ranges[i].last)
			return true;
	return false;
}

static bool rs_asn_azure_reserved(uint32_t asn)
{
	return rs_asn_in(rs_azure_reserved, RS_ARRAY_SIZE(rs_azure_reserved),
			 asn);
}

static bool rs_asn_iana_reserved(uint32_t asn)
{
	return rs_asn_in(rs_iana_reserved, RS_ARRAY_SIZE(rs_iana_reserved),
			 asn);
}

bool rs_asn_is_reserved(uint32_t asn)
{
	return asn == 0 || rs_asn_azure_reserved(asn) ||
	       rs_asn_iana_reserved(asn);
}

const char *rs_nva_asn_problem(uint32_t asn, uint32_t own_asn)
{
	if (asn == 0)
		return "invalid ASN";
	if (rs_asn_azure_reserved(asn))
		return "reserved ASN (Azure)";
	if (rs_asn_iana_reserved(asn))
		return "reserved ASN (IANA)";
	if (asn == own_asn)
		return "same ASN as the route server";
	return NULL;
}
