// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Northbound callbacks of the frr-routeserver YANG module, and its
 * registration with bgpd's northbound.
 */

#include <zebra.h>

#include "frr_compat.h"

#include "northbound.h"
#include "northbound_cli.h"
#include "yang.h"

#include "rs_enforce.h"
#include "rs_nb.h"

/* clang-format off */
const struct frr_yang_module_info frr_routeserver_info = {
	.name = "frr-routeserver",
	.nodes = {
		{
			.xpath = "/frr-routeserver:route-server/instance",
			.cbs = {
				.create = rs_instance_nb_create,
				.destroy = rs_instance_nb_destroy,
				.pre_validate = rs_instance_nb_pre_validate,
				.apply_finish = rs_instance_nb_apply_finish,
				.get_next = rs_instance_get_next,
				.get_keys = rs_instance_get_keys,
				.lookup_entry = rs_instance_lookup_entry,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/branch-to-branch",
			.cbs = {
				.cli_show = rs_cli_show_branch_to_branch,
				.modify = rs_instance_branch_to_branch_modify,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/allow-unclassified",
			.cbs = {
				.cli_show = rs_cli_show_allow_unclassified,
				.modify = rs_instance_allow_unclassified_modify,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/strict-gateway-exclusion",
			.cbs = {
				.cli_show = rs_cli_show_strict_gateway_exclusion,
				.modify = rs_instance_strict_gateway_exclusion_modify,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/hub-routing-preference",
			.cbs = {
				.cli_show = rs_cli_show_instance_leaf,
				.modify = rs_instance_hub_routing_preference_modify,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/max-peers",
			.cbs = {
				.cli_show = rs_cli_show_instance_leaf,
				.modify = rs_instance_max_peers_modify,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/max-routes-per-peer",
			.cbs = {
				.cli_show = rs_cli_show_instance_leaf,
				.modify = rs_instance_max_routes_per_peer_modify,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/peer",
			.cbs = {
				.cli_show = rs_cli_show_peer,
				.create = rs_peer_nb_create,
				.destroy = rs_peer_nb_destroy,
				.get_next = rs_peer_get_next,
				.get_keys = rs_peer_get_keys,
				.lookup_entry = rs_peer_lookup_entry,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/peer/role",
			.cbs = {
				.modify = rs_peer_role_modify,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/peer/gateway",
			.cbs = {
				.modify = rs_peer_gateway_modify,
				.destroy = rs_peer_gateway_destroy,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/peer/instance",
			.cbs = {
				.modify = rs_peer_instance_modify,
				.destroy = rs_peer_instance_destroy,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/peer/state/session-state",
			.cbs = {
				.get_elem = rs_peer_state_session_state_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/peer/state/routes-learned",
			.cbs = {
				.get_elem = rs_peer_state_routes_learned_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/peer/state/routes-advertised",
			.cbs = {
				.get_elem = rs_peer_state_routes_advertised_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/peer/state/exchange",
			.cbs = {
				.get_elem = rs_peer_state_exchange_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/peer/state/outbound-policy",
			.cbs = {
				.get_elem = rs_peer_state_outbound_policy_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/peer/state/outbound-route-map",
			.cbs = {
				.get_elem = rs_peer_state_outbound_route_map_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/peer/state/limit-teardowns",
			.cbs = {
				.get_elem = rs_peer_state_limit_teardowns_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/peer/state/warning",
			.cbs = {
				.get_elem = rs_peer_state_warning_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/state/receiver-classes",
			.cbs = {
				.get_elem = rs_instance_receiver_classes_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/state/update-groups",
			.cbs = {
				.get_elem = rs_instance_update_groups_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/gateway",
			.cbs = {
				.get_next = rs_gateway_get_next,
				.get_keys = rs_gateway_get_keys,
				.lookup_entry = rs_gateway_lookup_entry,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/gateway/name",
			.cbs = {
				.get_elem = rs_gateway_name_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/gateway/role",
			.cbs = {
				.get_elem = rs_gateway_role_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/gateway/state",
			.cbs = {
				.get_elem = rs_gateway_state_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/instance/gateway/reason",
			.cbs = {
				.get_elem = rs_gateway_reason_get_elem,
			},
		},
		{
			.xpath = "/frr-routeserver:route-server/state/version",
			.cbs = {
				.get_elem = rs_state_version_get_elem,
			},
		},
		{
			.xpath = NULL,
		},
	}
};
/* clang-format on */

/*
 * FRR 8.4 builds a daemon's northbound in nb_init() from the daemon's fixed
 * list of YANG modules, before any module could add to it, and offers no
 * call to attach a module loaded later: nb_node_new_cb() and
 * nb_load_callbacks() are static. So the model is loaded from frr_late_init
 * (which still precedes reading the configuration) and its nb_nodes are
 * built here the way the library builds them.
 *
 * nb_terminate() frees every nb_node as MTYPE_NB_NODE, also in the parent
 * of a daemonizing bgpd, where no module hook runs; a node allocated under
 * any other memory type makes that free abort. So ours are allocated under
 * the library's own type, which is static to northbound.c and is found by
 * its name.
 */
static int rs_find_nb_node_mtype(void *arg, struct memgroup *mg,
				 struct memtype *mt)
{
	struct memtype **found = arg;

	if (!mt || strcmp(mg->name, "libfrr") ||
	    strcmp(mt->name, "Northbound Node"))
		return 0;
	*found = mt;
	return 1;
}

static struct memtype *rs_nb_node_mtype(void)
{
	struct memtype *mt = NULL;

	qmem_walk(rs_find_nb_node_mtype, &mt);
	if (!mt) {
		zlog_err(
			"route-server: libfrr has no \"Northbound Node\" memory type, cannot register frr-routeserver");
		exit(1);
	}
	return mt;
}

static int rs_nb_node_has_state(const struct lysc_node *snode, void *arg)
{
	bool *has_state = arg;

	if (CHECK_FLAG(snode->flags, LYS_CONFIG_R)) {
		*has_state = true;
		return YANG_ITER_STOP;
	}
	return YANG_ITER_CONTINUE;
}

static uint8_t rs_nb_node_flags(const struct lysc_node *snode)
{
	uint8_t flags = 0;
	bool has_state = false;

	if (CHECK_FLAG(snode->nodetype, LYS_CONTAINER | LYS_LIST)) {
		yang_snodes_iterate_subtree(snode, NULL, rs_nb_node_has_state,
					    0, &has_state);
		if (!has_state)
			SET_FLAG(flags, F_NB_NODE_CONFIG_ONLY);
	}
	if (CHECK_FLAG(snode->nodetype, LYS_LIST) &&
	    yang_snode_num_keys(snode) == 0)
		SET_FLAG(flags, F_NB_NODE_KEYLESS_LIST);
	return flags;
}

static int rs_nb_node_new(const struct lysc_node *snode, void *arg)
{
	struct memtype *mtype = arg;
	struct nb_node *nb_node = XCALLOC(mtype, sizeof(*nb_node));
	struct lysc_node *sparent = yang_snode_real_parent(snode);
	struct lysc_node *sparent_list = yang_snode_parent_list(snode);

	yang_snode_get_path(snode, YANG_PATH_DATA, nb_node->xpath,
			    sizeof(nb_node->xpath));
	nb_node->priority = NB_DFLT_PRIORITY;
	nb_node->parent = sparent ? sparent->priv : NULL;
	nb_node->parent_list = sparent_list ? sparent_list->priv : NULL;
	nb_node->flags = rs_nb_node_flags(snode);
	nb_node->snode = snode;
	assert(snode->priv == NULL);
	((struct lysc_node *)snode)->priv = nb_node;

	return YANG_ITER_CONTINUE;
}

static void rs_nb_load_callbacks(const struct frr_yang_module_info *info)
{
	for (size_t i = 0; info->nodes[i].xpath; i++) {
		struct nb_node *nb_node = nb_node_find(info->nodes[i].xpath);

		assert(nb_node);
		nb_node->cbs = info->nodes[i].cbs;
		if (info->nodes[i].priority)
			nb_node->priority = info->nodes[i].priority;
	}
}

/*
 * The module's exchange route-maps are made in bgpd's route-map namespace
 * through the library (rs_enforce.c).  A route-map of such a name made
 * through the northbound would edit or free them under the module: it is
 * refused, and an operator's map is never adopted in their place.
 */
static int rs_route_map_pre_validate(struct nb_cb_pre_validate_args *args)
{
	const char *name = yang_dnode_get_string(args->dnode, "./name");

	if (strncmp(name, RS_EXCHANGE_MAP_PREFIX,
		    strlen(RS_EXCHANGE_MAP_PREFIX)))
		return NB_OK;
	snprintf(
		args->errmsg, args->errmsg_len,
		"route-map %s: names beginning with %s belong to the route-server module",
		name, RS_EXCHANGE_MAP_PREFIX);
	/* a configuration file's errors reach no one else */
	zlog_warn("route-server: refused %s", args->errmsg);
	return NB_ERR_VALIDATION;
}

static void rs_nb_guard_route_maps(void)
{
	struct nb_node *nb_node = nb_node_find("/frr-route-map:lib/route-map");

	/* FRR 8.4's route-map list has no pre_validate of its own */
	assert(nb_node && !nb_node->cbs.pre_validate);
	nb_node->cbs.pre_validate = rs_route_map_pre_validate;
}

void rs_nb_register(void)
{
	const struct lys_module *module;

	module = rs_yang_module_load(frr_routeserver_info.name)->info;
	yang_snodes_iterate(module, rs_nb_node_new, 0, rs_nb_node_mtype());
	rs_nb_load_callbacks(&frr_routeserver_info);
	rs_nb_guard_route_maps();
	nb_validate_callbacks();
}

/*
 * Removes configuration whose object bgpd deleted by itself (a BGP
 * instance, a neighbor).  This must always happen, or a role outlives its
 * neighbor and applies to the next one of that address.  FRR 8.4 offers
 * no commit of the daemon's own that passes the running configuration's
 * lock, so a commit is refused while a client (a NETCONF session) holds
 * it; and a commit validates the whole candidate.  So the entry's destroy
 * callback and its parent's apply_finish run here as a commit would run
 * them, and the entry leaves the running configuration directly.  The
 * vty's shared candidate drops it too: in FRR's classic CLI mode every
 * command commits that candidate whole, which would bring it back.
 */
void rs_nb_remove_config(const char *xpath)
{
	struct lyd_node *dnode = yang_dnode_get(running_config->dnode, xpath);
	struct nb_context context = {.client = NB_CLIENT_NONE};
	char errmsg[BUFSIZ] = {0};
	const struct nb_node *nb_node, *parent;
	struct nb_cb_destroy_args args = {.context = &context,
					  .event = NB_EV_APPLY,
					  .errmsg = errmsg,
					  .errmsg_len = sizeof(errmsg)};

	if (!dnode)
		return;
	nb_node = dnode->schema->priv;
	parent = nb_node->parent;
	args.dnode = dnode;
	nb_node->cbs.destroy(&args);
	if (parent && parent->cbs.apply_finish) {
		struct nb_cb_apply_finish_args finish = {
			.context = &context,
			.dnode = lyd_parent(dnode),
			.errmsg = errmsg,
			.errmsg_len = sizeof(errmsg)};

		parent->cbs.apply_finish(&finish);
	}
	/* never a top-level node: an instance or a peer */
	lyd_free_tree(dnode);
	running_config->version++;
	if (yang_dnode_exists(vty_shared_candidate_config->dnode, xpath) &&
	    nb_candidate_edit(vty_shared_candidate_config, nb_node,
			      NB_OP_DESTROY, xpath, NULL, NULL) != NB_OK)
		zlog_err("route-server: cannot remove %s from the candidate",
			 xpath);
}
