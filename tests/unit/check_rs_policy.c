// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the route-server decision logic (rs_policy.c).
 */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rs_policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define NONE RS_ROLE_NONE
#define LOCAL RS_ROLE_LOCAL
#define NVA RS_ROLE_NVA
#define ER RS_ROLE_EXPRESSROUTE
#define VPN RS_ROLE_VPN

static bool is_gateway(enum rs_role role)
{
	return role == ER || role == VPN;
}

/*
 * A party with its own peer and (for gateways) its own gateway; `seq`
 * keeps the two ends of an advertisement distinct.
 */
static const struct rs_rules *rules(bool toggle)
{
	static const struct rs_rules off = {.branch_to_branch = false};
	static const struct rs_rules on = {.branch_to_branch = true};

	return toggle ? &on : &off;
}

static struct rs_party party(enum rs_role role, uint32_t seq, bool exchanges)
{
	struct rs_party p = {
		.role = role,
		.peer_id = role == LOCAL ? 0 : 100 + seq,
		.gateway_id = is_gateway(role) ? 10 + seq : 0,
		.exchanges = exchanges,
	};

	return p;
}

/* Role pairs between distinct peers and gateways, all exchanging. */
static const struct pair_case {
	enum rs_role from;
	enum rs_role to;
	bool toggle_off;
	bool toggle_on;
} pair_cases[] = {
	/* from, to, toggle off, toggle on */
	{NONE, NONE, true, true},
	{NONE, LOCAL, false, false},
	/* fail closed, see test_permits_unclassified */
	{NONE, NVA, false, false},
	{NONE, ER, false, false},
	{NONE, VPN, false, false},
	{LOCAL, NONE, true, true},
	{LOCAL, LOCAL, false, false},
	{LOCAL, NVA, true, true},
	{LOCAL, ER, true, true},
	{LOCAL, VPN, true, true},
	{NVA, NONE, true, true},
	{NVA, LOCAL, false, false},
	{NVA, NVA, true, true},
	{NVA, ER, false, true},
	{NVA, VPN, false, true},
	{ER, NONE, true, true},
	{ER, LOCAL, false, false},
	{ER, NVA, false, true},
	{ER, ER, false, true}, /* a different expressroute gateway */
	{ER, VPN, false, true},
	{VPN, NONE, true, true},
	{VPN, LOCAL, false, false},
	{VPN, NVA, false, true},
	{VPN, ER, false, true},
	{VPN, VPN, false, true}, /* a different vpn gateway */
};

/*
 * _i = case * 4 + variant: bit 0 is the toggle, bit 1 clears `exchanges`
 * on the non-gateway ends, where it must be ignored.
 */
START_TEST(test_permits_role_pairs)
{
	const struct pair_case *c = &pair_cases[_i / 4];
	bool toggle = _i & 1;
	bool other_ex = !(_i & 2);
	struct rs_party from =
		party(c->from, 1, is_gateway(c->from) || other_ex);
	struct rs_party to = party(c->to, 2, is_gateway(c->to) || other_ex);
	bool expect = toggle ? c->toggle_on : c->toggle_off;

	ck_assert_msg(rs_policy_permits(&from, &to, rules(toggle)) == expect,
		      "%s -> %s, toggle %s: expected %s", rs_role_name(c->from),
		      rs_role_name(c->to), toggle ? "on" : "off",
		      expect ? "permit" : "deny");
}
END_TEST

/* One end is a gateway out of the exchange; the toggle must not matter. */
static const struct isolated_case {
	enum rs_role from;
	bool from_ex;
	enum rs_role to;
	bool to_ex;
	bool expect;
} isolated_cases[] = {
	/* an isolated expressroute gateway sends */
	{ER, false, NONE, true, true},
	{ER, false, LOCAL, true, false},
	{ER, false, NVA, true, false},
	{ER, false, ER, true, false},
	{ER, false, VPN, true, false},
	{ER, false, ER, false, false},
	{ER, false, VPN, false, false},
	/* an isolated expressroute gateway receives */
	{NONE, true, ER, false, false}, /* fail closed */
	{LOCAL, true, ER, false, true},
	{NVA, true, ER, false, false},
	{ER, true, ER, false, false},
	{VPN, true, ER, false, false},
	/* an isolated vpn gateway sends */
	{VPN, false, NONE, true, true},
	{VPN, false, LOCAL, true, false},
	{VPN, false, NVA, true, false},
	{VPN, false, ER, true, false},
	{VPN, false, VPN, true, false},
	{VPN, false, ER, false, false},
	{VPN, false, VPN, false, false},
	/* an isolated vpn gateway receives */
	{NONE, true, VPN, false, false}, /* fail closed */
	{LOCAL, true, VPN, false, true},
	{NVA, true, VPN, false, false},
	{ER, true, VPN, false, false},
	{VPN, true, VPN, false, false},
};

