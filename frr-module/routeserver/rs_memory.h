// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The route-server module's memory group.
 */

#ifndef _FRR_RS_MEMORY_H
#define _FRR_RS_MEMORY_H

#include "memory.h"

DECLARE_MGROUP(ROUTESERVER);

#endif /* _FRR_RS_MEMORY_H */
