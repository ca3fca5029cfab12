// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the route server shows of its role peers and gateways, read live
 * from bgpd: for the show commands and the YANG operational state alike.
 */

#include <zebra.h>

#include "log.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_debug.h"
#include "bgpd/bgp_updgrp.h"

#include "routeserver.h"
#include "rs_inspect.h"

static struct peer *rs_peer_neighbor(const struct rs_peer *rp)
{
	struct bgp *bgp = rs_bgp_lookup(rp->rsi->vrf);

	return bgp ? rs_bgp_neighbor(bgp, rp->neighbor) : NULL;
}

static uint32_t rs_routes_learned(const struct peer *peer)
{
	return peer->pcount[AFI_IP][SAFI_UNICAST] +
	       peer->pcount[AFI_IP6][SAFI_UNICAST];
}

static uint32_t rs_routes_advertised(struct peer *peer)
{
	uint32_t count = 0;
	afi_t afi;

	for (afi = AFI_IP; afi <= AFI_IP6; afi++) {
		struct peer_af *paf = peer_af_find(peer, afi, SAFI_UNICAST);

		if (paf && PAF_SUBGRP(paf))
			count += PAF_SUBGRP(paf)->scount;
	}
	return count;
}

static bool rs_same_gateway(const struct rs_peer *a, const struct rs_peer *b)
{
	return a->role == b->role && !strcmp(a->gateway, b->gateway);
}

const struct rs_peer *rs_gateway_leader(const struct rs_peer *rp)
{
	const struct rs_peer *other;

	frr_each (rs_peers_const, &rp->rsi->peers, other)
		if (rs_same_gateway(other, rp))
			return other;
	return rp;
}

const struct rs_peer *rs_gateway_next(const struct rs_instance *rsi,
				      const struct rs_peer *prev)
{
	const struct rs_peer *rp = prev ? rs_peers_const_next(&rsi->peers, prev)
					: rs_peers_const_first(&rsi->peers);

	for (; rp; rp = rs_peers_const_next(&rsi->peers, rp))
		if (rp->role != RS_ROLE_NVA && rs_gateway_leader(rp) == rp)
			return rp;
	return NULL;
}

enum rs_gw_state rs_gateway_state(const struct rs_peer *rp, char *reason,
				  size_t reason_len)
{
	struct rs_gw_instance inst[2] = {};
	const struct rs_peer *other;

	/* an instance with a session per address family is up when all are */
	frr_each (rs_peers_const, &rp->rsi->peers, other) {
		struct peer *peer;
		bool up;
		unsigned int i;

		if (!rs_same_gateway(other, rp))
			continue;
		peer = rs_peer_neighbor(other);
		up = peer && peer_established(peer);
		i = other->role == RS_ROLE_VPN ? other->instance : 0;
		inst[i].established =
			inst[i].configured ? inst[i].established && up : up;
		inst[i].configured = true;
	}
	return rs_gateway_evaluate(rp->role, inst, reason, reason_len);
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
				rp->gateway, reason);
			return rp;
		}
	return NULL;
}

void rs_peer_view(const struct rs_peer *rp, struct rs_peer_view *view)
{
	struct peer *peer = rs_peer_neighbor(rp);

	memset(view, 0, sizeof(*view));
	view->session_state = "no-neighbor";
	if (peer) {
		view->session_state =
			lookup_msg(bgp_status_msg, peer->status, NULL);
		view->routes_learned = rs_routes_learned(peer);
		view->routes_advertised = rs_routes_advertised(peer);
	}
	view->exchanges = rp->party.exchanges;
	view->outbound = rs_enforce_outbound(rp, &view->outbound_rmap);
	view->limit_teardowns = rp->limit_teardowns;
}
