/*
 * gitops: commit, push and sync on libgit2.
 *
 * A commit is built from HEAD's tree with only the named paths replaced (tree updates,
 * not the whole index), so that a generated file is committed alone even in a work tree
 * with other changes. Pushing reports a ref the remote rejected (someone pushed first)
 * apart from failures, because gitops_publish retries those: sync to the remote tip,
 * regenerate, commit, push again. The sync never loses work: unpushed commits are replayed
 * on the remote's tip in memory (cherry-pick), the work tree follows with a safe checkout,
 * and anything that would need a merge by hand stops it before a ref or file changes. Credentials
 * go through libgit2's callback, tried once: a wrong token fails as authentication instead of
 * looping.
 */
#include "git/gitops.h"

#include <errno.h>
#include "git/git2.h"
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/log.h"
#include "core/progress.h"

static int git_fail(err *e, int code, const char *what)
{
	const git_error *ge = git_error_last();
	return err_set(e, code, "%s: %s", what, ge && ge->message ? ge->message : "unknown error");
}

static void gitops_init(void)
{
	git_libgit2_init();
	static const char *bundles[] = {"/etc/ssl/certs/ca-certificates.crt",
	                                "/etc/pki/tls/certs/ca-bundle.crt"};
	for (size_t i = 0; i < sizeof bundles / sizeof *bundles; i++) {
		if (fs_exists(bundles[i])) {
			git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, bundles[i], NULL);
			break;
		}
	}
}

static int open_repo(const char *dir, git_repository **repo, err *e)
{
	if (git_repository_open_ext(repo, dir, 0, NULL) != 0)
		return git_fail(e, ORC_EUSAGE, dir);
	if (git_repository_is_bare(*repo)) {
		git_repository_free(*repo);
		*repo = NULL;
		return err_set(e, ORC_EUSAGE, "%s: a bare repository has no files to commit", dir);
	}
	return 0;
}

/*
 * .git/index.lock left by a run of ours that was killed while libgit2 held it would make
 * every re-run fail. Before touching the index we write our pid to .git/LOCK_MARK and
 * remove it after; a lock found next to a mark whose process is dead and which is no older
 * than the lock (a lock taken later is someone else's) is ours and removed. Any other lock
 * may belong to a live git: it is never touched.
 */
#define LOCK_MARK "orchestrator-index.pid"

static char *git_file(git_repository *repo, const char *name)
{
	return xasprintf("%s%s", git_repository_path(repo), name); /* the path ends in '/' */
}