START_TEST(test_permits_isolated_gateway)
{
	const struct isolated_case *c = &isolated_cases[_i / 2];
	bool toggle = _i & 1;
	struct rs_party from = party(c->from, 1, c->from_ex);
	struct rs_party to = party(c->to, 2, c->to_ex);

	ck_assert_msg(rs_policy_permits(&from, &to, rules(toggle)) == c->expect,
		      "%s%s -> %s%s, toggle %s: expected %s",
		      rs_role_name(c->from), c->from_ex ? "" : " (isolated)",
		      rs_role_name(c->to), c->to_ex ? "" : " (isolated)",
		      toggle ? "on" : "off", c->expect ? "permit" : "deny");
}
END_TEST

/* A route is never sent back to its sender, except for unpoliced peers. */
static const struct same_peer_case {
	enum rs_role role;
	bool expect;
} same_peer_cases[] = {
	{NONE, true},
	{NVA, false},
	{ER, false},
	{VPN, false},
};

START_TEST(test_permits_same_peer)
{
	const struct same_peer_case *c = &same_peer_cases[_i / 2];
	bool toggle = _i & 1;
	struct rs_party p = party(c->role, 1, true);

	ck_assert_msg(rs_policy_permits(&p, &p, rules(toggle)) == c->expect,
		      "%s back to itself, toggle %s", rs_role_name(c->role),
		      toggle ? "on" : "off");
}
END_TEST

/* _i = role (bit 2) | exchanges (bit 1) | toggle (bit 0) */
START_TEST(test_permits_same_gateway_other_instance)
{
	enum rs_role role = (_i & 4) ? VPN : ER;
	bool exchanges = _i & 2;
	bool toggle = _i & 1;
	struct rs_party inst0 = party(role, 1, exchanges);
	struct rs_party inst1 = party(role, 2, exchanges);

	inst1.gateway_id = inst0.gateway_id;
	ck_assert_msg(!rs_policy_permits(&inst0, &inst1, rules(toggle)),
		      "%s instance 0 -> instance 1, exchanges %d, toggle %d",
		      rs_role_name(role), exchanges, toggle);
}
END_TEST

START_TEST(test_permits_same_id_other_gateway_kind)
{
	struct rs_party er = party(ER, 1, true);
	struct rs_party vpn = party(VPN, 2, true);

	vpn.gateway_id = er.gateway_id;
	ck_assert(rs_policy_permits(&er, &vpn, rules(true)));
}
END_TEST

/* _i = receiver role index | toggle (bit 0) */
START_TEST(test_permits_unclassified)
{
	static const enum rs_role receivers[] = {NVA, ER, VPN};
	struct rs_rules allow = {.branch_to_branch = _i & 1,
				 .allow_unclassified = true};
	struct rs_party from = party(NONE, 1, true);
	struct rs_party to = party(receivers[_i / 2], 2, true);

	ck_assert(!rs_policy_permits(&from, &to, rules(_i & 1)));
	ck_assert(rs_policy_permits(&from, &to, &allow));
	/* whatever is allowed, an isolated gateway exchanges with nobody */
	to.exchanges = false;
	ck_assert(rs_policy_permits(&from, &to, &allow) == (to.role == NVA));
}
END_TEST

START_TEST(test_permits_unknown_role)
{
	struct rs_party bad = party(NVA, 1, true);
	struct rs_party nva = party(NVA, 2, true);

	bad.role = (enum rs_role)42;
	ck_assert(!rs_policy_permits(&bad, &nva, rules(true)));
}
END_TEST

