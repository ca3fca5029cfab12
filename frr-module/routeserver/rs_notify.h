// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * YANG notifications of frr-routeserver, sent through the northbound to
 * whichever northbound plugin listens (the NETCONF server).
 */

#ifndef _FRR_RS_NOTIFY_H
#define _FRR_RS_NOTIFY_H

#include "rs_instance.h"

struct peer;

/* A bgpd neighbor changed state: notify if it is a role peer whose
 * session was or is established, and any gateway state that changed. */
extern void rs_notify_peer_status(struct peer *peer);
/* After a commit: notify the gateway states that changed. */
extern void rs_notify_gateways(struct rs_instance *rsi);

#endif /* _FRR_RS_NOTIFY_H */
