// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SSH server on libnetconf2 3: its configuration is ietf-netconf-server
 * data (with ietf-ssh-server and libnetconf2's augments), applied with
 * nc_server_config_setup_data() and then _setup_diff(). libnetconf2 3 has
 * no callbacks for logins: it checks public keys itself against those the
 * data lists for each user, and it offers a user only the methods the data
 * configures for that user (here public keys, nothing else).
 *
 * Keeping the behaviour of the callbacks of libnetconf2 2 (ncd_ssh_ln2.c):
 *
 * - Users: the data lists every key of every validly named file in users/,
 *   and a thread applies the difference whenever the directory changes
 *   (looked at every NCD_USERS_POLL_MS), so that new keys and users log in
 *   without a restart. At the login itself, ssh_message_auth_reply_success()
 *   below reads the user's file again (ncd_auth_user_has_key(): root-only,
 *   and the key still listed) before it lets the success through: a key
 *   removed, or a file others may write, refuses the very next login.
 *   A key or user added needs the difference applied first, which waits
 *   for libnetconf2's configuration lock: every accepting thread holds it
 *   for reading in nc_accept(), in turn for NCD_ACCEPT_WAIT_MS when idle
 *   (about 0.8 s for 16 threads), and for a whole login in progress (up to
 *   hello-timeout); new logins wait meanwhile.
 *
 * - Refusals are logged as before ("refused public key of user ...", the
 *   password and keyboard-interactive attempts) by ssh_message_reply_default()
 *   below, which libnetconf2 calls to refuse any attempt.
 *
 * - The data lives in a context of its own, but libnetconf2 reads the
 *   feature local-users-supported of ietf-ssh-server in the sessions'
 *   context (ncd_ctx): without the module there every login fails, and with
 *   the feature off it would check the system's users and passwords. So
 *   ncd_ctx implements ietf-ssh-server with that feature, which brings in
 *   its imports (crypto types, keystore, truststore, SSH algorithms):
 *   ncd_ssh_module_private() names them, and the daemon leaves them out of
 *   what it lists itself (YANG 1.1 capabilities in <hello>,
 *   /netconf-state, <get-schema>). libnetconf2 still lists the one YANG 1.0
 *   module among them, iana-crypt-hash (typedefs only), in <hello>.
 *
 * These functions are interposed like those of ncd_intercept.c: this
 * executable's definitions come first, and each calls libssh's.
 */

#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libssh/server.h>
#include <nc_server.h>

#include "ncd.h"

#define NCD_ENDPOINT "default"
#define NCD_USERS_POLL_MS 200

#define SERVER "/ietf-netconf-server:netconf-server/listen"
#define SSH_PARAMS                                                             \
	SERVER "/endpoints/endpoint[name='" NCD_ENDPOINT                       \
	       "']/ssh/ssh-server-parameters"
#define CLIENT_AUTH SSH_PARAMS "/client-authentication"

/* The server's configuration: its context, the part that does not change
 * (endpoint, host key, timeouts) and what is applied. */
static struct ly_ctx *cfg_ctx;
static struct lyd_node *cfg_base, *cfg_applied;

/* The modules ncd_ssh_prepare_ctx() implemented in ncd_ctx */
static const struct lys_module **private_modules;
static size_t private_count;

static pthread_t watcher;
static bool watching;
static volatile bool watch_stop;

typedef int (*reply_default_fn)(ssh_message);
typedef int (*reply_success_fn)(ssh_message, int);
typedef int (*bind_accept_fd_fn)(ssh_bind, ssh_session, socket_t);
static reply_default_fn real_reply_default;
static reply_success_fn real_reply_success;
static bind_accept_fd_fn real_bind_accept_fd;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

/* ------------------------------------------------------------------ */
/* Logins: libssh's functions as libnetconf2 3 calls them */

static void find_real(void)
{
	real_reply_default =
		(reply_default_fn)dlsym(RTLD_NEXT, "ssh_message_reply_default");
	real_reply_success = (reply_success_fn)dlsym(
		RTLD_NEXT, "ssh_message_auth_reply_success");
	real_bind_accept_fd =
		(bind_accept_fd_fn)dlsym(RTLD_NEXT, "ssh_bind_accept_fd");
	if (!real_reply_default || !real_reply_success ||
	    !real_bind_accept_fd) {
		ncd_log(LOG_CRIT, "cannot find libssh's functions");
		exit(1);
	}
}

/*
 * A session's socket is libnetconf2's to close: libnetconf2 3.7 closes it
 * after ssh_free(), which has closed it already. Between the two closes
 * another thread may accept a new client on the same descriptor, which
 * the second close then takes away, and two SSH sessions end up reading
 * one socket: every login fails from then on. As later libnetconf2 does,
 * the socket is given to libssh as SSH_OPTIONS_FD too, which libssh does
 * not close.
 */