enum inst_state { ABSENT, DOWN, UP, STRAY };

#define NOT_AA RS_GW_NOT_ACTIVE_ACTIVE

/* STRAY: established without being configured, counts as not configured */
static struct rs_gw_instance instance(enum inst_state st)
{
	struct rs_gw_instance inst = {
		.configured = st == DOWN || st == UP,
		.established = st == UP || st == STRAY,
	};

	return inst;
}

static const struct gw_case {
	enum rs_role role;
	enum inst_state inst0;
	enum inst_state inst1;
	enum rs_gw_state state;
	const char *reason;
} gw_cases[] = {
	/* expressroute: inst[1] is ignored */
	{ER, UP, ABSENT, RS_GW_READY, ""},
	{ER, UP, UP, RS_GW_READY, ""},
	{ER, DOWN, ABSENT, RS_GW_DOWN, "session down"},
	{ER, DOWN, UP, RS_GW_DOWN, "session down"},
	{ER, ABSENT, ABSENT, RS_GW_DOWN, "no instance configured"},
	{ER, ABSENT, UP, RS_GW_DOWN, "no instance configured"},
	{ER, STRAY, UP, RS_GW_DOWN, "no instance configured"},
	/* vpn: every combination of the two instances */
	{VPN, ABSENT, ABSENT, NOT_AA, "no instance configured"},
	{VPN, ABSENT, DOWN, NOT_AA, "instance 0 not configured"},
	{VPN, ABSENT, UP, NOT_AA, "instance 0 not configured"},
	{VPN, DOWN, ABSENT, NOT_AA, "instance 1 not configured"},
	{VPN, UP, ABSENT, NOT_AA, "instance 1 not configured"},
	{VPN, STRAY, UP, NOT_AA, "instance 0 not configured"},
	{VPN, DOWN, DOWN, RS_GW_DOWN, "both instance sessions down"},
	{VPN, DOWN, UP, RS_GW_DEGRADED, "instance 0 session down"},
	{VPN, UP, DOWN, RS_GW_DEGRADED, "instance 1 session down"},
	{VPN, UP, UP, RS_GW_READY, ""},
	/* not gateways */
	{NONE, UP, UP, RS_GW_DOWN, "not a gateway"},
	{LOCAL, UP, UP, RS_GW_DOWN, "not a gateway"},
	{NVA, UP, UP, RS_GW_DOWN, "not a gateway"},
};

START_TEST(test_gateway_evaluate)
{
	const struct gw_case *c = &gw_cases[_i];
	struct rs_gw_instance inst[2] = {instance(c->inst0),
					 instance(c->inst1)};
	enum rs_gw_state state;
	char reason[64];

	memset(reason, 'x', sizeof(reason));
	state = rs_gateway_evaluate(c->role, inst, reason, sizeof(reason));
	ck_assert_str_eq(rs_gw_state_name(state), rs_gw_state_name(c->state));
	ck_assert_str_eq(reason, c->reason);
}
END_TEST

START_TEST(test_gateway_reason_truncated)
{
	const struct rs_gw_instance inst[2] = {instance(DOWN), instance(DOWN)};
	char reason[8];

	ck_assert_int_eq(rs_gateway_evaluate(VPN, inst, reason, sizeof(reason)),
			 RS_GW_DOWN);
	ck_assert_str_eq(reason, "both in");
}
END_TEST

START_TEST(test_gateway_reason_null)
{
	const struct rs_gw_instance inst[2] = {instance(UP), instance(DOWN)};

	ck_assert_int_eq(rs_gateway_evaluate(VPN, inst, NULL, 64),
			 RS_GW_DEGRADED);
}
END_TEST

START_TEST(test_gateway_reason_size_zero)
{
	const struct rs_gw_instance inst[2] = {instance(UP), instance(ABSENT)};
	char reason[4] = "abc";

	rs_gateway_evaluate(VPN, inst, reason, 0);
	ck_assert_str_eq(reason, "abc");
}
END_TEST

static const struct exchange_case {
	enum rs_gw_state state;
	bool exchanges;
} exchange_cases[] = {
	{RS_GW_READY, true},
	{RS_GW_NOT_ACTIVE_ACTIVE, false},
	{RS_GW_DEGRADED, true},
	{RS_GW_DOWN, true},
};

