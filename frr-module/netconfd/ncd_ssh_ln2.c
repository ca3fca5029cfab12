// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SSH server on libnetconf2 2: set up by its setters, with callbacks
 * that decide each login. The public-key callback reads the user's file at
 * every attempt (ncd_auth_user_has_key()), so a key added or removed, or a
 * file that stopped being root's, counts from the next login on. Password
 * and keyboard-interactive logins are offered, to be refused and logged:
 * without a callback libnetconf2 would check them against /etc/shadow.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ncd.h"

#define NCD_ENDPOINT "default"
/* Attempts of one connection before libnetconf2 drops it */
#define NCD_AUTH_ATTEMPTS 3

bool ncd_ssh_prepare_ctx(struct ly_ctx *ctx, char *err, size_t errlen)
{
	return true;
}

bool ncd_ssh_module_private(const struct lys_module *module)
{
	return false;
}

/* The host key is read at each connection. */
static int host_key_cb(const char *name, void *arg, char **privkey_path,
		       char **privkey_data, NC_SSH_KEY_TYPE *privkey_type)
{
	*privkey_path = strdup(ncd_cfg.host_key);
	return *privkey_path ? 0 : 1;
}

static int auth_pubkey(const struct nc_session *session, ssh_key key, void *arg)
{
	if (ncd_auth_user_has_key(nc_session_get_username(session), key))
		return 0;
	ncd_auth_log_refused(nc_session_get_username(session),
			     nc_session_get_host(session), "public key");
	return 1;
}

static int auth_password(const struct nc_session *session, const char *password,
			 void *arg)
{
	ncd_auth_log_refused(nc_session_get_username(session),
			     nc_session_get_host(session), "password login");
	return 1;
}

static int auth_interactive(const struct nc_session *session,
			    const ssh_message msg, void *arg)
{
	ncd_auth_log_refused(nc_session_get_username(session),
			     nc_session_get_host(session),
			     "keyboard-interactive login");
	return 1;
}

bool ncd_ssh_start(char *err, size_t errlen)
{
	nc_server_set_hello_timeout(ncd_cfg.hello_timeout);
	nc_server_set_idle_timeout(ncd_cfg.idle_timeout);
	nc_server_ssh_set_pubkey_auth_clb(auth_pubkey, NULL, NULL);
	nc_server_ssh_set_passwd_auth_clb(auth_password, NULL, NULL);
	nc_server_ssh_set_interactive_auth_clb(auth_interactive, NULL, NULL);
	nc_server_ssh_set_hostkey_clb(host_key_cb, NULL, NULL);
	if (nc_server_add_endpt(NCD_ENDPOINT, NC_TI_LIBSSH) ||
	    nc_server_ssh_endpt_add_hostkey(NCD_ENDPOINT, "host-key", -1) ||
	    nc_server_ssh_endpt_set_auth_methods(
		    NCD_ENDPOINT, NC_SSH_AUTH_PUBLICKEY | NC_SSH_AUTH_PASSWORD))
		goto fail;
	nc_server_ssh_endpt_set_auth_attempts(NCD_ENDPOINT, NCD_AUTH_ATTEMPTS);
	nc_server_ssh_endpt_set_auth_timeout(NCD_ENDPOINT,
					     ncd_cfg.hello_timeout);
	/* the socket is bound once both are set */
	if (!nc_server_endpt_set_address(NCD_ENDPOINT, ncd_cfg.address) &&
	    !nc_server_endpt_set_port(NCD_ENDPOINT, ncd_cfg.port))
		return true;
fail:
	snprintf(err, errlen, "cannot listen on %s port %u", ncd_cfg.address,
		 ncd_cfg.port);
	return false;
}

void ncd_ssh_stop(void)
{
}
