// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What bgpd does by itself that the route server follows: a deleted BGP
 * instance or neighbor, a session that changes state.
 */

#include <zebra.h>

#include "frr_compat.h"

#include "northbound.h"

#include "bgpd/bgpd.h"

#include "rs_bgp.h"
#include "rs_enforce.h"
#include "rs_events.h"
#include "rs_nb.h"
#include "rs_notify.h"

static bool rs_shutting_down;

static int rs_bgp_deleted(struct bgp *bgp)
{
	char xpath[XPATH_MAXLEN];

	if (rs_shutting_down)
		return 0;
	snprintf(xpath, sizeof(xpath), RS_XPATH_INSTANCE, rs_bgp_vrf_name(bgp));
	rs_nb_remove_config(xpath);
	return 0;
}

/* bgpd has no hook for a deleted neighbor: its status becomes Deleted. */
static int rs_peer_status_changed(struct peer *peer)
{
	char key[RS_NEIGHBOR_LEN];
	char xpath[XPATH_MAXLEN];

	if (rs_shutting_down)
		return 0;
	if (rs_peer_status(peer) != Deleted) {
		rs_notify_peer_status(peer);
		return 0;
	}
	if (!CHECK_FLAG(peer->flags, PEER_FLAG_CONFIG_NODE))
		return 0;
	rs_enforce_neighbor_deleted(peer);
	rs_bgp_neighbor_key(peer, key, sizeof(key));
	snprintf(xpath, sizeof(xpath), RS_XPATH_PEER,
		 rs_bgp_vrf_name(peer->bgp), key);
	rs_nb_remove_config(xpath);
	return 0;
}

void rs_events_init(void)
{
	hook_register(bgp_inst_delete, rs_bgp_deleted);
	hook_register(peer_status_changed, rs_peer_status_changed);
}

void rs_events_fini(void)
{
	rs_shutting_down = true;
}