START_TEST(test_gw_state_exchanges)
{
	const struct exchange_case *c = &exchange_cases[_i];

	ck_assert_msg(rs_gw_state_exchanges(c->state) == c->exchanges, "%s",
		      rs_gw_state_name(c->state));
}
END_TEST

static const char *const role_names[] = {
	[RS_ROLE_NONE] = "none",
	[RS_ROLE_LOCAL] = "local",
	[RS_ROLE_NVA] = "nva",
	[RS_ROLE_EXPRESSROUTE] = "expressroute-gateway",
	[RS_ROLE_VPN] = "vpn-gateway",
};

START_TEST(test_role_names_round_trip)
{
	enum rs_role role = (_i + 1) % ARRAY_SIZE(role_names);

	ck_assert_str_eq(rs_role_name(_i), role_names[_i]);
	ck_assert(rs_role_from_name(role_names[_i], &role));
	ck_assert_int_eq(role, _i);
}
END_TEST

static const char *const bad_role_names[] = {
	"", "NVA", "nva ", " nva", "expressroute", "vpn", "gateway", "nonee",
};

START_TEST(test_role_unknown_name)
{
	enum rs_role role = RS_ROLE_VPN;

	ck_assert(!rs_role_from_name(bad_role_names[_i], &role));
	ck_assert_int_eq(role, RS_ROLE_VPN);
}
END_TEST

START_TEST(test_role_null_name)
{
	enum rs_role role = RS_ROLE_NVA;

	ck_assert(!rs_role_from_name(NULL, &role));
}
END_TEST

START_TEST(test_role_name_out_of_range)
{
	ck_assert_str_eq(rs_role_name((enum rs_role)99), "unknown");
}
END_TEST

static const char *const pref_names[] = {
	[RS_PREF_EXPRESSROUTE] = "expressroute",
	[RS_PREF_VPN] = "vpn",
	[RS_PREF_AS_PATH] = "as-path",
};

START_TEST(test_pref_names_round_trip)
{
	enum rs_hub_pref pref = (_i + 1) % ARRAY_SIZE(pref_names);

	ck_assert_str_eq(rs_hub_pref_name(_i), pref_names[_i]);
	ck_assert(rs_hub_pref_from_name(pref_names[_i], &pref));
	ck_assert_int_eq(pref, _i);
}
END_TEST

static const char *const bad_pref_names[] = {
	"",
	"ExpressRoute",
	"expressroute-gateway",
	"vpn-gateway",
	"aspath",
	"as_path",
	"nva",
};

START_TEST(test_pref_unknown_name)
{
	enum rs_hub_pref pref = RS_PREF_AS_PATH;

	ck_assert(!rs_hub_pref_from_name(bad_pref_names[_i], &pref));
	ck_assert_int_eq(pref, RS_PREF_AS_PATH);
}
END_TEST

START_TEST(test_pref_null_name)
{
	enum rs_hub_pref pref = RS_PREF_VPN;

	ck_assert(!rs_hub_pref_from_name(NULL, &pref));
}
END_TEST

START_TEST(test_pref_name_out_of_range)
{
	ck_assert_str_eq(rs_hub_pref_name((enum rs_hub_pref)99), "unknown");
}
END_TEST

static const char *const state_names[] = {
	[RS_GW_READY] = "ready",
	[RS_GW_NOT_ACTIVE_ACTIVE] = "not-active-active",
	[RS_GW_DEGRADED] = "degraded",
	[RS_GW_DOWN] = "down",
};

START_TEST(test_gw_state_names)
{
	ck_assert_str_eq(rs_gw_state_name(_i), state_names[_i]);
}
END_TEST

START_TEST(test_gw_state_name_out_of_range)
{
	ck_assert_str_eq(rs_gw_state_name((enum rs_gw_state)99), "unknown");
}
END_TEST

