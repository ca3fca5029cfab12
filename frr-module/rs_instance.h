// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Route-server settings of one BGP instance, as applied by the northbound.
 */

#ifndef _FRR_RS_INSTANCE_H
#define _FRR_RS_INSTANCE_H

#include "typesafe.h"
#include "vrf.h"

PREDECL_RBTREE_UNIQ(rs_instances);

struct rs_instance {
	struct rs_instances_item item;
	char vrf[VRF_NAMSIZ + 1];
	bool branch_to_branch;
};

extern struct rs_instance *rs_instance_create(const char *vrf);
extern void rs_instance_delete(struct rs_instance *rsi);
extern struct rs_instance *rs_instance_lookup(const char *vrf);
extern void rs_instance_delete_all(void);

#endif /* _FRR_RS_INSTANCE_H */
