// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What bgpd does by itself that the route server follows: a deleted BGP
 * instance or neighbor, a session that changes state.
 */

#ifndef _FRR_RS_EVENTS_H
#define _FRR_RS_EVENTS_H

extern void rs_events_init(void);
/* bgpd deletes its instances after frr_early_fini: leave them alone then. */
extern void rs_events_fini(void);

#endif /* _FRR_RS_EVENTS_H */
