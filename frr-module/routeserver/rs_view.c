// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the route server shows of a role peer, read live from bgpd.
 */

#include <zebra.h>

#include "frr_compat.h"

#include "log.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_debug.h"
#include "bgpd/bgp_updgrp.h"

#include "rs_bgp.h"
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

static bool rs_peer_stale(const struct rs_peer *rp, char *text, size_t text_len)
{
	char problem[RS_WARNING_LEN];

	if (!rs_role_problem(rs_bgp_lookup(rp->rsi->vrf), rp->cfg.neighbor,
			     rp->cfg.role, problem, sizeof(problem)))
		return false;
	snprintf(text, text_len, "stale role %s: %s",
		 rs_role_name(rp->cfg.role), problem);
	return true;
}

bool rs_peer_problem(const struct rs_peer *rp, enum rs_peer_problem problem,
		     char *text, size_t text_len)
{
	switch (problem) {
	case RS_PROBLEM_STALE:
		return rs_peer_stale(rp, text, text_len);
	case RS_PROBLEM_OUTBOUND:
		return rs_enforce_conflict(rp, text, text_len);
	case RS_PROBLEM_WEIGHT:
		return rs_enforce_weight_overridden(rp, text, text_len);
	case RS_PROBLEM_COUNT:
		break;
	}
	return false;
}

bool rs_peer_warnings(const struct rs_peer *rp, char *text, size_t text_len)
{
	char one[RS_WARNING_LEN];
	enum rs_peer_problem problem;

	text[0] = '\0';
	for (problem = 0; problem < RS_PROBLEM_COUNT; problem++) {
		if (!rs_peer_problem(rp, problem, one, sizeof(one)))
			continue;
		if (text[0])
			strlcat(text, "; ", text_len);
		strlcat(text, one, text_len);
	}
	return text[0] != '\0';
}

void rs_peer_view(const struct rs_peer *rp, struct rs_peer_view *view)
{
	struct peer *peer = rs_peer_neighbor(rp);

	memset(view, 0, sizeof(*view));
	view->session_state = "no-neighbor";
	if (peer) {
		view->session_state =
			lookup_msg(bgp_status_msg, rs_peer_status(peer), NULL);
		view->routes_learned = rs_routes_learned(peer);
		view->routes_advertised = rs_routes_advertised(peer);
	}
	view->exchanges = rp->party.exchanges;
	view->outbound = rs_enforce_outbound(rp, &view->outbound_rmap);
	view->limit_teardowns = rp->limit_teardowns;
}