int ssh_bind_accept_fd(ssh_bind bind, ssh_session session, socket_t fd)
{
	int ret;

	pthread_once(&real_once, find_real);
	ret = real_bind_accept_fd(bind, session, fd);
	if (ret == SSH_OK)
		ssh_options_set(session, SSH_OPTIONS_FD, &fd);
	return ret;
}

static const char *refused_what(ssh_message msg)
{
	if (ssh_message_type(msg) != SSH_REQUEST_AUTH)
		return NULL;
	switch (ssh_message_subtype(msg)) {
	case SSH_AUTH_METHOD_PUBLICKEY:
		return "public key";
	case SSH_AUTH_METHOD_PASSWORD:
		return "password login";
	case SSH_AUTH_METHOD_INTERACTIVE:
		return "keyboard-interactive login";
	default:
		/* "none", which every client tries first, as before */
		return NULL;
	}
}

/*
 * libnetconf2 refuses every attempt with this: log it. Attempts are not
 * counted: libnetconf2 3 has no limit (2 had 3 a connection), a client may
 * go on until the authentication timeout, which is hello-timeout.
 */
int ssh_message_reply_default(ssh_message msg)
{
	const char *what;
	char host[64];

	pthread_once(&real_once, find_real);
	what = refused_what(msg);
	if (what)
		ncd_auth_log_refused(
			ssh_message_auth_user(msg),
			ncd_intercept_handshake_peer(host, sizeof(host)), what);
	return real_reply_default(msg);
}

/*
 * The key of a public-key request. libssh deprecates its message API for
 * its callbacks, which libnetconf2 3 does not use: the message is all
 * there is here, and libnetconf2 reads the key the same way.
 */
static ssh_key offered_key(ssh_message msg)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	return ssh_message_auth_pubkey(msg);
#pragma GCC diagnostic pop
}

/*
 * libnetconf2 found the key in its data: the user's file has the last
 * word, as it is read now. Anything but a public key is refused too (none
 * is configured). Refused here, libnetconf2 takes the user for logged in
 * while the client does not: libssh opens no channel before a real
 * success, and libnetconf2 drops the connection when waiting for one
 * times out (10 s).
 */
int ssh_message_auth_reply_success(ssh_message msg, int partial)
{
	pthread_once(&real_once, find_real);
	if (!partial && ssh_message_type(msg) == SSH_REQUEST_AUTH &&
	    ssh_message_subtype(msg) == SSH_AUTH_METHOD_PUBLICKEY &&
	    ncd_auth_user_has_key(ssh_message_auth_user(msg), offered_key(msg)))
		return real_reply_success(msg, partial);
	return ssh_message_reply_default(msg);
}

/* ------------------------------------------------------------------ */
/* The sessions' context */

bool ncd_ssh_module_private(const struct lys_module *module)
{
	for (size_t i = 0; i < private_count; i++)
		if (private_modules[i] == module)
			return true;
	return false;
}

static bool implemented_before(const struct lys_module *module,
			       const struct ly_set *before)
{
	for (uint32_t i = 0; i < before->count; i++)
		if (before->objs[i] == module)
			return true;
	return false;
}

bool ncd_ssh_prepare_ctx(struct ly_ctx *ctx, char *err, size_t errlen)
{
	static const char *features[] = {"local-users-supported", NULL};
	const struct lys_module *ssh, *module;
	struct ly_set *before = NULL;
	char path[PATH_MAX];
	const char *dir;
	uint32_t index = 0;
	bool ok = false;

	if (!cfg_ctx && nc_server_config_load_modules(&cfg_ctx)) {
		snprintf(
			err, errlen,
			"cannot load libnetconf2's server configuration modules");
		return false;
	}
	ssh = ly_ctx_get_module_implemented(cfg_ctx, "ietf-ssh-server");
	if (!ssh || !ssh->filepath || ly_set_new(&before)) {
		snprintf(err, errlen, "cannot find libnetconf2's YANG modules");
		ly_set_free(before, NULL);
		return false;
	}
	while ((module = ly_ctx_get_module_iter(ctx, &index)))
		if (module->implemented)
			ly_set_add(before, (void *)module, 1, NULL);

	/* from where libnetconf2 has it */
	snprintf(path, sizeof(path), "%s", ssh->filepath);
	dir = dirname(path);
	ly_ctx_set_searchdir(ctx, dir);
	module = ly_ctx_load_module(ctx, "ietf-ssh-server", ssh->revision,
				    features);
	ly_ctx_unset_searchdir(ctx, dir);
	if (!module)
		snprintf(err, errlen, "cannot load YANG module %s: %s",
			 "ietf-ssh-server", ly_errmsg(ctx));
	else if (lys_feature_value(module, "local-users-supported"))
		snprintf(
			err, errlen,
			"ietf-ssh-server lacks local-users-supported: logins would be the system's");
	else
		ok = true;

	index = 0;
	while (ok && (module = ly_ctx_get_module_iter(ctx, &index))) {
		const struct lys_module **more;

		if (!module->implemented || implemented_before(module, before))
			continue;
		more = realloc(private_modules,
			       (private_count + 1) * sizeof(*more));
		if (!more) {
			snprintf(err, errlen, "out of memory");
			ok = false;
			break;
		}
		private_modules = more;
		private_modules[private_count++] = module;
	}
	ly_set_free(before, NULL);
	return ok;
}

