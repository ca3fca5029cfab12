// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vtysh commands of the route-server module: a thin layer over the
 * frr-routeserver YANG model.
 */

#include <zebra.h>

#include "command.h"
#include "northbound_cli.h"

#include "bgpd/bgpd.h"

#include "rs_bgp.h"
#include "rs_cli.h"
#include "rs_enforce.h"
#include "rs_inspect.h"
#include "rs_instance.h"
#include "rs_nb.h"

#ifndef VTYSH_EXTRACT_PL
#include "frr-module/routeserver/rs_cli_clippy.c"
#endif

#define RS_STR "Route-server behaviour\n"

static int rs_apply_instance_changes(struct vty *vty)
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);

	return nb_cli_apply_changes(vty, RS_XPATH_INSTANCE,
				    rs_bgp_vrf_name(bgp));
}

/* Sets a leaf of the instance, or resets it to its default (value NULL). */
static int rs_instance_leaf_set(struct vty *vty, const char *leaf,
				const char *value)
{
	nb_cli_enqueue_change(vty, leaf, NB_OP_MODIFY, value);
	return rs_apply_instance_changes(vty);
}

/* "route-server <leaf> <value>", for the leaves named as their command. */
void rs_cli_show_instance_leaf(struct vty *vty, const struct lyd_node *dnode,
			       bool show_defaults)
{
	vty_out(vty, " route-server %s %s\n", dnode->schema->name,
		yang_dnode_get_string(dnode, NULL));
}

/* The toggle is allowed on, but a VPN gateway out of the exchange is named. */
static void rs_warn_isolated_gateways(struct vty *vty)
{
	struct bgp *bgp = VTY_GET_CONTEXT(bgp);
	const struct rs_instance *rsi;
	const struct rs_peer *rp = NULL;
	char text[RS_WARNING_LEN];

	rsi = bgp ? rs_instance_lookup(rs_bgp_vrf_name(bgp)) : NULL;
	if (!rsi)
		return;
	while ((rp = rs_isolated_gateway_next(rsi, rp, text, sizeof(text))))
		vty_out(vty, "%% Warning: %s\n", text);
}

/*
 * XPath: /frr-routeserver:route-server/instance/branch-to-branch
 */
DEFPY_YANG(rs_branch_to_branch, rs_branch_to_branch_cmd,
	   "[no] route-server branch-to-branch",
	   NO_STR RS_STR
	   "Exchange routes between NVAs and gateways, and between gateways\n")
{
	int ret;

	ret = rs_instance_leaf_set(vty, "./branch-to-branch",
				   no ? "false" : "true");
	if (ret == CMD_SUCCESS && !no)
		rs_warn_isolated_gateways(vty);
	return ret;
}

void rs_cli_show_branch_to_branch(struct vty *vty, const struct lyd_node *dnode,
				  bool show_defaults)
{
	if (!yang_dnode_get_bool(dnode, NULL))
		vty_out(vty, " no");
	vty_out(vty, " route-server branch-to-branch\n");
}

/*
 * XPath: /frr-routeserver:route-server/instance/strict-gateway-exclusion
 */
DEFPY_YANG(
	rs_strict_gateway_exclusion, rs_strict_gateway_exclusion_cmd,
	"[no] route-server strict-gateway-exclusion",
	NO_STR RS_STR
	"Never send a gateway its own gateway's routes: one update group per gateway\n")
{
	return rs_instance_leaf_set(vty, "./strict-gateway-exclusion",
				    no ? "false" : "true");
}

void rs_cli_show_strict_gateway_exclusion(struct vty *vty,
					  const struct lyd_node *dnode,
					  bool show_defaults)
{
	if (!yang_dnode_get_bool(dnode, NULL))
		vty_out(vty, " no");
	vty_out(vty, " route-server strict-gateway-exclusion\n");
}

/*
 * XPath: /frr-routeserver:route-server/instance/allow-unclassified
 */
DEFPY_YANG(rs_allow_unclassified, rs_allow_unclassified_cmd,
	   "[no] route-server allow-unclassified",
	   NO_STR RS_STR
	   "Advertise routes of neighbors without a role to role peers\n")
{
	return rs_instance_leaf_set(vty, "./allow-unclassified",
				    no ? "false" : "true");
}

void rs_cli_show_allow_unclassified(struct vty *vty,
				    const struct lyd_node *dnode,
				    bool show_defaults)
{
	if (!yang_dnode_get_bool(dnode, NULL))
		vty_out(vty, " no");
	vty_out(vty, " route-server allow-unclassified\n");
}

/*
 * XPath: /frr-routeserver:route-server/instance/hub-routing-preference
 */
