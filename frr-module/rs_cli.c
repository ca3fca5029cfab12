// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vtysh commands of the route-server module: a thin layer over the
 * frr-routeserver YANG model.
 */

#include <zebra.h>

#include "command.h"
#include "northbound_cli.h"

#include "bgpd/bgpd.h"

#include "routeserver.h"
#include "rs_nb.h"

#ifndef VTYSH_EXTRACT_PL
#include "frr-module/rs_cli_clippy.c"
#endif

#define RS_STR "Route-server behaviour\n"

static int rs_apply_instance_changes(struct vty *vty)
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);

	return nb_cli_apply_changes(vty, RS_XPATH_INSTANCE,
				    rs_bgp_vrf_name(bgp));
}

/*
 * XPath: /frr-routeserver:route-server/instance/branch-to-branch
 */
DEFPY_YANG(rs_branch_to_branch, rs_branch_to_branch_cmd,
	   "[no] route-server branch-to-branch",
	   NO_STR RS_STR
	   "Exchange routes between NVAs and gateways, and between gateways\n")
{
	nb_cli_enqueue_change(vty, "./branch-to-branch", NB_OP_MODIFY,
			      no ? "false" : "true");
	return rs_apply_instance_changes(vty);
}

void rs_cli_show_branch_to_branch(struct vty *vty, const struct lyd_node *dnode,
				  bool show_defaults)
{
	if (!yang_dnode_get_bool(dnode, NULL))
		vty_out(vty, " no");
	vty_out(vty, " route-server branch-to-branch\n");
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

void rs_cli_init(void)
{
	install_element(BGP_NODE, &rs_branch_to_branch_cmd);
}
