// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SSH authentication of NETCONF clients.
 *
 * libnetconf2 checks passwords against /etc/shadow when no callback is
 * set, whatever methods are offered, so both password callbacks are always
 * set: they refuse unless PAM is configured.
 */

#include <zebra.h>

#include <security/pam_appl.h>

#include "log.h"

#include "nc_auth.h"

static const char *authorized_keys_path;
static const char *pam_service_name;

static void log_refused(const struct nc_session *session, const char *what)
{
	zlog_warn("netconf: refused %s of user \"%s\" from %s", what,
		  nc_session_get_username(session),
		  nc_session_get_host(session));
}

/* One "type base64 [comment]" line of an authorized-keys file. */
static bool key_line_matches(char *line, ssh_key offered)
{
	char *save = NULL;
	char *type = strtok_r(line, " \t\r\n", &save);
	char *base64 = strtok_r(NULL, " \t\r\n", &save);
	enum ssh_keytypes_e keytype;
	ssh_key listed;
	bool match;

	if (!type || *type == '#' || !base64)
		return false;
	keytype = ssh_key_type_from_name(type);
	if (keytype == SSH_KEYTYPE_UNKNOWN ||
	    ssh_pki_import_pubkey_base64(base64, keytype, &listed) != SSH_OK)
		return false;
	match = !ssh_key_cmp(listed, offered, SSH_KEY_CMP_PUBLIC);
	ssh_key_free(listed);
	return match;
}

/* The file is read at every attempt: edits apply without a restart. */
static int nc_auth_pubkey(const struct nc_session *session, ssh_key key,
			  void *arg)
{
	char *line = NULL;
	size_t size = 0;
	bool match = false;
	FILE *file;

	file = fopen(authorized_keys_path, "r");
	if (!file) {
		zlog_warn("netconf: cannot read authorized keys %s: %s",
			  authorized_keys_path, safe_strerror(errno));
	} else {
		while (!match && getline(&line, &size, file) > 0)
			match = key_line_matches(line, key);
		free(line);
		fclose(file);
	}
	if (!match)
		log_refused(session, "public key");
	return match ? 0 : 1;
}

static int pam_answer_password(int count, const struct pam_message **msg,
			       struct pam_response **resp, void *password)
{
	struct pam_response *answers = calloc(count, sizeof(*answers));

	if (!answers)
		return PAM_BUF_ERR;
	for (int i = 0; i < count; i++)
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF ||
		    msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			answers[i].resp = strdup(password);
	*resp = answers;
	return PAM_SUCCESS;
}

static int pam_check(const char *user, const char *password)
{
	struct pam_conv conv = {pam_answer_password, (void *)password};
	pam_handle_t *pamh;
	int ret;

	ret = pam_start(pam_service_name, user, &conv, &pamh);
	if (ret != PAM_SUCCESS)
		return ret;
	ret = pam_authenticate(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if (ret == PAM_SUCCESS)
		ret = pam_acct_mgmt(pamh, PAM_SILENT);
	pam_end(pamh, ret);
	return ret;
}

static int nc_auth_password(const struct nc_session *session,
			    const char *password, void *arg)
{
	if (pam_service_name && password &&
	    pam_check(nc_session_get_username(session), password) ==
		    PAM_SUCCESS)
		return 0;
	log_refused(session, "password");
	return 1;
}

static int nc_auth_interactive(const struct nc_session *session,
			       const ssh_message msg, void *arg)
{
	log_refused(session, "keyboard-interactive login");
	return 1;
}

void nc_auth_init(const char *authorized_keys, const char *pam_service)
{
	authorized_keys_path = authorized_keys;
	pam_service_name = pam_service;
	nc_server_ssh_set_pubkey_auth_clb(nc_auth_pubkey, NULL, NULL);
	nc_server_ssh_set_passwd_auth_clb(nc_auth_password, NULL, NULL);
	nc_server_ssh_set_interactive_auth_clb(nc_auth_interactive, NULL, NULL);
}
