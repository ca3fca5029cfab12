// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * YANG notifications of frr-routeserver.
 */

#include <zebra.h>

#include "frr_compat.h"

#include "northbound.h"
#include "yang.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_debug.h"

#include "rs_bgp.h"
#include "rs_enforce.h"
#include "rs_inspect.h"
#include "rs_notify.h"

#define RS_XPATH_NOTIF_SESSION "/frr-routeserver:peer-session-change"
#define RS_XPATH_NOTIF_GATEWAY "/frr-routeserver:gateway-state-change"

static void rs_notify_arg(struct list *args, const char *notif,
			  const char *leaf, const char *value)
{
	char xpath[XPATH_MAXLEN];

	snprintf(xpath, sizeof(xpath), "%s/%s", notif, leaf);
	listnode_add(args, yang_data_new(xpath, value));
}

static void rs_notify_gateway(const struct rs_peer *leader,
			      enum rs_gw_state previous, const char *reason)
{
	struct list *args = yang_data_list_new();
	const char *notif = RS_XPATH_NOTIF_GATEWAY;

	rs_notify_arg(args, notif, "vrf", leader->rsi->vrf);
	rs_notify_arg(args, notif, "gateway", leader->cfg.gateway);
	rs_notify_arg(args, notif, "role", rs_role_name(leader->cfg.role));
	rs_notify_arg(args, notif, "state", rs_gw_state_name(leader->gw_state));
	rs_notify_arg(args, notif, "previous-state",
		      rs_gw_state_name(previous));
	rs_notify_arg(args, notif, "reason", reason);
	nb_notification_send(notif, args);
}

/* The first evaluation of a gateway only records its state. */
void rs_notify_gateways(struct rs_instance *rsi)
{
	struct rs_peer *leader = NULL;
	char reason[RS_REASON_LEN];
	enum rs_gw_state state, previous;

	while ((leader = (struct rs_peer *)rs_gateway_next(rsi, leader))) {
		state = rs_gateway_state(leader, reason, sizeof(reason));
		previous = leader->gw_state;
		if (leader->gw_state_known && state == previous)
			continue;
		leader->gw_state = state;
		if (leader->gw_state_known)
			rs_notify_gateway(leader, previous, reason);
		leader->gw_state_known = true;
	}
}

static void rs_notify_session(const struct rs_peer *rp, struct peer *peer)
{
	struct list *args = yang_data_list_new();
	const char *notif = RS_XPATH_NOTIF_SESSION;

	rs_notify_arg(args, notif, "vrf", rp->rsi->vrf);
	rs_notify_arg(args, notif, "neighbor", rp->cfg.neighbor);
	rs_notify_arg(args, notif, "role", rs_role_name(rp->cfg.role));
	if (rp->cfg.role != RS_ROLE_NVA)
		rs_notify_arg(args, notif, "gateway", rp->cfg.gateway);
	rs_notify_arg(args, notif, "established",
		      rs_peer_established(peer) ? "true" : "false");
	rs_notify_arg(args, notif, "session-state",
		      lookup_msg(bgp_status_msg, rs_peer_status(peer), NULL));
	nb_notification_send(notif, args);
}

void rs_notify_peer_status(struct peer *peer)
{
	struct rs_peer *rp = rs_role_peer_of(peer);

	if (!rp || (rs_peer_status(peer) != Established &&
		    rs_peer_ostatus(peer) != Established))
		return;
	rs_notify_session(rp, peer);
	rs_notify_gateways(rs_instance_lookup(rp->rsi->vrf));
}
