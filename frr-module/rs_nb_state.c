// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Operational-state callbacks of the frr-routeserver YANG module.
 */

#include <zebra.h>

#include "northbound.h"

#include "rs_nb.h"

/*
 * XPath: /frr-routeserver:route-server/state/version
 */
struct yang_data *rs_state_version_get_elem(struct nb_cb_get_elem_args *args)
{
	return yang_data_new_string(args->xpath, RS_VERSION);
}
