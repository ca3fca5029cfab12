// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SSH authentication of NETCONF clients: public keys listed in an
 * authorized-keys file, and optionally passwords checked by PAM.
 */

#ifndef _FRR_NC_AUTH_H
#define _FRR_NC_AUTH_H

#include <nc_server.h>

/* Sets libnetconf2's callbacks; pam_service NULL refuses passwords. */
extern void nc_auth_init(const char *authorized_keys, const char *pam_service);

#endif /* _FRR_NC_AUTH_H */