DEFPY_YANG(
	rs_hub_routing_preference, rs_hub_routing_preference_cmd,
	"route-server hub-routing-preference <expressroute|vpn|as-path>$pref",
	RS_STR
	"Which source wins for a prefix announced by several sides\n"
	"Routes from an expressroute-gateway first (default)\n"
	"Routes from VPN gateways and NVAs first\n"
	"The shortest AS path, whatever the source\n")
{
	return rs_instance_leaf_set(vty, "./hub-routing-preference", pref);
}

DEFPY_YANG(
	no_rs_hub_routing_preference, no_rs_hub_routing_preference_cmd,
	"no route-server hub-routing-preference [<expressroute|vpn|as-path>]",
	NO_STR RS_STR
	"Which source wins for a prefix announced by several sides\n"
	"Routes from an expressroute-gateway first (default)\n"
	"Routes from VPN gateways and NVAs first\n"
	"The shortest AS path, whatever the source\n")
{
	return rs_instance_leaf_set(vty, "./hub-routing-preference", NULL);
}

/*
 * XPath: /frr-routeserver:route-server/instance/max-routes-per-peer
 */
DEFPY_YANG(rs_max_routes, rs_max_routes_cmd,
	   "route-server max-routes-per-peer (1-4294967295)$max",
	   RS_STR
	   "Most routes held from one role peer in one address family\n"
	   "Number of routes (default 1000)\n")
{
	return rs_instance_leaf_set(vty, "./max-routes-per-peer", max_str);
}

DEFPY_YANG(no_rs_max_routes, no_rs_max_routes_cmd,
	   "no route-server max-routes-per-peer [(1-4294967295)]",
	   NO_STR RS_STR
	   "Most routes held from one role peer in one address family\n"
	   "Number of routes (default 1000)\n")
{
	return rs_instance_leaf_set(vty, "./max-routes-per-peer", NULL);
}

/*
 * XPath: /frr-routeserver:route-server/instance/max-peers
 */
DEFPY_YANG(rs_max_peers, rs_max_peers_cmd,
	   "route-server max-peers (1-4096)$max",
	   RS_STR
	   "Most peers that may have a route-server role\n"
	   "Number of peers (default 8)\n")
{
	return rs_instance_leaf_set(vty, "./max-peers", max_str);
}

DEFPY_YANG(no_rs_max_peers, no_rs_max_peers_cmd,
	   "no route-server max-peers [(1-4096)]",
	   NO_STR RS_STR
	   "Most peers that may have a route-server role\n"
	   "Number of peers (default 8)\n")
{
	return rs_instance_leaf_set(vty, "./max-peers", NULL);
}

/*
 * XPath: /frr-routeserver:route-server/instance/peer
 */
#define RS_NEIGHBOR_STR                                                        \
	NEIGHBOR_STR                                                           \
	"Neighbor address\n"                                                   \
	"Neighbor IPv6 address\n"                                              \
	"Neighbor on an interface\n"
#define RS_ROLE_STR RS_STR "Role of the neighbor\n"

static void rs_enqueue_peer_leaf(struct vty *vty, const char *peer_xpath,
				 const char *leaf, const char *value)
{
	char xpath[XPATH_MAXLEN];

	strlcpy(xpath, peer_xpath, sizeof(xpath));
	strlcat(xpath, "/", sizeof(xpath));
	strlcat(xpath, leaf, sizeof(xpath));
	nb_cli_enqueue_change(vty, xpath, NB_OP_MODIFY, value);
}

static int rs_peer_role_set(struct vty *vty, const char *neighbor,
			    const char *role, const char *gateway,
			    const char *instance)
{
	char key[RS_NEIGHBOR_LEN];
	char xpath[XPATH_MAXLEN];

	rs_neighbor_key(neighbor, key, sizeof(key));
	snprintf(xpath, sizeof(xpath), "./peer[neighbor='%s']", key);
	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	rs_enqueue_peer_leaf(vty, xpath, "role", role);
	if (gateway)
		rs_enqueue_peer_leaf(vty, xpath, "gateway", gateway);
	if (instance)
		rs_enqueue_peer_leaf(vty, xpath, "instance", instance);
	return rs_apply_instance_changes(vty);
}

DEFPY_YANG(rs_peer_role_nva, rs_peer_role_nva_cmd,
	   "neighbor <A.B.C.D|X:X::X:X|WORD>$neighbor route-server role nva",
	   RS_NEIGHBOR_STR RS_ROLE_STR "A network virtual appliance\n")
{
	return rs_peer_role_set(vty, neighbor, "nva", NULL, NULL);
}

