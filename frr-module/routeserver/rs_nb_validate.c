// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Validation of a route-server instance's configuration.
 *
 * Rules on the configuration alone hold for the whole candidate at every
 * commit.  Rules against bgpd's own configuration (the neighbor exists, an
 * nva's AS) are checked only where a commit changes a role: bgpd's facts
 * change without a commit (`no neighbor X`, `neighbor X remote-as`), and a
 * role made stale so is shown as a warning (rs_view.c) instead of blocking
 * every later commit of any model.
 */

#include <zebra.h>

#include "northbound.h"
#include "vty.h"

#include "bgpd/bgpd.h"

#include "rs_bgp.h"
#include "rs_inspect.h"
#include "rs_instance.h"
#include "rs_nb.h"
#include "rs_policy.h"

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

static bool rs_vpn_instance_clash(const struct lyd_node *dnode,
				  const struct lyd_node *other, char *errmsg,
				  size_t errmsg_len)
{
	char mine[RS_GATEWAY_KEY_LEN], theirs[RS_GATEWAY_KEY_LEN];

	if (!rs_vpn_instance_of(dnode, mine, sizeof(mine)) ||
	    !rs_vpn_instance_of(other, theirs, sizeof(theirs)) ||
	    strcmp(mine, theirs) || !rs_same_session_family(dnode, other))
		return false;
	snprintf(errmsg, errmsg_len,
		 "instance %u of VPN gateway %s is already neighbor %s",
		 yang_dnode_get_uint8(dnode, "./instance"),
		 yang_dnode_get_string(dnode, "./gateway"),
		 yang_dnode_get_string(other, "./neighbor"));
	return true;
}

/* The gateways are listed by name: one name, one kind of gateway. */
static bool rs_gateway_kind_clash(const struct lyd_node *dnode,
				  const struct lyd_node *other, char *errmsg,
				  size_t errmsg_len)
{
	const char *role = yang_dnode_get_string(dnode, "./role");
	const char *other_role = yang_dnode_get_string(other, "./role");

	if (!yang_dnode_exists(dnode, "./gateway") ||
	    !yang_dnode_exists(other, "./gateway") ||
	    !strcmp(role, other_role) ||
	    strcmp(yang_dnode_get_string(dnode, "./gateway"),
		   yang_dnode_get_string(other, "./gateway")))
		return false;
	snprintf(errmsg, errmsg_len,
		 "gateway %s is already an %s (neighbor %s); a gateway name has one kind",
		 yang_dnode_get_string(dnode, "./gateway"), other_role,
		 yang_dnode_get_string(other, "./neighbor"));
	return true;
}

/* The rules between dnode and the peers listed before it. */
static bool rs_peer_clashes(const struct lyd_node *instance_dnode,
			    const struct lyd_node *dnode, char *errmsg,
			    size_t errmsg_len)
{
	const struct lyd_node *other;

	LY_LIST_FOR (lyd_child(instance_dnode), other) {
		if (other == dnode)
			return false;
		if (strcmp(other->schema->name, "peer"))
			continue;
		if (rs_vpn_instance_clash(dnode, other, errmsg, errmsg_len) ||
		    rs_gateway_kind_clash(dnode, other, errmsg, errmsg_len))
			return true;
	}
	return false;
}

/*
 * XPath: /frr-routeserver:route-server/instance
 */
int rs_instance_nb_pre_validate(struct nb_cb_pre_validate_args *args)
{
	uint16_t max_peers = yang_dnode_get_uint16(args->dnode, "./max-peers");
	const struct lyd_node *dnode;
	unsigned int peers = 0;

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
		if (rs_peer_clashes(args->dnode, dnode, args->errmsg,
				    args->errmsg_len))
			return NB_ERR_VALIDATION;
	}
	return NB_OK;
}

int rs_instance_nb_validate_create(struct nb_cb_create_args *args)
{
	const char *vrf = yang_dnode_get_string(args->dnode, "./vrf");

	if (rs_bgp_lookup(vrf))
		return NB_OK;
	snprintf(args->errmsg, args->errmsg_len, "no BGP instance in VRF %s",
		 vrf);
	return NB_ERR_VALIDATION;
}

/*
 * XPath: /frr-routeserver:route-server/instance/peer
 *
 * One neighbor has one key: two spellings of an address would be two
 * role peers of one bgpd neighbor.
 */
int rs_peer_nb_validate_create(struct nb_cb_create_args *args)
{
	const char *neighbor = yang_dnode_get_string(args->dnode, "./neighbor");
	char key[RS_NEIGHBOR_LEN];

	rs_neighbor_key(neighbor, key, sizeof(key));
	if (!strcmp(key, neighbor))
		return NB_OK;
	snprintf(args->errmsg, args->errmsg_len,
		 "neighbor %s is not in canonical form; write it as %s",
		 neighbor, key);
	return NB_ERR_VALIDATION;
}

/*
 * While bgpd reads its configuration at start-up, a role saved as it was
 * is kept even if bgpd's facts no longer allow it: it shows as stale.  The
 * configuration comes from a file (bgpd -f) or from `vtysh -b`, whose
 * commands bgpd commits as one pending transaction.
 */
static bool rs_config_loading(const struct nb_context *context)
{
	const struct vty *vty =
		context->client == NB_CLIENT_CLI ? context->user : NULL;

	return vty && (vty->type == VTY_FILE || vty->pending_commit);
}

/* A peer has one role: changing it takes removing the old one first. */
static bool rs_role_changed(const struct lyd_node *dnode, char *errmsg,
			    size_t errmsg_len)
{
	char xpath[XPATH_MAXLEN];
	const struct lyd_node *running;
	const char *neighbor = yang_dnode_get_string(dnode, "../neighbor");

	yang_dnode_get_path(dnode, xpath, sizeof(xpath));
	running = yang_dnode_get(running_config->dnode, xpath);
	if (!running || !strcmp(yang_dnode_get_string(running, NULL),
				yang_dnode_get_string(dnode, NULL)))
		return false;
	snprintf(errmsg, errmsg_len,
		 "neighbor %s already has the route-server role %s; remove it first with \"no neighbor %s route-server role\"",
		 neighbor, yang_dnode_get_string(running, NULL), neighbor);
	return true;
}

/*
 * XPath: /frr-routeserver:route-server/instance/peer/role
 */
int rs_peer_nb_validate_role(struct nb_cb_modify_args *args)
{
	const char *vrf = yang_dnode_get_string(args->dnode, "../../vrf");
	enum rs_role role = RS_ROLE_NONE;

	if (rs_role_changed(args->dnode, args->errmsg, args->errmsg_len))
		return NB_ERR_VALIDATION;
	if (rs_config_loading(args->context))
		return NB_OK;
	rs_role_from_name(yang_dnode_get_string(args->dnode, NULL), &role);
	if (rs_role_problem(rs_bgp_lookup(vrf),
			    yang_dnode_get_string(args->dnode, "../neighbor"),
			    role, args->errmsg, args->errmsg_len))
		return NB_ERR_VALIDATION;
	return NB_OK;
}
