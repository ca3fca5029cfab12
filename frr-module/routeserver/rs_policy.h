// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Route-server decision logic that needs no FRR: roles, gateway state,
 * which routes cross between which peers, hub routing preference and
 * ASN validation.
 */

#ifndef _FRR_RS_POLICY_H
#define _FRR_RS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rs_role {
	RS_ROLE_NONE = 0,
	RS_ROLE_LOCAL,
	RS_ROLE_NVA,
	RS_ROLE_EXPRESSROUTE,
	RS_ROLE_VPN,
};

/* "none", "local", "nva", "expressroute-gateway", "vpn-gateway" */
extern const char *rs_role_name(enum rs_role role);
/* false on an unknown name; *role is then left alone */
extern bool rs_role_from_name(const char *name, enum rs_role *role);

enum rs_hub_pref {
	RS_PREF_EXPRESSROUTE = 0,
	RS_PREF_VPN,
	RS_PREF_AS_PATH,
};

/* "expressroute", "vpn", "as-path" */
extern const char *rs_hub_pref_name(enum rs_hub_pref pref);
extern bool rs_hub_pref_from_name(const char *name, enum rs_hub_pref *pref);

enum rs_gw_state {
	RS_GW_READY = 0,
	RS_GW_NOT_ACTIVE_ACTIVE,
	RS_GW_DEGRADED,
	RS_GW_DOWN,
};

/* "ready", "not-active-active", "degraded", "down" */
extern const char *rs_gw_state_name(enum rs_gw_state state);

struct rs_gw_instance {
	bool configured;
	bool established;
};

/*
 * Evaluates a gateway from its instances.  An expressroute gateway has one
 * instance (inst[0]; inst[1] is ignored): up -> ready, else down.  A vpn
 * gateway needs both instances configured, else it is not-active-active;
 * both up -> ready, one up -> degraded, none up -> down.  Any other role
 * is down ("not a gateway").
 *
 * The reason ("" when ready) is written into reason with snprintf; reason
 * may be NULL or reason_size 0.
 */
extern enum rs_gw_state rs_gateway_evaluate(enum rs_role role,
					    const struct rs_gw_instance inst[2],
					    char *reason, size_t reason_size);
/* Whether a gateway in this state takes part in the exchange. */
extern bool rs_gw_state_exchanges(enum rs_gw_state state);

/*
 * A role peer as a member of its gateway: what the gateway's state is made
 * of.  A gateway is its role and name; a VPN instance may have one member
 * per address family's session.
 */
struct rs_gw_member {
	enum rs_role role;
	/* gateway roles: the gateway's name */
	const char *gateway;
	/* vpn-gateway: 0 or 1 */
	uint8_t instance;
	bool established;
};

/*
 * The member that represents member i's gateway: the first of the gateway's
 * members in the array (i itself for an nva).
 */
extern size_t rs_gw_leader(const struct rs_gw_member *members, size_t count,
			   size_t i);

/*
 * The state of member i's gateway from all its members: an instance with
 * several members is configured, and up while all of them are.  The
 * reason is as for rs_gateway_evaluate().
 */
extern enum rs_gw_state rs_gw_members_state(const struct rs_gw_member *members,
					    size_t count, size_t i,
					    char *reason, size_t reason_size);

/*
 * What decides whether a gateway may receive in the class all gateways
 * share, rather than in one of its own: in a shared class nothing keeps a
 * gateway's own routes from it, so BGP's loop prevention at the gateway
 * must drop them.
 */
struct rs_gw_class_facts {
	/* one class per gateway: strict-gateway-exclusion */
	bool strict;
	/* it takes part in the exchange (rs_gw_state_exchanges) */
	bool exchanges;
	/* every session of the gateway is eBGP */
	bool ebgp;
	/* and goes out with its AS path as learned: no as-override, no
	 * remove-private-AS */
	bool as_path_kept;
	/* it has one role peer (an expressroute gateway's one session) */
	bool one_member;
	/* all its role peers have one ASN, which no other role peer has */
	bool own_asn;
};

/*
 * A gateway with one role peer gets only its own routes back, and eBGP's
 * AS-path check there drops them. The members of a gateway with several
 * (a VPN gateway's two instances, or two sessions of one expressroute
 * gateway) would get each other's routes: they share only if their ASN
 * is theirs alone, so that the same check drops them at the sibling. iBGP
 * is never shared: ORIGINATOR_ID names the sending member, not its
 * sibling.
 */
extern bool rs_gw_class_shared(const struct rs_gw_class_facts *facts);

/*
 * One end of an advertisement: where the route was learned (from) or the
 * peer it would be sent to (to).
 */
struct rs_party {
	enum rs_role role;
	/* non-zero identity of the peer; 0 for local */
	uint32_t peer_id;
	/* gateway roles: identity of the named gateway; 0 otherwise */
	uint32_t gateway_id;
	/* gateway roles: rs_gw_state_exchanges() of its gateway */
	bool exchanges;
};

/* An instance's settings that decide the exchange. */
struct rs_rules {
	/* routes cross between the nva side and the gateway side */
	bool branch_to_branch;
	/* routes from a peer without a role reach role peers */
	bool allow_unclassified;
};

/* Whether a route learned from `from` may be advertised to `to`. */
extern bool rs_policy_permits(const struct rs_party *from,
			      const struct rs_party *to,
			      const struct rs_rules *rules);

/*
 * The receiving end of rs_policy_permits() for the NVAs' class, and for a
 * gateway of the shared class (gateway_id 0: no gateway's own routes are
 * held back).
 */
extern const struct rs_party rs_nva_class_party;
extern struct rs_party rs_shared_gw_class_party(enum rs_role role);

/*
 * Whether a gateway of the shared class receives in the NVAs' class: with
 * branch-to-branch on, both are sent every route they may have, so
 * rs_policy_permits() answers the same for either.
 */
extern bool rs_gw_class_joins_nvas(const struct rs_gw_class_facts *facts,
				   const struct rs_rules *rules);

/*
 * Weight that implements the hub routing preference for a route learned
 * from a peer of this role (higher wins in BGP best-path before AS-path
 * length).  0 for none and local: leave bgpd's weight alone.
 */
extern uint32_t rs_preference_weight(enum rs_hub_pref pref, enum rs_role role);

/* Azure- or IANA-reserved, or 0. */
extern bool rs_asn_is_reserved(uint32_t asn);
/*
 * NULL if `asn` is acceptable for an nva peer of a route server whose own
 * ASN is own_asn, else a static, user-facing text without the number
 * (the caller prints it).
 */
extern const char *rs_nva_asn_problem(uint32_t asn, uint32_t own_asn);

#ifdef __cplusplus
}
#endif

#endif /* _FRR_RS_POLICY_H */