DEFPY_YANG(
	rs_peer_role_expressroute, rs_peer_role_expressroute_cmd,
	"neighbor <A.B.C.D|X:X::X:X|WORD>$neighbor route-server role expressroute-gateway WORD$gateway",
	RS_NEIGHBOR_STR RS_ROLE_STR
	"The gateway towards a private circuit\n"
	"Name of the gateway\n")
{
	return rs_peer_role_set(vty, neighbor, "expressroute-gateway", gateway,
				NULL);
}

DEFPY_YANG(
	rs_peer_role_vpn, rs_peer_role_vpn_cmd,
	"neighbor <A.B.C.D|X:X::X:X|WORD>$neighbor route-server role vpn-gateway WORD$gateway instance (0-1)$instance",
	RS_NEIGHBOR_STR RS_ROLE_STR
	"One instance of an active-active VPN gateway\n"
	"Name of the gateway\n"
	"Which instance of the gateway the neighbor is\n"
	"Instance number\n")
{
	return rs_peer_role_set(vty, neighbor, "vpn-gateway", gateway,
				instance_str);
}

DEFPY_YANG(
	no_rs_peer_role, no_rs_peer_role_cmd,
	"no neighbor <A.B.C.D|X:X::X:X|WORD>$neighbor route-server role [<nva|expressroute-gateway WORD|vpn-gateway WORD instance (0-1)>]",
	NO_STR RS_NEIGHBOR_STR RS_ROLE_STR
	"A network virtual appliance\n"
	"The gateway towards a private circuit\n"
	"Name of the gateway\n"
	"One instance of an active-active VPN gateway\n"
	"Name of the gateway\n"
	"Which instance of the gateway the neighbor is\n"
	"Instance number\n")
{
	char key[RS_NEIGHBOR_LEN];
	char xpath[XPATH_MAXLEN];

	rs_neighbor_key(neighbor, key, sizeof(key));
	snprintf(xpath, sizeof(xpath), "./peer[neighbor='%s']", key);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return rs_apply_instance_changes(vty);
}

void rs_cli_show_peer(struct vty *vty, const struct lyd_node *dnode,
		      bool show_defaults)
{
	vty_out(vty, " neighbor %s route-server role %s",
		yang_dnode_get_string(dnode, "./neighbor"),
		yang_dnode_get_string(dnode, "./role"));
	if (yang_dnode_exists(dnode, "./gateway"))
		vty_out(vty, " %s", yang_dnode_get_string(dnode, "./gateway"));
	if (yang_dnode_exists(dnode, "./instance"))
		vty_out(vty, " instance %u",
			yang_dnode_get_uint8(dnode, "./instance"));
	vty_out(vty, "\n");
}

/* The module's lines of `router bgp`, rendered from the northbound. */
int rs_config_write(struct bgp *bgp, struct vty *vty)
{
	const struct lyd_node *dnode;

	dnode = yang_dnode_getf(running_config->dnode, RS_XPATH_INSTANCE,
				rs_bgp_vrf_name(bgp));
	if (dnode)
		nb_cli_show_dnode_cmds(vty, dnode, false);
	return 0;
}

DEFPY(rs_debug_cmd, rs_debug_cmd_cmd, "[no] debug bgp route-server",
      NO_STR DEBUG_STR BGP_STR "Route-server module: what it applies to bgpd\n")
{
	rs_debug = !no;
	return CMD_SUCCESS;
}

void rs_cli_init(void)
{
	install_element(ENABLE_NODE, &rs_debug_cmd_cmd);
	install_element(CONFIG_NODE, &rs_debug_cmd_cmd);
	install_element(BGP_NODE, &rs_branch_to_branch_cmd);
	install_element(BGP_NODE, &rs_allow_unclassified_cmd);
	install_element(BGP_NODE, &rs_strict_gateway_exclusion_cmd);
	install_element(BGP_NODE, &rs_hub_routing_preference_cmd);
	install_element(BGP_NODE, &no_rs_hub_routing_preference_cmd);
	install_element(BGP_NODE, &rs_max_peers_cmd);
	install_element(BGP_NODE, &no_rs_max_peers_cmd);
	install_element(BGP_NODE, &rs_max_routes_cmd);
	install_element(BGP_NODE, &no_rs_max_routes_cmd);
	install_element(BGP_NODE, &rs_peer_role_nva_cmd);
	install_element(BGP_NODE, &rs_peer_role_expressroute_cmd);
	install_element(BGP_NODE, &rs_peer_role_vpn_cmd);
	install_element(BGP_NODE, &no_rs_peer_role_cmd);
}
