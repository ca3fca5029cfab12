// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Looking up bgpd's instances and neighbors by the keys of the
 * frr-routeserver YANG model.
 */

#include <zebra.h>

#include "frr_compat.h"

#include "sockunion.h"

#include "bgpd/bgpd.h"

#include "rs_bgp.h"

const char *rs_bgp_vrf_name(const struct bgp *bgp)
{
	return bgp->name ? bgp->name : VRF_DEFAULT_NAME;
}

struct bgp *rs_bgp_lookup(const char *vrf)
{
	return strcmp(vrf, VRF_DEFAULT_NAME) ? bgp_lookup_by_name(vrf)
					     : bgp_get_default();
}

void rs_neighbor_key(const char *neighbor, char *key, size_t len)
{
	union sockunion su;

	if (str2sockunion(neighbor, &su) == 0)
		sockunion2str(&su, key, len);
	else
		strlcpy(key, neighbor, len);
}

int rs_neighbor_family(const char *key)
{
	union sockunion su;

	if (str2sockunion(key, &su) == 0)
		return sockunion_family(&su);
	return AF_UNSPEC;
}

/*
 * bgpd finds an interface neighbor, or one made from a listen range, by
 * the address it talks to as well: only a neighbor configured by that
 * address has the address as its key.
 */
struct peer *rs_bgp_neighbor(struct bgp *bgp, const char *key)
{
	union sockunion su;
	struct peer *peer;

	if (str2sockunion(key, &su) != 0)
		return peer_lookup_by_conf_if(bgp, key);
	peer = peer_lookup(bgp, &su);
	if (!peer || peer->conf_if ||
	    !CHECK_FLAG(peer->flags, PEER_FLAG_CONFIG_NODE))
		return NULL;
	return peer;
}

void rs_bgp_neighbor_key(const struct peer *peer, char *key, size_t len)
{
	if (peer->conf_if)
		strlcpy(key, peer->conf_if, len);
	else
		sockunion2str(rs_peer_su(peer), key, len);
}