static long mark_pid(const char *mark)
{
	long pid = 0;
	FILE *f = fopen(mark, "r");
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

static int dead(long pid)
{
	return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

static int lock_begin(git_repository *repo, err *e)
{
	char *lock = git_file(repo, "index.lock"), *mark = git_file(repo, LOCK_MARK);
	struct stat ls, ms;
	int rc = 0;
	long pid = mark_pid(mark);
	int have_mark = lstat(mark, &ms) == 0;
	if (lstat(lock, &ls) == 0) {
		if (have_mark && dead(pid) && ls.st_mtime + 1 >= ms.st_mtime &&
		    ls.st_mtime <= ms.st_mtime + 60) {
			unlink(lock);
			log_warn("%s: removed the lock a killed run of orchestrator (pid %ld) left",
			         lock, pid);
		} else {
			rc = err_set(
			    e, ORC_EFAIL,
			    "%s exists: a git command is working in this repository (wait for "
			    "it), or one was killed (then remove the file)",
			    lock);
		}
	}
	if (rc == 0) {
		FILE *f = fopen(mark, "w");
		if (f) {
			fprintf(f, "%ld\n", (long)getpid());
			fclose(f);
		}
	}
	free(lock);
	free(mark);
	return rc;
}

static void lock_end(git_repository *repo)
{
	char *mark = git_file(repo, LOCK_MARK);
	if (mark_pid(mark) == (long)getpid())
		unlink(mark);
	free(mark);
}

/* Path of `path` (relative to dir, or absolute) relative to the repository's work tree. */
static char *workdir_relative(git_repository *repo, const char *dir, const char *path, err *e)
{
	char *joined = path[0] == '/' ? xstrdup(path) : fs_join(dir, path);
	char *slash = strrchr(joined, '/');
	char parent[PATH_MAX];
	/* The file itself may not exist (a deletion): resolve its directory. */
	*slash = '\0';
	const char *pdir = joined[0] ? joined : "/";
	if (!realpath(pdir, parent)) {
		err_set(e, ORC_EUSAGE, "%s: directory does not exist", pdir);
		free(joined);
		return NULL;
	}
	char *full = xasprintf("%s/%s", strcmp(parent, "/") ? parent : "", slash + 1);
	free(joined);
	char wd[PATH_MAX];
	if (!realpath(git_repository_workdir(repo), wd)) {
		err_set(e, ORC_EFAIL, "%s: cannot resolve the work tree",
		        git_repository_workdir(repo));
		free(full);
		return NULL;
	}
	size_t n = strlen(wd);
	if (strncmp(full, wd, n) != 0 || full[n] != '/') {
		err_set(e, ORC_EUSAGE, "%s: outside the repository's work tree %s", full, wd);
		free(full);
		return NULL;
	}
	char *rel = xstrdup(full + n + 1);
	free(full);
	return rel;
}

int gitops_commit_paths(const char *repo_dir, const char *const *paths, size_t npaths,
                        const char *message, const char *name, const char *email, int *committed,
                        buf *sha, err *e)
{
	gitops_init();
	*committed = 0;
	git_repository *repo = NULL;
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_index *index = NULL;
	git_signature *sig = NULL;
	git_tree_update *updates = xcalloc(npaths, sizeof *updates);
	char *skip = xcalloc(npaths, 1); /* absent before and after: nothing to commit */
	char **rels = xcalloc(npaths, sizeof *rels);
	int locked = 0;
	int rc = open_repo(repo_dir, &repo, e);
	if (rc || (rc = lock_begin(repo, e)))
		goto out;
	locked = 1;

	git_oid head_oid;
	int unborn = git_reference_name_to_id(&head_oid, repo, "HEAD") != 0;
	if (!unborn) {
		if (git_commit_lookup(&parent, repo, &head_oid) || git_commit_tree(&base, parent)) {
			rc = git_fail(e, ORC_EFAIL, "HEAD");
			goto out;
		}
	}
	if (git_repository_index(&index, repo)) {
		rc = git_fail(e, ORC_EFAIL, "index");
		goto out;
	}
	const char *wd = git_repository_workdir(repo);
	for (size_t i = 0; i < npaths; i++) {
		rels[i] = workdir_relative(repo, repo_dir, paths[i], e);
		if (!rels[i]) {
			rc = e->code;
			goto out;
		}
		char *abs = fs_join(wd, rels[i]);
		struct stat st;
		updates[i].path = rels[i];
		if (lstat(abs, &st) != 0) {
			updates[i].action = GIT_TREE_UPDATE_REMOVE;
			git_tree_entry *te = NULL;
			skip[i] = !base || git_tree_entry_bypath(&te, base, rels[i]) != 0;
			git_tree_entry_free(te);
			if (!skip[i])
				git_index_remove_bypath(index, rels[i]);
		} else {
			updates[i].action = GIT_TREE_UPDATE_UPSERT;
			updates[i].filemode = (st.st_mode & S_IXUSR) ? GIT_FILEMODE_BLOB_EXECUTABLE
			                                             : GIT_FILEMODE_BLOB;
			if (git_blob_create_from_workdir(&updates[i].id, repo, rels[i]) ||
			    git_index_add_bypath(index, rels[i])) {
				free(abs);
				rc = git_fail(e, ORC_EFAIL, rels[i]);
				goto out;
			}
		}
		free(abs);
	}
	/* Drop the no-op removals so the update list holds only real changes. */
	size_t nupd = 0;
	for (size_t i = 0; i < npaths; i++)
		if (!skip[i])
			updates[nupd++] = updates[i];

	git_oid tree_oid;
	if (base) {
		if (git_tree_create_updated(&tree_oid, repo, base, nupd, updates)) {
			rc = git_fail(e, ORC_EFAIL, "building the commit tree");
			goto out;
		}
	} else {
		/* Unborn branch: the tree is just these files. */
		git_treebuilder *tb = NULL;
		git_tree *empty = NULL;
		if (git_treebuilder_new(&tb, repo, NULL) || git_treebuilder_write(&tree_oid, tb) ||
		    git_tree_lookup(&empty, repo, &tree_oid) ||
		    git_tree_create_updated(&tree_oid, repo, empty, nupd, updates)) {
			git_treebuilder_free(tb);
			git_tree_free(empty);
			rc = git_fail(e, ORC_EFAIL, "building the first commit's tree");
			goto out;
		}
		git_treebuilder_free(tb);
		git_tree_free(empty);
	}
	if (git_index_write(index)) {
		rc = git_fail(e, ORC_EFAIL, "writing the index");
		goto out;
	}
	if (base && git_oid_equal(&tree_oid, git_tree_id(base))) {
		rc = 0; /* unchanged: no commit */
		goto out;
	}
	git_oid commit_oid;
	if (git_tree_lookup(&tree, repo, &tree_oid) || git_signature_now(&sig, name, email)) {
		rc = git_fail(e, ORC_EUSAGE, "commit identity or tree");
		goto out;
	}
	const git_commit *parents[1] = {parent};
	if (git_commit_create(&commit_oid, repo, "HEAD", sig, sig, NULL, message, tree,
	                      parent ? 1 : 0, parents)) {
		rc = git_fail(e, ORC_EFAIL, "commit");
		goto out;
	}
	*committed = 1;
	if (sha) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, &commit_oid);
		buf_clear(sha);
		buf_puts(sha, hex);
	}
out:
	for (size_t i = 0; i < npaths; i++)
		free(rels[i]);
	free(rels);
	free(skip);
	free(updates);
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	git_index_free(index);
	if (locked)
		lock_end(repo);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

struct remote_ctx {
	const char *token;
	int cred_tries;
	int rejected;
	buf reject_status;
};

static int on_credentials(git_credential **out, const char *url, const char *user,
                          unsigned int allowed, void *payload)
{
	(void)url;
	(void)user;
	struct remote_ctx *ctx = payload;
	if (!ctx->token || !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) || ctx->cred_tries++)
		return GIT_PASSTHROUGH;
	/* GitHub accepts any user name with a token; x-access-token is what Actions uses. */
	return git_credential_userpass_plaintext_new(out, "x-access-token", ctx->token);
}

