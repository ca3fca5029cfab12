// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The route-server module's memory group.
 */

#include <zebra.h>

#include "rs_memory.h"

DEFINE_MGROUP(ROUTESERVER, "route-server module");