/* ------------------------------------------------------------------ */
/* The configuration data */

/* Endpoint, host key and timeouts */
static struct lyd_node *build_base(void)
{
	struct lyd_node *base = NULL;
	ssh_key key = NULL;
	char value[16], *pub = NULL;
	LY_ERR err;

	if (nc_server_config_add_address_port(cfg_ctx, NCD_ENDPOINT, NC_TI_SSH,
					      ncd_cfg.address, ncd_cfg.port,
					      &base) ||
	    nc_server_config_add_ssh_hostkey(cfg_ctx, NCD_ENDPOINT, "host-key",
					     ncd_cfg.host_key, NULL, &base)) {
		lyd_free_all(base);
		return NULL;
	}
	/* libnetconf2 3.7 derives a wrong public key from some private keys;
	 * it is not used to serve SSH, but let the data be right */
	if (ssh_pki_import_privkey_file(ncd_cfg.host_key, NULL, NULL, NULL,
					&key) == SSH_OK &&
	    ssh_pki_export_pubkey_base64(key, &pub) == SSH_OK)
		lyd_new_path(
			base, cfg_ctx,
			SSH_PARAMS
			"/server-identity/host-key[name='host-key']/public-key/inline-definition/public-key",
			pub, LYD_NEW_PATH_UPDATE, NULL);
	ssh_string_free_char(pub);
	ssh_key_free(key);

	/*
	 * hello-timeout covers the authentication; libnetconf2 3 has no
	 * setting for the <hello>, nor for the key exchange (a fixed 10 s):
	 * ncd_intercept.c's deadline on the accepting thread bounds both.
	 */
	snprintf(value, sizeof(value), "%u", ncd_cfg.hello_timeout);
	err = lyd_new_path(base, cfg_ctx,
			   CLIENT_AUTH
			   "/libnetconf2-netconf-server:auth-timeout",
			   value, LYD_NEW_PATH_UPDATE, NULL);
	snprintf(value, sizeof(value), "%u", ncd_cfg.idle_timeout);
	if (!err)
		err = lyd_new_path(base, cfg_ctx, SERVER "/idle-timeout", value,
				   LYD_NEW_PATH_UPDATE, NULL);
	if (err) {
		lyd_free_all(base);
		return NULL;
	}
	return base;
}

struct users_build {
	struct lyd_node *tree;
	char user[64];
	unsigned int keys, users;
	LY_ERR err;
};

static void add_key(const char *user, const char *type, const char *base64,
		    void *arg)
{
	struct users_build *b = arg;
	char path[512];
	int n;

	if (b->err)
		return;
	if (strcmp(b->user, user)) {
		snprintf(b->user, sizeof(b->user), "%s", user);
		b->keys = 0;
		b->users++;
	}
	n = snprintf(
		path, sizeof(path),
		CLIENT_AUTH
		"/users/user[name='%s']/public-keys/inline-definition/public-key[name='key%u']",
		user, b->keys++);
	if (n < 0 || (size_t)n + 32 > sizeof(path)) {
		b->err = LY_EINVAL;
		return;
	}
	strcat(path, "/public-key-format");
	b->err = lyd_new_path(b->tree, cfg_ctx, path,
			      "ietf-crypto-types:ssh-public-key-format",
			      LYD_NEW_PATH_UPDATE, NULL);
	path[n] = '\0';
	strcat(path, "/public-key");
	if (!b->err)
		b->err = lyd_new_path(b->tree, cfg_ctx, path, base64,
				      LYD_NEW_PATH_UPDATE, NULL);
}

/* The whole configuration with the users as their files are now. */
static struct lyd_node *build_config(unsigned int *users)
{
	struct users_build b = {};

