// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SSH authentication: a user is whoever holds a key listed in the keys file
 * named after the user (users/NAME, in authorized_keys format). The files
 * decide who may change bgpd's configuration, so they must belong to root
 * and be writable by root only. Passwords are always refused: libnetconf2
 * would check them against /etc/shadow without a callback.
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ncd.h"

#define USER_NAME_MAX 32

static bool user_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (!len || len > USER_NAME_MAX ||
	    !(name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z')))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == len;
}

/* Owned by root and writable by root only; why in err if not. */
static bool root_only(const char *path, bool dir, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a %s", path,
			 dir ? "directory" : "regular file");
		return false;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(err, errlen,
			 "%s must belong to root and be writable by root only",
			 path);
		return false;
	}
	return true;
}

bool ncd_auth_check_files(char *err, size_t errlen)
{
	char path[PATH_MAX * 2];
	struct dirent *entry;
	bool ok = true;
	DIR *dir;

	if (!root_only(ncd_cfg.users_dir, true, err, errlen))
		return false;
	dir = opendir(ncd_cfg.users_dir);
	if (!dir) {
		snprintf(err, errlen, "%s: %s", ncd_cfg.users_dir,
			 strerror(errno));
		return false;
	}
	while (ok && (entry = readdir(dir))) {
		if (entry->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", ncd_cfg.users_dir,
			 entry->d_name);
		ok = root_only(path, false, err, errlen);
		if (ok && access(path, R_OK) < 0) {
			snprintf(err, errlen, "%s cannot be read: %s", path,
				 strerror(errno));
			ok = false;
		}
		if (ok && !user_name_valid(entry->d_name)) {
			snprintf(err, errlen,
				 "%s: \"%s\" is not a valid user name", path,
				 entry->d_name);
			ok = false;
		}
	}
	closedir(dir);
	return ok;
}

static void log_refused(const struct nc_session *session, const char *what)
{
	ncd_log(LOG_WARNING, "refused %s of user \"%s\" from %s", what,
		nc_session_get_username(session), nc_session_get_host(session));
}

/* One "type base64 [comment]" line of a keys file. */
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

static bool user_has_key(const char *user, ssh_key key)
{
	char path[PATH_MAX * 2], err[PATH_MAX * 2 + 64];
	char *line = NULL;
	size_t size = 0;
	bool match = false;
	FILE *file;

	if (!user_name_valid(user))
		return false;
	snprintf(path, sizeof(path), "%s/%s", ncd_cfg.users_dir, user);
	if (!root_only(ncd_cfg.users_dir, true, err, sizeof(err)) ||
	    !root_only(path, false, err, sizeof(err))) {
		if (errno != ENOENT)
			ncd_log(LOG_ERR, "keys of user \"%s\" ignored: %s",
				user, err);
		return false;
	}
	file = fopen(path, "r");
	if (!file)
		return false;
	while (!match && getline(&line, &size, file) > 0)
		match = key_line_matches(line, key);
	free(line);
	fclose(file);
	return match;
}

/* The files are read at every attempt: changes apply without a restart. */
static int auth_pubkey(const struct nc_session *session, ssh_key key, void *arg)
{
	if (user_has_key(nc_session_get_username(session), key))
		return 0;
	log_refused(session, "public key");
	return 1;
}

static int auth_password(const struct nc_session *session, const char *password,
			 void *arg)
{
	log_refused(session, "password login");
	return 1;
}

static int auth_interactive(const struct nc_session *session,
			    const ssh_message msg, void *arg)
{
	log_refused(session, "keyboard-interactive login");
	return 1;
}

void ncd_auth_init(void)
{
	nc_server_ssh_set_pubkey_auth_clb(auth_pubkey, NULL, NULL);
	nc_server_ssh_set_passwd_auth_clb(auth_password, NULL, NULL);
	nc_server_ssh_set_interactive_auth_clb(auth_interactive, NULL, NULL);
}
