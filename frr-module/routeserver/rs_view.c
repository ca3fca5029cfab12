// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the route server shows of a role peer, read live from bgpd.
 */

#include <zebra.h>

#include "log.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_debug.h"
#include "bgpd/bgp_updgrp.h"

#include "rs_inspect.h"
#include "rs_view.h"

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
