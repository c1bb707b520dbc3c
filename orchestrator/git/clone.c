/*
 * git/clone: one branch of a repository into an empty directory, for the migration task.
 *
 * Not git_clone(): that fetches every branch and then checks one out. Here the remote is
 * connected once, its advertised refs are listed (so an unknown branch is reported with
 * the branches that do exist, before anything is downloaded), and only
 * refs/heads/<branch> is fetched. With libgit2 1.7 or later the fetch is also shallow
 * (depth 1): `make deps` takes libgit2 1.8 from Debian's bookworm-backports; bookworm
 * itself ships 1.5, which cannot fetch shallowly, so a build against it clones that one
 * branch's history and nothing else. A repository on this machine (a path or a file://
 * URL) is not fetched at all: libgit2's local transport would pack every ref whatever
 * was asked, so the branch's tree is checked out straight from it (clone_local).
 *
 * Credentials we are given go through libgit2's credential callback, never into the URL:
 * an HTTPS token is sent as x-access-token:<token> (what GitHub expects of app and
 * fine-grained tokens), an SSH deploy key is handed to libssh2 from memory and never
 * written to disk. A credential the server refuses is not offered twice. TLS is verified
 * against the system CA bundle and an untrusted certificate stops the clone before any
 * credential is sent.
 *
 * SSH host keys are checked in the certificate callback against one known_hosts file
 * (the image ships github.com's keys), with libssh2's own known_hosts reader: hashed
 * names and [host]:port entries work as in OpenSSH. A host that is missing from the file
 * or presents a different key is refused; there is no trust-on-first-use.
 */
#include <curl/curl.h>
#include <errno.h>
#include "git/git2.h"
#include <libssh2.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "git/gitops.h"

#if LIBGIT2_VER_MAJOR > 1 || (LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR >= 8)
#endif

#if LIBGIT2_VER_MAJOR > 1 || (LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR >= 7)
#define CLONE_CAN_SHALLOW 1
#else
#define CLONE_CAN_SHALLOW 0
#endif
/* libgit2 1.7 and 1.8 send a malformed request when depth is set over libssh2 (upload-pack
 * answers "expected SHA1 list"; libgit2 issue 6889, fixed in 1.9): SSH fetches the one
 * branch in full there. */
#if LIBGIT2_VER_MAJOR > 1 || (LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR >= 9)
#define CLONE_CAN_SHALLOW_SSH 1
#else
#define CLONE_CAN_SHALLOW_SSH 0
#endif

/* Why a callback stopped the transfer; libgit2's own message is vaguer. */
enum clone_refusal {
	REFUSED_NONE,
	REFUSED_NO_CREDENTIALS,
	REFUSED_CREDENTIALS,
	REFUSED_HOSTKEY_UNKNOWN,
	REFUSED_HOSTKEY_MISMATCH,
	REFUSED_HOSTKEY_NO_FILE,
	REFUSED_TLS,
};

struct clone_ctx {
	const gitops_clone_auth *auth;
	int cred_calls;
	int port; /* of an ssh:// URL: known_hosts names non-22 ports [host]:port */
	enum clone_refusal refusal;
	char host[256];
	char fingerprint[64];
};

static int on_credentials(git_credential **out, const char *url, const char *username_from_url,
                          unsigned int allowed, void *payload)
{
	struct clone_ctx *ctx = payload;
	const gitops_clone_auth *a = ctx->auth;
	(void)url;

	if (allowed & GIT_CREDENTIAL_USERNAME) {
		/* libssh2 asks for the user name first when the URL has none. */
		return git_credential_username_new(out,
		                                   username_from_url ? username_from_url : "git");
	}
	/* A second request means the server refused what we sent: stop instead of looping. */
	if (ctx->cred_calls++ > 0) {
		ctx->refusal = REFUSED_CREDENTIALS;
		git_error_set_str(GIT_ERROR_NET, "credentials refused");
		return GIT_EAUTH;
	}
	if ((allowed & GIT_CREDENTIAL_SSH_KEY) && a && a->ssh_key) {
		return git_credential_ssh_key_memory_new(
		    out, username_from_url ? username_from_url : "git", NULL, a->ssh_key,
		    a->ssh_key_passphrase ? a->ssh_key_passphrase : "");
	}
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && a && a->token) {
		return git_credential_userpass_plaintext_new(out, "x-access-token", a->token);
	}
	ctx->refusal = REFUSED_NO_CREDENTIALS;
	git_error_set_str(GIT_ERROR_NET, "no credentials to offer");
	return GIT_EAUTH;
}

