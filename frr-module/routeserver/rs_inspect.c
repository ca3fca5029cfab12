// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The gateways of an instance's role peers and their state, read live
 * from bgpd's sessions; the decisions are rs_policy.c's.
 */

#include <zebra.h>

#include "frr_compat.h"

#include "bgpd/bgpd.h"

#include "rs_bgp.h"
#include "rs_inspect.h"
#include "rs_memory.h"

DEFINE_MTYPE_STATIC(ROUTESERVER, RS_GW_MEMBERS, "route-server gateway members");

struct peer *rs_peer_neighbor(const struct rs_peer *rp)
{
	struct bgp *bgp = rs_bgp_lookup(rp->rsi->vrf);

	return bgp ? rs_bgp_neighbor(bgp, rp->cfg.neighbor) : NULL;
}

/* An instance's role peers as members of their gateways, in list order. */
struct rs_gw_members {
	const struct rs_peer **peers;
	struct rs_gw_member *members;
	size_t count;
	/* the index of the role peer asked about */
	size_t self;
};

static void rs_gw_members_collect(struct rs_gw_members *gm,
				  const struct rs_peer *self, bool sessions)
{
	const struct rs_peers_head *peers = &self->rsi->peers;
	const struct rs_peer *rp;
	size_t i = 0;

	gm->count = rs_peers_count(peers);
	gm->peers =
		XCALLOC(MTYPE_RS_GW_MEMBERS, gm->count * sizeof(*gm->peers));
	gm->members =
		XCALLOC(MTYPE_RS_GW_MEMBERS, gm->count * sizeof(*gm->members));
	frr_each (rs_peers_const, peers, rp) {
		struct rs_gw_member *member = &gm->members[i];

		if (rp == self)
			gm->self = i;
		gm->peers[i] = rp;
		member->role = rp->cfg.role;
		member->gateway = rp->cfg.gateway;
		member->instance = rp->cfg.instance;
		if (sessions) {
			struct peer *peer = rs_peer_neighbor(rp);

			member->established = peer && rs_peer_established(peer);
		}
		i++;
	}
}

static void rs_gw_members_free(struct rs_gw_members *gm)
{
	XFREE(MTYPE_RS_GW_MEMBERS, gm->peers);
	XFREE(MTYPE_RS_GW_MEMBERS, gm->members);
}

const struct rs_peer *rs_gateway_leader(const struct rs_peer *rp)
{
	struct rs_gw_members gm;
	const struct rs_peer *leader;

	rs_gw_members_collect(&gm, rp, false);
	leader = gm.peers[rs_gw_leader(gm.members, gm.count, gm.self)];
	rs_gw_members_free(&gm);
	return leader;
}

const struct rs_peer *rs_gateway_next(const struct rs_instance *rsi,
				      const struct rs_peer *prev)
{
	const struct rs_peer *rp = prev ? rs_peers_const_next(&rsi->peers, prev)
					: rs_peers_const_first(&rsi->peers);

	for (; rp; rp = rs_peers_const_next(&rsi->peers, rp))
		if (rp->cfg.role != RS_ROLE_NVA && rs_gateway_leader(rp) == rp)
			return rp;
	return NULL;
}

enum rs_gw_state rs_gateway_state(const struct rs_peer *rp, char *reason,
				  size_t reason_len)
{
	struct rs_gw_members gm;
	enum rs_gw_state state;

	rs_gw_members_collect(&gm, rp, true);
	state = rs_gw_members_state(gm.members, gm.count, gm.self, reason,
				    reason_len);
	rs_gw_members_free(&gm);
	return state;
}

static bool rs_nva_asn_unfit(const struct bgp *bgp, const struct peer *peer,
			     const char *neighbor, char *text, size_t text_len)
{
	const char *problem;
	as_t asn;

	switch (peer->as_type) {
	case AS_SPECIFIED:
		asn = peer->as;
		break;
	case AS_INTERNAL:
		asn = bgp->as;
		break;
	default:
		/* remote-as external: any ASN but ours, known at OPEN. */
		return false;
	}
	problem = rs_nva_asn_problem(asn, bgp->as);
	if (problem)
		snprintf(text, text_len,
			 "neighbor %s has AS %u: %s, not allowed for an nva",
			 neighbor, asn, problem);
	return problem != NULL;
}

bool rs_role_problem(struct bgp *bgp, const char *neighbor, enum rs_role role,
		     char *text, size_t text_len)
{
	struct peer *peer = bgp ? rs_bgp_neighbor(bgp, neighbor) : NULL;

	if (!peer) {
		snprintf(text, text_len,
			 "neighbor %s is not configured in this BGP instance",
			 neighbor);
		return true;
	}
	return role == RS_ROLE_NVA &&
	       rs_nva_asn_unfit(bgp, peer, neighbor, text, text_len);
}

const struct rs_peer *rs_isolated_gateway_next(const struct rs_instance *rsi,
					       const struct rs_peer *prev,
					       char *text, size_t text_len)
{
	const struct rs_peer *rp = prev;
	char reason[RS_REASON_LEN];

	while ((rp = rs_gateway_next(rsi, rp)))
		if (rs_gateway_state(rp, reason, sizeof(reason)) ==
		    RS_GW_NOT_ACTIVE_ACTIVE) {
			snprintf(
				text, text_len,
				"gateway %s is not active-active (%s); its routes do not cross",
				rp->cfg.gateway, reason);
			return rp;
		}
	return NULL;
}