static int on_push_ref(const char *refname, const char *status, void *payload)
{
	struct remote_ctx *ctx = payload;
	if (status) {
		ctx->rejected = 1;
		buf_printf(&ctx->reject_status, "%s: %s", refname, status);
	}
	return 0;
}

static const char *pick_token(const char *token)
{
	if (!token || !*token)
		token = getenv("GITHUB_TOKEN");
	if (token && *token) {
		log_add_secret(token);
		return token;
	}
	return NULL;
}

static int current_branch(git_repository *repo, char **branch, err *e)
{
	git_reference *head = NULL;
	if (git_repository_head(&head, repo))
		return git_fail(e, ORC_EUSAGE, "HEAD");
	if (!git_reference_is_branch(head)) {
		git_reference_free(head);
		return err_set(e, ORC_EUSAGE,
		               "HEAD is detached: check out the branch to push "
		               "(actions/checkout with ref: <branch>)");
	}
	*branch = xstrdup(git_reference_shorthand(head));
	git_reference_free(head);
	return 0;
}

static int auth_code(void)
{
	const git_error *ge = git_error_last();
	/* libgit2 reports 401/403 as a generic error class with these words. */
	if (ge && ge->message &&
	    (strstr(ge->message, "authentication") || strstr(ge->message, "401") ||
	     strstr(ge->message, "403") || strstr(ge->message, "credentials")))
		return ORC_EREMOTE;
	return ORC_EFAIL;
}

/* The repository of repo_dir, its checked-out branch and the named remote: what push and
 * sync both start from. On failure the caller still frees whatever was set. */
static int open_branch_remote(const char *repo_dir, const char *remote_name, git_repository **repo,
                              char **branch, git_remote **remote, err *e)
{
	int rc = open_repo(repo_dir, repo, e);
	if (!rc)
		rc = current_branch(*repo, branch, e);
	if (!rc && git_remote_lookup(remote, *repo, remote_name))
		rc = git_fail(e, ORC_EUSAGE, remote_name);
	return rc;
}