static int hostkey_typemask(git_cert_ssh_raw_type_t t)
{
	switch (t) {
	case GIT_CERT_SSH_RAW_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case GIT_CERT_SSH_RAW_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	case GIT_CERT_SSH_RAW_TYPE_KEY_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
	default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
	}
}

/* "SHA256:<base64 without padding>", the form ssh-keygen -lf and GitHub's docs print. */
static void hostkey_fingerprint(const git_cert_hostkey *hk, char *out, size_t n)
{
	unsigned char b64[64];
	if (!(hk->type & GIT_CERT_SSH_SHA256)) {
		snprintf(out, n, "(no SHA-256 fingerprint)");
		return;
	}
	int len = EVP_EncodeBlock(b64, hk->hash_sha256, 32);
	while (len > 0 && b64[len - 1] == '=')
		len--;
	snprintf(out, n, "SHA256:%.*s", len, (const char *)b64);
}

/* Looks the presented key up in known_hosts; fills ctx->refusal when it is not there. */
static int check_hostkey(struct clone_ctx *ctx, const git_cert_hostkey *hk, const char *host)
{
	const char *file = ctx->auth ? ctx->auth->known_hosts : NULL;
	snprintf(ctx->host, sizeof ctx->host, "%s", host);
	hostkey_fingerprint(hk, ctx->fingerprint, sizeof ctx->fingerprint);
	if (!file || !*file) {
		ctx->refusal = REFUSED_HOSTKEY_NO_FILE;
		return -1;
	}
	if (!(hk->type & GIT_CERT_SSH_RAW)) {
		ctx->refusal = REFUSED_HOSTKEY_UNKNOWN;
		return -1;
	}
	/* knownhost needs a session only as an allocator context; it is never connected. */
	LIBSSH2_SESSION *s = libssh2_session_init();
	LIBSSH2_KNOWNHOSTS *kh = s ? libssh2_knownhost_init(s) : NULL;
	int rc = -1;
	if (!kh || libssh2_knownhost_readfile(kh, file, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
		ctx->refusal = REFUSED_HOSTKEY_NO_FILE;
	} else {
		int check = libssh2_knownhost_checkp(
		    kh, host, ctx->port, hk->hostkey, hk->hostkey_len,
		    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
		        hostkey_typemask(hk->raw_type),
		    NULL);
		if (check == LIBSSH2_KNOWNHOST_CHECK_MATCH)
			rc = 0;
		else if (check == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
			ctx->refusal = REFUSED_HOSTKEY_MISMATCH;
		else
			ctx->refusal = REFUSED_HOSTKEY_UNKNOWN;
	}
	if (kh)
		libssh2_knownhost_free(kh);
	if (s)
		libssh2_session_free(s);
	return rc;
}

static int on_certificate(git_cert *cert, int valid, const char *host, void *payload)
{
	struct clone_ctx *ctx = payload;
	if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) {
		/* TLS: libgit2 verified chain and name against the CA bundle; keep its verdict. */
		if (valid)
			return 0;
		ctx->refusal = REFUSED_TLS;
		snprintf(ctx->host, sizeof ctx->host, "%s", host);
		git_error_set_str(GIT_ERROR_SSL, "certificate not trusted");
		return GIT_ECERTIFICATE;
	}
	/* For SSH, `valid` reflects ~/.ssh/known_hosts; the file we were given is what counts. */
	if (check_hostkey(ctx, (const git_cert_hostkey *)cert, host) == 0)
		return 0;
	git_error_set_str(GIT_ERROR_SSH, "host key refused");
	return GIT_ECERTIFICATE;
}

/* The port of an ssh:// URL (known_hosts keys non-22 ports as [host]:port); 22 otherwise. */
static int url_port(const char *url)
{
	int port = 22;
	if (strncmp(url, "ssh://", 6) != 0)
		return port;
	CURLU *u = curl_url();
	char *p = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &p, 0) == CURLUE_OK && p)
		port = atoi(p);
	curl_free(p);
	curl_url_cleanup(u);
	return port;
}

int gitops_url_is_ssh(const char *url)
{
	if (strncmp(url, "ssh://", 6) == 0 || strncmp(url, "git+ssh://", 10) == 0)
		return 1;
	const char *colon = strchr(url, ':'), *slash = strchr(url, '/');
	return colon && !strstr(url, "://") && (!slash || colon < slash);
}

