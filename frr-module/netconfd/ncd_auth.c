// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who may log in: a user is whoever holds a key listed in the keys file
 * named after the user (users/NAME, in authorized_keys format). The files
 * decide who may change bgpd's configuration, so they must belong to root
 * and be writable by root only, which is checked at start and at every
 * login. How libnetconf2 is told about them, and how passwords are refused,
 * depends on its version: see ncd_ssh_ln2.c and ncd_ssh_ln3.c.
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

void ncd_auth_log_refused(const char *user, const char *host, const char *what)
{
	ncd_log(LOG_WARNING, "refused %s of user \"%s\" from %s", what,
		user ? user : "", host ? host : "?");
}

/* The type and base64 of one "type base64 [comment]" line; false for
 * comments and lines that are not a key. */
static bool key_line_parse(char *line, char **type, char **base64)
{
	char *save = NULL;

	*type = strtok_r(line, " \t\r\n", &save);
	*base64 = strtok_r(NULL, " \t\r\n", &save);
	return *type && **type != '#' && *base64;
}

/* Whether one line of a keys file lists the offered key. */
static bool key_line_matches(char *line, ssh_key offered)
{
	enum ssh_keytypes_e keytype;
	char *type, *base64;
	ssh_key listed;
	bool match;

	if (!key_line_parse(line, &type, &base64))
		return false;
	keytype = ssh_key_type_from_name(type);
	if (keytype == SSH_KEYTYPE_UNKNOWN ||
	    ssh_pki_import_pubkey_base64(base64, keytype, &listed) != SSH_OK)
		return false;
	match = !ssh_key_cmp(listed, offered, SSH_KEY_CMP_PUBLIC);
	ssh_key_free(listed);
	return match;
}

bool ncd_auth_user_has_key(const char *user, ssh_key key)
{
	char path[PATH_MAX * 2], err[PATH_MAX * 2 + 64];
	char *line = NULL;
	size_t size = 0;
	bool match = false;
	FILE *file;

	if (!user || !key || !user_name_valid(user))
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

/* Whether a line's key is one libssh reads. */
static bool key_valid(const char *type, const char *base64)
{
	enum ssh_keytypes_e keytype = ssh_key_type_from_name(type);
	ssh_key key;

	if (keytype == SSH_KEYTYPE_UNKNOWN ||
	    ssh_pki_import_pubkey_base64(base64, keytype, &key) != SSH_OK)
		return false;
	ssh_key_free(key);
	return true;
}

void ncd_auth_for_each_key(void (*fn)(const char *user, const char *type,
				      const char *base64, void *arg),
			   void *arg)
{
	char path[PATH_MAX * 2];
	char *line = NULL, *type, *base64;
	size_t size = 0;
	struct dirent *entry;
	struct stat st;
	FILE *file;
	DIR *dir;

	dir = opendir(ncd_cfg.users_dir);
	if (!dir)
		return;
	while ((entry = readdir(dir))) {
		if (entry->d_name[0] == '.' || !user_name_valid(entry->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", ncd_cfg.users_dir,
			 entry->d_name);
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		file = fopen(path, "r");
		if (!file)
			continue;
		while (getline(&line, &size, file) > 0)
			if (key_line_parse(line, &type, &base64) &&
			    key_valid(type, base64))
				fn(entry->d_name, type, base64, arg);
		fclose(file);
	}
	free(line);
	closedir(dir);
}