int gitops_push(const char *repo_dir, const char *remote_name, const char *token, int *rejected,
                err *e)
{
	gitops_init();
	*rejected = 0;
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	char *branch = NULL, *refspec = NULL;
	struct remote_ctx ctx = {pick_token(token), 0, 0, BUF_INIT};
	int rc = open_branch_remote(repo_dir, remote_name, &repo, &branch, &remote, e);
	if (rc)
		goto out;
	refspec = xasprintf("refs/heads/%s:refs/heads/%s", branch, branch);
	git_push_options opts;
	git_push_options_init(&opts, GIT_PUSH_OPTIONS_VERSION);
	opts.callbacks.credentials = on_credentials;
	opts.callbacks.push_update_reference = on_push_ref;
	opts.callbacks.payload = &ctx;
	char *specs[] = {refspec};
	git_strarray refspecs = {specs, 1};
	int grc = git_remote_push(remote, &refspecs, &opts);
	if (grc == GIT_ENONFASTFORWARD || (grc == 0 && ctx.rejected)) {
		*rejected = 1;
		rc = err_set(e, ORC_EFAIL, "push to %s/%s rejected: %s", remote_name, branch,
		             ctx.reject_status.len ? buf_cstr(&ctx.reject_status)
		                                   : "the remote has commits this clone lacks");
		goto out;
	}
	if (grc) {
		int code = grc == GIT_EAUTH ? ORC_EREMOTE : auth_code();
		rc = git_fail(e, code, "push");
		if (code == ORC_EREMOTE)
			err_prefix(e, "check that GITHUB_TOKEN may write to the repository");
		goto out;
	}
	log_verbose("pushed %s to %s", branch, remote_name);
out:
	buf_free(&ctx.reject_status);
	free(refspec);
	free(branch);
	git_remote_free(remote);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

/* Stops a sync: nothing was changed, and the one line says why and what to do. */
static int sync_refused(err *e, const char *tracking, const char *why)
{
	return err_set(e, ORC_EFAIL,
	               "%s moved on and %s; nothing was changed here: bring the branch up to date "
	               "yourself (git pull --rebase), then run again",
	               tracking, why);
}

/* A redo's paths relative to the work tree, NULL-terminated (NULL on error). */
static char **redo_paths(git_repository *repo, const char *repo_dir, const gitops_redo *redo,
                         err *e)
{
	char **rel = xcalloc(redo->npaths + 1, sizeof *rel);
	for (size_t i = 0; i < redo->npaths; i++) {
		if (!(rel[i] = workdir_relative(repo, repo_dir, redo->paths[i], e))) {
			for (size_t j = 0; j < i; j++)
				free(rel[j]);
			free(rel);
			return NULL;
		}
	}
	return rel;
}

static int in_list(char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* Whether commit c (one parent) is a generated one the caller makes again: by the redo's
 * identity, changing only its paths. */
static int is_redone(git_repository *repo, git_commit *c, const gitops_redo *redo, char *const *rel)
{
	const git_signature *a = git_commit_author(c);
	if (!redo || strcmp(a->name, redo->name) || strcmp(a->email, redo->email))
		return 0;
	git_commit *parent = NULL;
	git_tree *pt = NULL, *t = NULL;
	git_diff *diff = NULL;
	int only = git_commit_parent(&parent, c, 0) == 0 && git_commit_tree(&pt, parent) == 0 &&
	           git_commit_tree(&t, c) == 0 &&
	           git_diff_tree_to_tree(&diff, repo, pt, t, NULL) == 0;
	for (size_t i = 0; only && i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		only = in_list(rel, d->old_file.path) && in_list(rel, d->new_file.path);
	}
	git_diff_free(diff);
	git_tree_free(t);
	git_tree_free(pt);
	git_commit_free(parent);
	return only;
}

/*
 * Replays the commits of `from` that `onto` lacks, oldest first, on `onto` as git
 * cherry-pick would, in memory: only objects are written, no ref, index or file, so a
 * refusal leaves everything as it was. Commits the caller makes again (redo) are left
 * out. *tip receives the last replayed commit.
 */
static int replay_onto(git_repository *repo, const git_oid *from, const git_oid *onto,
                       const gitops_redo *redo, char *const *rel, const char *tracking,
                       git_oid *tip, err *e)
{
	git_revwalk *walk = NULL;
	git_oid id;
	int rc = 0, grc;
	*tip = *onto;
	if (git_revwalk_new(&walk, repo) ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) ||
	    git_revwalk_push(walk, from) || git_revwalk_hide(walk, onto)) {
		git_revwalk_free(walk);
		return git_fail(e, ORC_EFAIL, "listing the local commits");
	}
	while (rc == 0 && (grc = git_revwalk_next(&id, walk)) == 0) {
		git_commit *c = NULL, *base = NULL;
		git_index *idx = NULL;
		git_tree *tree = NULL;
		git_oid tree_oid;
		char hex[8];
		git_oid_tostr(hex, sizeof hex, &id);
		if (git_commit_lookup(&c, repo, &id) || git_commit_lookup(&base, repo, tip)) {
			rc = git_fail(e, ORC_EFAIL, hex);
		} else if (git_commit_parentcount(c) == 1 && is_redone(repo, c, redo, rel)) {
			log_verbose("%s: generated again on the new tip, not replayed", hex);
		} else if (git_commit_parentcount(c) != 1) {
			char *why =
			    xasprintf("the local commit %s is a merge or has no common history "
			              "with it",
			              hex);
			rc = sync_refused(e, tracking, why);
			free(why);
		} else if (git_cherrypick_commit(&idx, repo, c, base, 0, NULL)) {
			rc = git_fail(e, ORC_EFAIL, hex);
		} else if (git_index_has_conflicts(idx)) {
			char *why = xasprintf(
			    "the local commit %s (not pushed yet) conflicts with it", hex);
			rc = sync_refused(e, tracking, why);
			free(why);
		} else if (git_index_write_tree_to(&tree_oid, idx, repo) ||
		           git_tree_lookup(&tree, repo, &tree_oid) ||
		           git_commit_create(tip, repo, NULL, git_commit_author(c),
		                             git_commit_committer(c),
		                             git_commit_message_encoding(c), git_commit_message(c),
		                             tree, 1, (const git_commit *[]){base})) {
			rc = git_fail(e, ORC_EFAIL, hex);
		}
		git_tree_free(tree);
		git_index_free(idx);
		git_commit_free(base);
		git_commit_free(c);
	}
	if (rc == 0 && grc != GIT_ITEROVER)
		rc = git_fail(e, ORC_EFAIL, "listing the local commits");
	git_revwalk_free(walk);
	return rc;
}

/* Collects the paths a safe checkout refuses to overwrite, for the refusal message. */
static int on_checkout_conflict(git_checkout_notify_t why, const char *path,
                                const git_diff_file *baseline, const git_diff_file *target,
                                const git_diff_file *workdir, void *payload)
{
	(void)why, (void)baseline, (void)target, (void)workdir;
	buf *paths = payload;
	if (paths->len < 200)
		buf_printf(paths, "%s%s", paths->len ? ", " : "", path);
	return 0;
}

int gitops_sync_remote(const char *repo_dir, const char *remote_name, const char *token,
                       const gitops_redo *redo, err *e)
{
	gitops_init();
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_object *tip_obj = NULL;
	git_commit *head = NULL, *new_tip = NULL;
	git_reference *ref = NULL, *moved = NULL;
	char *branch = NULL, *spec = NULL, *tracking = NULL, *refname = NULL;
	char **rel = NULL;
	buf conflicts = BUF_INIT;
	struct remote_ctx ctx = {pick_token(token), 0, 0, BUF_INIT};
	int rc = open_branch_remote(repo_dir, remote_name, &repo, &branch, &remote, e);
	if (rc)
		goto out;
	tracking = xasprintf("%s/%s", remote_name, branch);
	char *tracking_ref = xasprintf("refs/remotes/%s", tracking);
	spec = xasprintf("+refs/heads/%s:%s", branch, tracking_ref);
	git_fetch_options fo;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.callbacks.credentials = on_credentials;
	fo.callbacks.payload = &ctx;
	char *specs[] = {spec};
	git_strarray refspecs = {specs, 1};
	if (git_remote_fetch(remote, &refspecs, &fo, NULL)) {
		free(tracking_ref);
		rc = git_fail(e, auth_code(), "fetch");
		goto out;
	}
	int bad = git_revparse_single(&tip_obj, repo, tracking_ref);
	free(tracking_ref);
	refname = xasprintf("refs/heads/%s", branch);
	if (bad || git_reference_lookup(&ref, repo, refname) ||
	    git_commit_lookup(&head, repo, git_reference_target(ref))) {
		rc = git_fail(e, ORC_EFAIL, tracking);
		goto out;
	}
	if (redo && !(rel = redo_paths(repo, repo_dir, redo, e))) {
		rc = e->code;
		goto out;
	}
	git_oid tip;
	if ((rc = replay_onto(repo, git_commit_id(head), git_object_id(tip_obj), redo, rel,
	                      tracking, &tip, e)))
		goto out;
	if (git_commit_lookup(&new_tip, repo, &tip)) {
		rc = git_fail(e, ORC_EFAIL, tracking);
		goto out;
	}
	/* Safe checkout from HEAD's tree: files with uncommitted changes are kept, and one the
	 * new tip changes too is a conflict found before anything is written. */
	git_checkout_options co;
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_SAFE;
	co.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT;
	co.notify_cb = on_checkout_conflict;
	co.notify_payload = &conflicts;
	if ((rc = lock_begin(repo, e)))
		goto out;
	int crc = git_checkout_tree(repo, (git_object *)new_tip, &co);
	lock_end(repo);
	if (crc == GIT_ECONFLICT) {
		char *why = xasprintf("changed files with uncommitted changes here (%s)",
		                      conflicts.len ? buf_cstr(&conflicts) : "see git status");
		rc = sync_refused(e, tracking, why);
		free(why);
		goto out;
	}
	if (crc || git_reference_set_target(&moved, ref, &tip,
	                                    "orchestrator: redo on top of the remote")) {
		rc = git_fail(e, ORC_EFAIL, "moving the branch to the remote's tip");
		goto out;
	}
	log_verbose("%s: rebuilt on %s", branch, tracking);
out:
	for (size_t i = 0; rel && rel[i]; i++)
		free(rel[i]);
	free(rel);
	buf_free(&conflicts);
	buf_free(&ctx.reject_status);
	free(spec);
	free(tracking);
	free(refname);
	free(branch);
	git_reference_free(moved);
	git_reference_free(ref);
	git_commit_free(new_tip);
	git_commit_free(head);
	git_object_free(tip_obj);
	git_remote_free(remote);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

int gitops_publish(const gitops_publish_opts *o, int *committed, buf *sha, err *e)
{
	buf ours = BUF_INIT;
	int rc = 0;
	*committed = 0;
	progress *shown = o->push ? progress_start("push to origin") : NULL;
	for (int attempt = 1;; attempt++) {
		int rejected = 0;
		buf_clear(&ours);
		if ((rc = o->make(o->arg, e)))
			break;
		if ((rc = gitops_commit_paths(o->repo_dir, o->paths, o->npaths, o->message, o->name,
		                              o->email, committed, &ours, e)))
			break;
		if (!o->push)
			break;
		char state[48];
		snprintf(state, sizeof state, "attempt %d of %d", attempt, GITOPS_PUSH_ATTEMPTS);
		progress_update(shown, LOG_TONE_BUSY, state, NULL);
		rc = gitops_push(o->repo_dir, "origin", NULL, &rejected, e);
		if (rc == 0 || !rejected)
			break;
		if (attempt == GITOPS_PUSH_ATTEMPTS) {
			err_prefix(e, "gave up after %d attempt%s", attempt,
			           attempt == 1 ? "" : "s");
			break;
		}
		log_warn("push rejected (attempt %d of %d): origin moved on; redoing the change on "
		         "top of it",
		         attempt, GITOPS_PUSH_ATTEMPTS);
		err_clear(e);
		gitops_redo redo = {o->paths, o->npaths, o->name, o->email};
		if ((rc = gitops_sync_remote(o->repo_dir, "origin", NULL, &redo, e))) {
			err_prefix(e, "push rejected");
			break;
		}
		*committed = 0;
	}
	progress_end(shown);
	if (sha) {
		buf_clear(sha);
		if (*committed)
			buf_puts(sha, buf_cstr(&ours));
	}
	buf_free(&ours);
	return rc;
}