/* The URL as it may be printed: user info (a token someone put there) dropped. */
static char *url_printable(const char *url)
{
	CURLU *u = curl_url();
	char *out = NULL;
	if (u && strstr(url, "://") &&
	    curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
		curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
		char *s = NULL;
		if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK && s) {
			out = xstrdup(s);
			curl_free(s);
		}
	}
	curl_url_cleanup(u);
	return out ? out : xstrdup(url);
}

/* Debian's libgit2 does TLS with mbedTLS, which has no default trust store: point it at
 * the system bundle (SSL_CERT_FILE first, as OpenSSL-based tools honour it). */
static void set_ca_bundle(void)
{
	const char *bundles[] = {getenv("SSL_CERT_FILE"), "/etc/ssl/certs/ca-certificates.crt",
	                         "/etc/pki/tls/certs/ca-bundle.crt"};
	for (size_t i = 0; i < sizeof bundles / sizeof *bundles; i++) {
		if (bundles[i] && *bundles[i] && fs_exists(bundles[i])) {
			git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, bundles[i], NULL);
			return;
		}
	}
}

/* How many commits the clone holds from tip back: 1 when the fetch was shallow. Counted
 * for the verbose line, so that it states what was fetched rather than what was asked. */
static size_t commits_in(git_repository *repo, const git_commit *tip)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	size_t n = 0;
	if (git_revwalk_new(&walk, repo) == 0 && git_revwalk_push(walk, git_commit_id(tip)) == 0)
		while (git_revwalk_next(&oid, walk) == 0)
			n++;
	git_revwalk_free(walk);
	return n;
}

static const char *git_msg(void)
{
	const git_error *ge = git_error_last();
	return ge && ge->message ? ge->message : "unknown libgit2 error";
}

/* Turns a failed libgit2 call into the one-line error, using what the callbacks saw. */
static int clone_error(const struct clone_ctx *ctx, const char *url, const char *what, err *e)
{
	const char *kh = ctx->auth && ctx->auth->known_hosts ? ctx->auth->known_hosts : "(none)";
	switch (ctx->refusal) {
	case REFUSED_NO_CREDENTIALS:
		return err_set(e, ORC_EREMOTE,
		               "%s: the repository asks for credentials and none were given "
		               "(set REPOSITORY_TOKEN_SECRET for HTTPS or "
		               "REPOSITORY_DEPLOY_KEY_SECRET for SSH)",
		               url);
	case REFUSED_CREDENTIALS:
		return err_set(e, ORC_EREMOTE,
		               "%s: the repository refused the %s (check that it is current and "
		               "has read access to the repository)",
		               url, ctx->auth && ctx->auth->ssh_key ? "deploy key" : "token");
	case REFUSED_HOSTKEY_MISMATCH:
		return err_set(
		    e, ORC_EREMOTE,
		    "%s: SSH host key %s of %s does not match known_hosts %s: refused "
		    "(if the server's key really changed, verify the new key out of band "
		    "and update that file)",
		    url, ctx->fingerprint, ctx->host, kh);
	case REFUSED_HOSTKEY_UNKNOWN:
		return err_set(
		    e, ORC_EREMOTE,
		    "%s: SSH host %s (key %s) is not in known_hosts %s: refused (add its "
		    "key, verified out of band, to that file or set "
		    "REPOSITORY_KNOWN_HOSTS)",
		    url, ctx->host, ctx->fingerprint, kh);
	case REFUSED_HOSTKEY_NO_FILE:
		return err_set(
		    e, ORC_EUSAGE,
		    "%s: cannot read known_hosts %s to check the SSH host key (ship it in "
		    "the image or set REPOSITORY_KNOWN_HOSTS)",
		    url, kh);
	case REFUSED_TLS:
		return err_set(
		    e, ORC_EREMOTE,
		    "%s: the TLS certificate of %s is not trusted: refused, nothing sent "
		    "(check the CA certificates: SSL_CERT_FILE, "
		    "/etc/ssl/certs/ca-certificates.crt)",
		    url, ctx->host);
	case REFUSED_NONE: break;
	}
	const git_error *ge = git_error_last();
	/* A server that cannot be reached is a failure worth retrying; anything it answered
	 * (not found, not a repository, authentication) is the remote refusing us. */
	int code = ge && ge->klass == GIT_ERROR_OS ? ORC_EFAIL : ORC_EREMOTE;
	return err_set(e, code, "%s: %s: %s", url, what, git_msg());
}

/*
 * The local path a URL names, or NULL for a remote URL. "file://" URLs are decoded with
 * libcurl's URL API; a string with no scheme that is not scp-like (user@host:path) and
 * names an existing directory is a path, as git takes it.
 */