static const struct asn_case {
	uint32_t asn;
	bool reserved;
} asn_cases[] = {
	{0, true},
	{1, false},
	{8073, false},
	{8074, true},
	{8075, true},
	{8076, false},
	{12075, false},
	{12076, true},
	{12077, false},
	{23455, false},
	{23456, true},
	{23457, false},
	{64495, false},
	{64496, true},
	{64500, true},
	{64511, true},
	{64512, false},
	{65514, false},
	{65515, true},
	{65516, false},
	{65517, true},
	{65518, true},
	{65519, true},
	{65520, true},
	{65521, false},
	{65534, false},
	{65535, true},
	{65536, true},
	{65551, true},
	{65552, false},
	{4200000000u, false},
	{4294967294u, false},
	{4294967295u, true},
};

START_TEST(test_asn_reserved)
{
	const struct asn_case *c = &asn_cases[_i];

	ck_assert_msg(rs_asn_is_reserved(c->asn) == c->reserved,
		      "AS %u: expected %s", c->asn,
		      c->reserved ? "reserved" : "usable");
}
END_TEST

/* Every reserved ASN is a problem for an nva, every other one is not. */
START_TEST(test_nva_asn_follows_reserved)
{
	const struct asn_case *c = &asn_cases[_i];
	const char *problem = rs_nva_asn_problem(c->asn, 65000);

	ck_assert_msg((problem != NULL) == c->reserved, "AS %u: %s", c->asn,
		      problem ? problem : "accepted");
}
END_TEST

static const struct nva_asn_case {
	uint32_t asn;
	uint32_t own_asn;
	const char *problem;
} nva_asn_cases[] = {
	{0, 65000, "invalid ASN"},
	{65515, 65000, "reserved ASN (Azure)"},
	{12076, 65000, "reserved ASN (Azure)"},
	{23456, 65000, "reserved ASN (IANA)"},
	{4294967295u, 65000, "reserved ASN (IANA)"},
	{65515, 65515, "reserved ASN (Azure)"},
	{65001, 65001, "same ASN as the route server"},
	{4200000000u, 4200000000u, "same ASN as the route server"},
	{65001, 65000, NULL},
	{4200000000u, 65000, NULL},
};

START_TEST(test_nva_asn_problem)
{
	const struct nva_asn_case *c = &nva_asn_cases[_i];
	const char *problem = rs_nva_asn_problem(c->asn, c->own_asn);

	if (c->problem)
		ck_assert_pstr_eq(problem, c->problem);
	else
		ck_assert_ptr_null(problem);
}
END_TEST

struct candidate {
	enum rs_role role;
	unsigned int path_len;
};

#define TIE -1

/* >0 if a beats b in BGP best-path order: weight, then AS-path length. */
static int compare(enum rs_hub_pref pref, const struct candidate *a,
		   const struct candidate *b)
{
	uint32_t wa = rs_preference_weight(pref, a->role);
	uint32_t wb = rs_preference_weight(pref, b->role);

	if (wa != wb)
		return wa > wb ? 1 : -1;
	if (a->path_len != b->path_len)
		return a->path_len < b->path_len ? 1 : -1;
	return 0;
}

/* Index of the single best candidate, or TIE if the best is shared. */
static int best_of(enum rs_hub_pref pref, const struct candidate *cands,
		   size_t count)
{
	size_t best = 0, i;
	bool tie = false;

	for (i = 1; i < count; i++) {
		int cmp = compare(pref, &cands[i], &cands[best]);

		if (cmp > 0) {
			best = i;
			tie = false;
		} else if (cmp == 0) {
			tie = true;
		}
	}
	return tie ? TIE : (int)best;
}

