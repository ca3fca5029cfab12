// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-routeserver: a bgpd module that gives a BGP instance the semantics
 * of a cloud route server with ExpressRoute and VPN gateway integration.
 * This file only sets the module up.
 */

#include <zebra.h>

#include "frr_compat.h"

#include "libfrr.h"
#include "log.h"
#include "module.h"

#include "bgpd/bgpd.h"

#include "rs_cli.h"
#include "rs_enforce.h"
#include "rs_events.h"
#include "rs_instance.h"
#include "rs_nb.h"

/* Commands and the northbound exist only once the library is set up. */
static int rs_late_init(struct event_loop *master)
{
	rs_nb_register();
	rs_enforce_init();
	rs_cli_init();
	rs_show_init();
	zlog_info("route-server module %s loaded", RS_VERSION);
	return 0;
}

static int rs_early_fini(void)
{
	rs_events_fini();
	rs_enforce_fini();
	rs_instance_delete_all();
	return 0;
}

static int rs_module_init(void)
{
	rs_events_init();
	hook_register(bgp_inst_config_write, rs_config_write);
	hook_register(frr_late_init, rs_late_init);
	hook_register(frr_early_fini, rs_early_fini);
	return 0;
}

FRR_MODULE_SETUP(.name = "bgpd_routeserver", .version = RS_VERSION,
		 .description = "route server with typed peers",
		 .init = rs_module_init, );