static char *local_path(const char *url)
{
	if (strncmp(url, "file://", 7) == 0) {
		CURLU *u = curl_url();
		char *p = NULL, *out = NULL;
		if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		    curl_url_get(u, CURLUPART_PATH, &p, CURLU_URLDECODE) == CURLUE_OK && p)
			out = xstrdup(p);
		curl_free(p);
		curl_url_cleanup(u);
		return out;
	}
	if (strstr(url, "://") || gitops_url_is_ssh(url))
		return NULL;
	return fs_is_dir(url) ? xstrdup(url) : NULL;
}

/* Up to ten branch names of repo, comma-separated, for the "not found" message. */
static size_t local_branch_names(git_repository *repo, buf *names)
{
	git_branch_iterator *it = NULL;
	git_reference *r = NULL;
	git_branch_t type;
	size_t n = 0;
	if (git_branch_iterator_new(&it, repo, GIT_BRANCH_LOCAL) < 0)
		return 0;
	while (git_branch_next(&r, &type, it) == 0) {
		if (n++ < 10)
			buf_printf(names, "%s%s", n > 1 ? ", " : "", git_reference_shorthand(r));
		git_reference_free(r);
	}
	git_branch_iterator_free(it);
	return n;
}

/*
 * The fast path for a repository on this machine: the branch's tree is checked out from
 * the source repository straight into dir. libgit2's local transport would build a pack of
 * every ref (every branch's history and blobs) to copy it into a new repository only to
 * check one tree out of it; here only the files of that one tree are read. The checks are
 * the clone's: a valid branch that exists (else the branches that do), its SHA returned.
 * dir is a plain directory afterwards (no .git): the task only reads its files.
 */
static int clone_local(const char *path, const char *shown, const char *branch, const char *dir,
                       buf *sha, err *e)
{
	git_repository *repo = NULL;
	git_reference *ref = NULL;
	git_commit *commit = NULL;
	buf name = BUF_INIT, names = BUF_INIT;
	int rc = 0;

	buf_printf(&name, "refs/heads/%s", branch);
	if (!fs_exists(path)) {
		rc = err_set(e, ORC_EREMOTE,
		             "%s: no such repository on this machine (check the URL)", shown);
		goto out;
	}
	if (git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		rc = err_set(e, ORC_EREMOTE, "%s: not a git repository: %s", shown, git_msg());
		goto out;
	}
	int lookup = git_reference_lookup(&ref, repo, buf_cstr(&name));
	if (lookup == GIT_ENOTFOUND) {
		size_t n = local_branch_names(repo, &names);
		rc = err_set(e, ORC_EREMOTE,
		             "%s: branch '%s' not found (the repository has: %s%s; check "
		             "--git-branch)",
		             shown, branch, n ? buf_cstr(&names) : "no branches",
		             n > 10 ? ", ..." : "");
		goto out;
	}
	if (lookup < 0 || git_reference_peel((git_object **)&commit, ref, GIT_OBJECT_COMMIT) < 0) {
		rc = err_set(e, ORC_EREMOTE, "%s: cannot read branch '%s': %s", shown, branch,
		             git_msg());
		goto out;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		rc = err_set(e, ORC_EFAIL, "%s: cannot create: %s", dir, strerror(errno));
		goto out;
	}
	git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
	/* Into dir only: the source's index and work tree are neither read nor written. */
	co.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX;
	co.target_directory = dir;
	if (git_checkout_tree(repo, (const git_object *)commit, &co) < 0) {
		rc = err_set(e, ORC_EFAIL, "%s: cannot check out branch '%s' into %s: %s", shown,
		             branch, dir, git_msg());
		goto out;
	}
	if (sha) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, git_commit_id(commit));
		buf_puts(sha, hex);
	}
	log_verbose("checked out %s branch %s into %s (local repository: no fetch)", shown, branch,
	            dir);
out:
	git_commit_free(commit);
	git_reference_free(ref);
	git_repository_free(repo);
	buf_free(&name);
	buf_free(&names);
	return rc;
}