static const struct pref_case {
	enum rs_hub_pref pref;
	struct candidate cands[3];
	size_t count;
	int winner;
} pref_cases[] = {
	/* the spec's three sources: ER len 2, VPN len 3, NVA len 1 */
	{RS_PREF_EXPRESSROUTE, {{ER, 2}, {VPN, 3}, {NVA, 1}}, 3, 0},
	{RS_PREF_VPN, {{ER, 2}, {VPN, 3}, {NVA, 1}}, 3, 2},
	{RS_PREF_AS_PATH, {{ER, 2}, {VPN, 3}, {NVA, 1}}, 3, 2},
	/* preference beats a shorter AS path */
	{RS_PREF_EXPRESSROUTE, {{NVA, 1}, {ER, 5}}, 2, 1},
	{RS_PREF_VPN, {{ER, 1}, {VPN, 5}}, 2, 1},
	{RS_PREF_VPN, {{ER, 1}, {NVA, 5}}, 2, 1},
	/* between vpn and nva the shorter AS path wins */
	{RS_PREF_VPN, {{NVA, 3}, {VPN, 1}}, 2, 1},
	{RS_PREF_EXPRESSROUTE, {{VPN, 3}, {NVA, 2}}, 2, 1},
	{RS_PREF_AS_PATH, {{ER, 3}, {VPN, 2}}, 2, 1},
	/* equal candidates stay equal */
	{RS_PREF_VPN, {{VPN, 2}, {NVA, 2}}, 2, TIE},
	{RS_PREF_EXPRESSROUTE, {{VPN, 2}, {NVA, 2}}, 2, TIE},
	{RS_PREF_AS_PATH, {{ER, 2}, {VPN, 2}, {NVA, 2}}, 3, TIE},
	{RS_PREF_EXPRESSROUTE, {{ER, 2}, {ER, 2}, {VPN, 1}}, 3, TIE},
};

START_TEST(test_preference_winner)
{
	const struct pref_case *c = &pref_cases[_i];

	ck_assert_int_eq(best_of(c->pref, c->cands, c->count), c->winner);
}
END_TEST

/* _i = pref * 3 + role index: two identical candidates always tie. */
START_TEST(test_preference_identical_tie)
{
	static const enum rs_role roles[] = {ER, VPN, NVA};
	enum rs_hub_pref pref = _i / 3;
	struct candidate cands[2] = {{roles[_i % 3], 2}, {roles[_i % 3], 2}};

	ck_assert_int_eq(best_of(pref, cands, 2), TIE);
}
END_TEST

/* _i = pref * 2 + (none, local): bgpd's weight is left alone. */
START_TEST(test_preference_unpoliced_zero)
{
	enum rs_hub_pref pref = _i / 2;
	enum rs_role role = (_i & 1) ? LOCAL : NONE;

	ck_assert_uint_eq(rs_preference_weight(pref, role), 0);
}
END_TEST

static TCase *loop_case(const char *name, const TTest *test, size_t count)
{
	TCase *tc = tcase_create(name);

	tcase_add_loop_test(tc, test, 0, (int)count);
	return tc;
}

/* A gateway's members: two VPN gateways, an nva between, one with v4+v6. */
static const struct rs_gw_member members[] = {
	{NVA, "", 0, true},	 /* 0 */
	{VPN, "vpn1", 0, true},	 /* 1: leader of vpn1 */
	{ER, "vpn1", 0, true},	 /* 2: another kind, same name */
	{VPN, "vpn1", 1, false}, /* 3 */
	{VPN, "vpn1", 1, true},	 /* 4: instance 1's other session */
	{VPN, "vpn2", 0, true},	 /* 5: leader of vpn2, one instance */
	{NVA, "", 0, true},	 /* 6 */
};

static const size_t leaders[] = {0, 1, 2, 1, 1, 5, 6};

START_TEST(test_gw_leader)
{
	ck_assert_uint_eq(rs_gw_leader(members, ARRAY_SIZE(members), _i),
			  leaders[_i]);
}
END_TEST

START_TEST(test_gw_members_state_instance_down_while_one_session_is)
{
	char reason[64];

	/* instance 1 has a session down: the gateway is degraded */
	ck_assert_int_eq(rs_gw_members_state(members, ARRAY_SIZE(members), 4,
					     reason, sizeof(reason)),
			 RS_GW_DEGRADED);
	ck_assert_str_eq(reason, "instance 1 session down");
	/* the same from any member of the gateway */
	ck_assert_int_eq(
		rs_gw_members_state(members, ARRAY_SIZE(members), 1, NULL, 0),
		RS_GW_DEGRADED);
}
END_TEST

START_TEST(test_gw_members_state_all_sessions_up)
{
	struct rs_gw_member up[ARRAY_SIZE(members)];

	memcpy(up, members, sizeof(up));
	up[3].established = true;
	ck_assert_int_eq(rs_gw_members_state(up, ARRAY_SIZE(up), 3, NULL, 0),
			 RS_GW_READY);
}
END_TEST

