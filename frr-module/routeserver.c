// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-routeserver: a bgpd module that gives a BGP instance the semantics
 * of a cloud route server with ExpressRoute and VPN gateway integration.
 */

#include <zebra.h>

#include "libfrr.h"
#include "log.h"
#include "module.h"
#include "sockunion.h"

#include "bgpd/bgpd.h"

#include "routeserver.h"
#include "rs_enforce.h"
#include "rs_instance.h"
#include "rs_nb.h"
#include "rs_notify.h"

DEFINE_MGROUP(ROUTESERVER, "route-server module");

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

struct peer *rs_bgp_neighbor(struct bgp *bgp, const char *key)
{
	union sockunion su;

	if (str2sockunion(key, &su) == 0)
		return peer_lookup(bgp, &su);
	return peer_lookup_by_conf_if(bgp, key);
}

static void rs_peer_key(const struct peer *peer, char *key, size_t len)
{
	if (peer->conf_if)
		strlcpy(key, peer->conf_if, len);
	else
		sockunion2str(&peer->su, key, len);
}

/* Commands and the northbound exist only once the library is set up. */
static int rs_late_init(struct thread_master *master)
{
	rs_nb_register();
	rs_enforce_init();
	rs_cli_init();
	rs_show_init();
	zlog_info("route-server module %s loaded", RS_VERSION);
	return 0;
}

/* bgpd deletes its instances after frr_early_fini: leave them alone then. */
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
	if (peer->status != Deleted) {
		rs_notify_peer_status(peer);
		return 0;
	}
	if (!CHECK_FLAG(peer->flags, PEER_FLAG_CONFIG_NODE))
		return 0;
	rs_enforce_neighbor_deleted(peer);
	rs_peer_key(peer, key, sizeof(key));
	snprintf(xpath, sizeof(xpath), RS_XPATH_PEER,
		 rs_bgp_vrf_name(peer->bgp), key);
	rs_nb_remove_config(xpath);
	return 0;
}

static int rs_early_fini(void)
{
	rs_shutting_down = true;
	rs_enforce_fini();
	rs_instance_delete_all();
	return 0;
}

static int rs_module_init(void)
{
	hook_register(bgp_inst_config_write, rs_config_write);
	hook_register(bgp_inst_delete, rs_bgp_deleted);
	hook_register(peer_status_changed, rs_peer_status_changed);
	hook_register(frr_late_init, rs_late_init);
	hook_register(frr_early_fini, rs_early_fini);
	return 0;
}

FRR_MODULE_SETUP(.name = "bgpd_routeserver", .version = RS_VERSION,
		 .description = "route server with typed peers",
		 .init = rs_module_init, );