	if (lyd_dup_siblings(cfg_base, NULL, LYD_DUP_RECURSIVE, &b.tree))
		return NULL;
	ncd_auth_for_each_key(add_key, &b);
	if (!b.err)
		b.err = lyd_validate_all(&b.tree, cfg_ctx,
					 LYD_VALIDATE_NO_STATE, NULL);
	if (b.err) {
		ncd_log(LOG_ERR, "users: cannot configure the SSH server: %s",
			ly_errmsg(cfg_ctx));
		lyd_free_all(b.tree);
		return NULL;
	}
	*users = b.users;
	return b.tree;
}

/* ------------------------------------------------------------------ */
/* Following the users directory */

static uint64_t hash_add(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t hash_stat(uint64_t h, const struct stat *st)
{
	h = hash_add(h, &st->st_ino, sizeof(st->st_ino));
	h = hash_add(h, &st->st_size, sizeof(st->st_size));
	h = hash_add(h, &st->st_mtim, sizeof(st->st_mtim));
	return hash_add(h, &st->st_ctim, sizeof(st->st_ctim));
}

/* Changes when a file of users/ (or the directory) does. */
static uint64_t users_signature(void)
{
	char path[PATH_MAX * 2];
	uint64_t sig = 0xcbf29ce484222325ULL, entries = 0;
	struct dirent *entry;
	struct stat st;
	DIR *dir;

	if (stat(ncd_cfg.users_dir, &st) < 0)
		return 0;
	sig = hash_stat(sig, &st);
	dir = opendir(ncd_cfg.users_dir);
	if (!dir)
		return sig;
	while ((entry = readdir(dir))) {
		uint64_t h = 0xcbf29ce484222325ULL;

		snprintf(path, sizeof(path), "%s/%s", ncd_cfg.users_dir,
			 entry->d_name);
		h = hash_add(h, entry->d_name, strlen(entry->d_name));
		if (!lstat(path, &st))
			h = hash_stat(h, &st);
		entries ^= h; /* in any order */
	}
	closedir(dir);
	return hash_add(sig, &entries, sizeof(entries));
}

static void reload_users(void)
{
	struct lyd_node *next, *diff = NULL;
	unsigned int users;

	ncd_debug("users: %s changed, reading the keys again",
		  ncd_cfg.users_dir);
	next = build_config(&users);
	if (!next)
		return;
	if (lyd_diff_siblings(cfg_applied, next, 0, &diff)) {
		lyd_free_all(next);
		return;
	}
	/* takes libnetconf2's configuration lock, which each login in
	 * progress holds, for reading, until it is in or refused */
	if (diff && nc_server_config_setup_diff(diff)) {
		ncd_log(LOG_ERR,
			"users: libnetconf2 did not take the new keys: logins follow the old ones");
		lyd_free_all(next);
	} else {
		if (diff)
			ncd_log(LOG_INFO, "users: %u with keys", users);
		lyd_free_all(cfg_applied);
		cfg_applied = next;
	}
	lyd_free_all(diff);
}

/* The signature of users/ as it was before its files were last read. */
static uint64_t users_seen;

static void *watch_users(void *arg)
{
	struct timespec pause = {0, NCD_USERS_POLL_MS * 1000000L};
	uint64_t now;

	while (!watch_stop) {
		nanosleep(&pause, NULL);
		now = users_signature();
		if (now != users_seen) {
			users_seen = now;
			reload_users();
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------ */

bool ncd_ssh_start(char *err, size_t errlen)
{
	unsigned int users;

	pthread_once(&real_once, find_real);
	cfg_base = build_base();
	if (!cfg_base) {
		snprintf(err, errlen,
			 "cannot configure the SSH server (host key %s): %s",
			 ncd_cfg.host_key, ly_errmsg(cfg_ctx));
		return false;
	}
	users_seen = users_signature();
	cfg_applied = build_config(&users);
	if (!cfg_applied || nc_server_config_setup_data(cfg_applied)) {
		snprintf(err, errlen, "cannot listen on %s port %u",
			 ncd_cfg.address, ncd_cfg.port);
		return false;
	}
	ncd_debug("users: %u with keys", users);
	watching = !pthread_create(&watcher, NULL, watch_users, NULL);
	if (!watching) {
		snprintf(err, errlen, "cannot start the users' thread");
		return false;
	}
	return true;
}

void ncd_ssh_stop(void)
{
	if (watching) {
		watch_stop = true;
		pthread_join(watcher, NULL);
		watching = false;
	}
	lyd_free_all(cfg_applied);
	lyd_free_all(cfg_base);
	cfg_applied = cfg_base = NULL;
}