START_TEST(test_gw_members_state_kinds_and_one_instance)
{
	char reason[64];

	/* an expressroute gateway of the same name is a gateway of its own */
	ck_assert_int_eq(rs_gw_members_state(members, ARRAY_SIZE(members), 2,
					     reason, sizeof(reason)),
			 RS_GW_READY);
	ck_assert_int_eq(rs_gw_members_state(members, ARRAY_SIZE(members), 5,
					     reason, sizeof(reason)),
			 NOT_AA);
	ck_assert_str_eq(reason, "instance 1 not configured");
	ck_assert_int_eq(rs_gw_members_state(members, ARRAY_SIZE(members), 0,
					     reason, sizeof(reason)),
			 RS_GW_DOWN);
	ck_assert_str_eq(reason, "not a gateway");
}
END_TEST

/* Bits 0 to 5 of i are the facts. */
static struct rs_gw_class_facts facts_of(int i)
{
	return (struct rs_gw_class_facts){
		.strict = i & 1,
		.exchanges = i & 2,
		.ebgp = i & 4,
		.as_path_kept = i & 8,
		.one_member = i & 16,
		.own_asn = i & 32,
	};
}

/*
 * Every combination of the facts: shared only if the gateway's own routes
 * are dropped at each member that is sent them, and only then.
 */
START_TEST(test_gw_class_shared)
{
	struct rs_gw_class_facts f = facts_of(_i);
	bool loop_safe = f.ebgp && f.as_path_kept;
	bool members_drop = f.one_member || f.own_asn;

	ck_assert_msg(rs_gw_class_shared(&f) == (!f.strict && f.exchanges &&
						 loop_safe && members_drop),
		      "case %d", _i);
}
END_TEST

START_TEST(test_gw_class_shared_cases)
{
	struct rs_gw_class_facts one = {.exchanges = true,
					.ebgp = true,
					.as_path_kept = true,
					.one_member = true};
	struct rs_gw_class_facts pair = one;

	/* one session: its ASN may be anyone's */
	ck_assert(rs_gw_class_shared(&one));
	pair.one_member = false;
	ck_assert(!rs_gw_class_shared(&pair));
	pair.own_asn = true;
	ck_assert(rs_gw_class_shared(&pair));
	pair.ebgp = false;
	ck_assert(!rs_gw_class_shared(&pair));
	one.strict = true;
	ck_assert(!rs_gw_class_shared(&one));
}
END_TEST

/*
 * Every combination of the facts, toggle off and on: a gateway that may
 * share a class joins the NVAs' while branch-to-branch is on, and only
 * then.
 */
START_TEST(test_gw_class_joins_nvas)
{
	struct rs_gw_class_facts f = facts_of(_i);
	bool toggle = _i & 64;

	ck_assert_msg(rs_gw_class_joins_nvas(&f, rules(toggle)) ==
			      (toggle && rs_gw_class_shared(&f)),
		      "case %d", _i);
}
END_TEST

/*
 * What makes the joint class sound: with the toggle on, a route from any
 * source (each role, exchanging or not, with or without a role given to
 * unclassified sources) reaches the NVAs' class exactly when it reaches
 * the shared gateways' class of either kind.  With the toggle off the two
 * differ (an NVA's route reaches NVAs only).
 */
START_TEST(test_joint_class_receives_what_both_would)
{
	enum rs_role role = (enum rs_role)(_i % 5);
	bool exchanges = _i / 5 % 2;
	struct rs_rules on = {.branch_to_branch = true,
			      .allow_unclassified = _i / 10 % 2};
	struct rs_party from = party(role, 1, exchanges);
	struct rs_party er = rs_shared_gw_class_party(ER);
	struct rs_party vpn = rs_shared_gw_class_party(VPN);
	bool to_nvas = rs_policy_permits(&from, &rs_nva_class_party, &on);

	ck_assert_msg(rs_policy_permits(&from, &er, &on) == to_nvas &&
			      rs_policy_permits(&from, &vpn, &on) == to_nvas,
		      "case %d", _i);
}
END_TEST