int gitops_clone_branch(const char *url, const char *branch, const char *dir,
                        const gitops_clone_auth *auth, buf *sha, err *e)
{
	buf ref = BUF_INIT, spec = BUF_INIT, names = BUF_INIT;
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_reference *tip = NULL, *local = NULL;
	git_commit *commit = NULL;
	struct clone_ctx ctx = {.auth = auth, .port = url_port(url)};
	char *shown = url_printable(url);
	int rc = 0;

	git_libgit2_init();
	set_ca_bundle();
	buf_printf(&ref, "refs/heads/%s", branch);
	int valid = 0;
	if (!*branch || git_reference_name_is_valid(&valid, buf_cstr(&ref)) < 0 || !valid) {
		rc = err_set(e, ORC_EUSAGE, "--git-branch '%s': not a valid branch name", branch);
		goto out;
	}
	char *path = local_path(url);
	if (path) {
		rc = clone_local(path, shown, branch, dir, sha, e);
		free(path);
		goto out;
	}
	buf_printf(&spec, "+refs/heads/%s:refs/remotes/origin/%s", branch, branch);
	if (git_repository_init(&repo, dir, 0) < 0) {
		rc = err_set(e, ORC_EFAIL, "%s: cannot create a repository: %s", dir, git_msg());
		goto out;
	}
	if (git_remote_create_with_fetchspec(&remote, repo, "origin", url, buf_cstr(&spec)) < 0) {
		rc =
		    err_set(e, ORC_EUSAGE, "%s: not a usable repository URL: %s", shown, git_msg());
		goto out;
	}

	git_remote_callbacks cb = GIT_REMOTE_CALLBACKS_INIT;
	cb.credentials = on_credentials;
	cb.certificate_check = on_certificate;
	cb.payload = &ctx;
	if (git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb, NULL, NULL) < 0) {
		rc = clone_error(&ctx, shown, "cannot connect", e);
		goto out;
	}

	/* Is the branch there? Answer before downloading, and name the ones that are. */
	const git_remote_head **heads = NULL;
	size_t nheads = 0, nbranches = 0;
	int found = 0;
	if (git_remote_ls(&heads, &nheads, remote) < 0) {
		rc = clone_error(&ctx, shown, "cannot list branches", e);
		goto out;
	}
	for (size_t i = 0; i < nheads; i++) {
		if (strcmp(heads[i]->name, buf_cstr(&ref)) == 0)
			found = 1;
		if (strncmp(heads[i]->name, "refs/heads/", 11) == 0 && nbranches++ < 10)
			buf_printf(&names, "%s%s", nbranches > 1 ? ", " : "", heads[i]->name + 11);
	}
	if (!found) {
		rc = err_set(e, ORC_EREMOTE,
		             "%s: branch '%s' not found (the repository has: %s%s; check "
		             "--git-branch)",
		             shown, branch, nbranches ? buf_cstr(&names) : "no branches",
		             nbranches > 10 ? ", ..." : "");
		goto out;
	}

	git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
	fo.callbacks = cb;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	int shallow = gitops_url_is_ssh(url) ? CLONE_CAN_SHALLOW_SSH : CLONE_CAN_SHALLOW;
#if CLONE_CAN_SHALLOW
	if (shallow)
		fo.depth = 1;
#endif
	if (git_remote_fetch(remote, NULL, &fo, NULL) < 0) {
		rc = clone_error(&ctx, shown, "cannot fetch", e);
		goto out;
	}

	buf_clear(&spec);
	buf_printf(&spec, "refs/remotes/origin/%s", branch);
	if (git_reference_lookup(&tip, repo, buf_cstr(&spec)) < 0 ||
	    git_commit_lookup(&commit, repo, git_reference_target(tip)) < 0 ||
	    git_branch_create(&local, repo, branch, commit, 0) < 0 ||
	    git_repository_set_head(repo, buf_cstr(&ref)) < 0) {
		rc = err_set(e, ORC_EFAIL, "%s: fetched branch '%s' but cannot set it up: %s",
		             shown, branch, git_msg());
		goto out;
	}
	git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (git_checkout_head(repo, &co) < 0) {
		rc = err_set(e, ORC_EFAIL, "%s: cannot check out branch '%s': %s", dir, branch,
		             git_msg());
		goto out;
	}
	if (sha) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, git_commit_id(commit));
		buf_puts(sha, hex);
	}
	if (log_is_verbose()) {
		size_t n = commits_in(repo, commit);
		log_verbose("cloned %s branch %s into %s: %zu commit%s fetched (%s)", shown, branch,
		            dir, n, n == 1 ? "" : "s",
		            shallow ? "depth 1" : "this libgit2 fetches the branch's history here");
	}
out:
	git_commit_free(commit);
	git_reference_free(local);
	git_reference_free(tip);
	git_remote_free(remote);
	git_repository_free(repo);
	git_libgit2_shutdown();
	buf_free(&ref);
	buf_free(&spec);
	buf_free(&names);
	free(shown);
	return rc;
}
