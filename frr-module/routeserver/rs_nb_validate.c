// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Validation of a route-server instance's configuration against bgpd's:
 * the rules that span several nodes or need bgpd's neighbors.
 */

#include <zebra.h>

#include "northbound.h"

#include "bgpd/bgpd.h"

#include "rs_bgp.h"
#include "rs_instance.h"
#include "rs_nb.h"
#include "rs_policy.h"

static bool rs_nva_asn_valid(const struct bgp *bgp, const struct peer *peer,
			     const char *neighbor, char *errmsg,
			     size_t errmsg_len)
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
		return true;
	}
	problem = rs_nva_asn_problem(asn, bgp->as);
	if (problem)
		snprintf(errmsg, errmsg_len,
			 "neighbor %s has AS %u: %s, not allowed for an nva",
			 neighbor, asn, problem);
	return problem == NULL;
}

static bool rs_peer_valid(struct bgp *bgp, const struct lyd_node *dnode,
			  char *errmsg, size_t errmsg_len)
{
	const char *neighbor = yang_dnode_get_string(dnode, "./neighbor");
	struct peer *peer = rs_bgp_neighbor(bgp, neighbor);

	if (!peer) {
		snprintf(errmsg, errmsg_len,
			 "neighbor %s is not configured in this BGP instance",
			 neighbor);
		return false;
	}
	if (!strcmp(yang_dnode_get_string(dnode, "./role"), "nva"))
		return rs_nva_asn_valid(bgp, peer, neighbor, errmsg,
					errmsg_len);
	return true;
}

#define RS_GATEWAY_KEY_LEN (RS_GATEWAY_LEN + 4)

/* The VPN gateway instance a peer claims, as "gateway/instance", if any. */
static bool rs_vpn_instance_of(const struct lyd_node *dnode, char *buf,
			       size_t len)
{
	if (!yang_dnode_exists(dnode, "./instance"))
		return false;
	snprintf(buf, len, "%s/%u", yang_dnode_get_string(dnode, "./gateway"),
		 yang_dnode_get_uint8(dnode, "./instance"));
	return true;
}

/*
 * An instance may speak IPv4 and IPv6 over two sessions, one per address
 * family, so two neighbors of one instance clash only in the same family.
 * An interface neighbor carries both.
 */
static bool rs_same_session_family(const struct lyd_node *a,
				   const struct lyd_node *b)
{
	int fa = rs_neighbor_family(yang_dnode_get_string(a, "./neighbor"));
	int fb = rs_neighbor_family(yang_dnode_get_string(b, "./neighbor"));

	return fa == fb || fa == AF_UNSPEC || fb == AF_UNSPEC;
}

static bool rs_vpn_instance_free(const struct lyd_node *instance_dnode,
				 const struct lyd_node *dnode, char *errmsg,
				 size_t errmsg_len)
{
	char mine[RS_GATEWAY_KEY_LEN], theirs[RS_GATEWAY_KEY_LEN];
	const struct lyd_node *other;

	if (!rs_vpn_instance_of(dnode, mine, sizeof(mine)))
		return true;
	LY_LIST_FOR (lyd_child(instance_dnode), other) {
		if (other == dnode)
			return true;
		if (strcmp(other->schema->name, "peer") ||
		    !rs_vpn_instance_of(other, theirs, sizeof(theirs)) ||
		    strcmp(mine, theirs) ||
		    !rs_same_session_family(dnode, other))
			continue;
		snprintf(errmsg, errmsg_len,
			 "instance %u of VPN gateway %s is already neighbor %s",
			 yang_dnode_get_uint8(dnode, "./instance"),
			 yang_dnode_get_string(dnode, "./gateway"),
			 yang_dnode_get_string(other, "./neighbor"));
		return false;
	}
	return true;
}

/*
 * XPath: /frr-routeserver:route-server/instance
 */
int rs_instance_nb_pre_validate(struct nb_cb_pre_validate_args *args)
{
	const char *vrf = yang_dnode_get_string(args->dnode, "./vrf");
	uint16_t max_peers = yang_dnode_get_uint16(args->dnode, "./max-peers");
	struct bgp *bgp = rs_bgp_lookup(vrf);
	const struct lyd_node *dnode;
	unsigned int peers = 0;

	if (!bgp) {
		snprintf(args->errmsg, args->errmsg_len,
			 "no BGP instance in VRF %s", vrf);
		return NB_ERR_VALIDATION;
	}
	LY_LIST_FOR (lyd_child(args->dnode), dnode) {
		if (strcmp(dnode->schema->name, "peer"))
			continue;
		if (++peers > max_peers) {
			snprintf(
				args->errmsg, args->errmsg_len,
				"more than %u peers with a route-server role (route-server max-peers %u)",
				max_peers, max_peers);
			return NB_ERR_VALIDATION;
		}
		if (!rs_peer_valid(bgp, dnode, args->errmsg,
				   args->errmsg_len) ||
		    !rs_vpn_instance_free(args->dnode, dnode, args->errmsg,
					  args->errmsg_len))
			return NB_ERR_VALIDATION;
	}
	return NB_OK;
}