START_TEST(test_joint_class_only_while_toggle_on)
{
	struct rs_party nva = party(NVA, 1, true);
	struct rs_party er = rs_shared_gw_class_party(ER);

	ck_assert(rs_policy_permits(&nva, &rs_nva_class_party, rules(false)));
	ck_assert(!rs_policy_permits(&nva, &er, rules(false)));
}
END_TEST

static Suite *rs_policy_suite(void)
{
	Suite *s = suite_create("rs_policy");
	TCase *tc;

	tc = loop_case("permits role pairs", test_permits_role_pairs,
		       ARRAY_SIZE(pair_cases) * 4);
	tcase_add_loop_test(tc, test_permits_isolated_gateway, 0,
			    ARRAY_SIZE(isolated_cases) * 2);
	tcase_add_loop_test(tc, test_permits_same_peer, 0,
			    ARRAY_SIZE(same_peer_cases) * 2);
	tcase_add_loop_test(tc, test_permits_same_gateway_other_instance, 0, 8);
	tcase_add_test(tc, test_permits_same_id_other_gateway_kind);
	tcase_add_loop_test(tc, test_permits_unclassified, 0, 3 * 2);
	tcase_add_test(tc, test_permits_unknown_role);
	suite_add_tcase(s, tc);

	tc = loop_case("gateway", test_gateway_evaluate, ARRAY_SIZE(gw_cases));
	tcase_add_test(tc, test_gateway_reason_truncated);
	tcase_add_test(tc, test_gateway_reason_null);
	tcase_add_test(tc, test_gateway_reason_size_zero);
	tcase_add_loop_test(tc, test_gw_state_exchanges, 0,
			    ARRAY_SIZE(exchange_cases));
	tcase_add_loop_test(tc, test_gw_leader, 0, ARRAY_SIZE(members));
	tcase_add_test(
		tc, test_gw_members_state_instance_down_while_one_session_is);
	tcase_add_test(tc, test_gw_members_state_all_sessions_up);
	tcase_add_test(tc, test_gw_members_state_kinds_and_one_instance);
	tcase_add_loop_test(tc, test_gw_class_shared, 0, 64);
	tcase_add_test(tc, test_gw_class_shared_cases);
	tcase_add_loop_test(tc, test_gw_class_joins_nvas, 0, 128);
	tcase_add_loop_test(tc, test_joint_class_receives_what_both_would, 0,
			    5 * 2 * 2);
	tcase_add_test(tc, test_joint_class_only_while_toggle_on);
	suite_add_tcase(s, tc);

	tc = loop_case("names", test_role_names_round_trip,
		       ARRAY_SIZE(role_names));
	tcase_add_loop_test(tc, test_role_unknown_name, 0,
			    ARRAY_SIZE(bad_role_names));
	tcase_add_test(tc, test_role_null_name);
	tcase_add_test(tc, test_role_name_out_of_range);
	tcase_add_loop_test(tc, test_pref_names_round_trip, 0,
			    ARRAY_SIZE(pref_names));
	tcase_add_loop_test(tc, test_pref_unknown_name, 0,
			    ARRAY_SIZE(bad_pref_names));
	tcase_add_test(tc, test_pref_null_name);
	tcase_add_test(tc, test_pref_name_out_of_range);
	tcase_add_loop_test(tc, test_gw_state_names, 0,
			    ARRAY_SIZE(state_names));
	tcase_add_test(tc, test_gw_state_name_out_of_range);
	suite_add_tcase(s, tc);

	tc = loop_case("asn", test_asn_reserved, ARRAY_SIZE(asn_cases));
	tcase_add_loop_test(tc, test_nva_asn_follows_reserved, 0,
			    ARRAY_SIZE(asn_cases));
	tcase_add_loop_test(tc, test_nva_asn_problem, 0,
			    ARRAY_SIZE(nva_asn_cases));
	suite_add_tcase(s, tc);

	tc = loop_case("preference", test_preference_winner,
		       ARRAY_SIZE(pref_cases));
	tcase_add_loop_test(tc, test_preference_identical_tie, 0, 3 * 3);
	tcase_add_loop_test(tc, test_preference_unpoliced_zero, 0, 3 * 2);
	suite_add_tcase(s, tc);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rs_policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
