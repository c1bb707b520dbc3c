/*
 * gitops: the few git operations the product needs, on libgit2: commit a set of files
 * as the gitbot, push over HTTPS with a token, bring a CI checkout up to the remote
 * after a rejected push, and clone one branch shallowly.
 *
 * Names are gitops_* to stay clear of libgit2's own git_* namespace. Tokens are passed
 * through libgit2's credential callback, never put in a URL or argv.
 */
#ifndef ORC_GITOPS_H
#define ORC_GITOPS_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/*
 * Commits exactly these paths (relative to repo_dir, or absolute; inside the work tree of
 * the repository that contains repo_dir) as they are in the work tree, on top of HEAD,
 * with author and committer name <email>. Nothing else is committed, even if other changes
 * are staged; the index entries of these paths are updated so `git status` agrees. A path
 * missing from the work tree is committed as a deletion. When the resulting tree equals
 * HEAD's, nothing is committed and *committed is 0: running twice makes no second commit.
 * sha (may be NULL) receives the new commit's hex id.
 */
int gitops_commit_paths(const char *repo_dir, const char *const *paths, size_t npaths,
                        const char *message, const char *name, const char *email, int *committed,
                        buf *sha, err *e);

/*
 * Pushes the current branch to the same-named branch of remote ("origin"). token: for
 * HTTPS remotes (NULL: $GITHUB_TOKEN, then none). A push refused because the remote moved
 * on (not fast-forward) returns ORC_EFAIL with *rejected set, so the caller can call
 * gitops_sync_remote, redo its change and try again; authentication failures are
 * ORC_EREMOTE.
 */
int gitops_push(const char *repo_dir, const char *remote, const char *token, int *rejected, err *e);

/* The generated change a sync does not replay because the caller makes it again: local
 * commits by name <email> that change nothing but these paths (relative to repo_dir). */
typedef struct gitops_redo {
	const char *const *paths;
	size_t npaths;
	const char *name, *email;
} gitops_redo;

/*
 * After a rejected push: fetches the current branch from remote and rebuilds the local
 * branch on the remote's tip without losing anything. The local commits the remote lacks
 * are replayed on the tip (in memory, then the branch moves), except the ones `redo`
 * (NULL: none) describes, which the caller makes again on the new tip; the work tree and
 * index move with a safe checkout, so uncommitted changes to other files stay. When that
 * cannot be done without losing work (a local commit conflicts with the remote's, an
 * uncommitted change touches a file the remote changed, a local merge commit) it changes
 * nothing and returns ORC_EFAIL with one line saying what to do.
 */
int gitops_sync_remote(const char *repo_dir, const char *remote, const char *token,
                       const gitops_redo *redo, err *e);

/* Writes the caller's change into the work tree; called again after each sync. */
typedef int (*gitops_make_fn)(void *arg, err *e);

#define GITOPS_PUSH_ATTEMPTS 5

typedef struct gitops_publish_opts {
	const char *repo_dir;     /* paths are relative to it (or absolute) */
	const char *const *paths; /* the files make writes; only they are committed */
	size_t npaths;
	const char *message;      /* commit message */
	const char *name, *email; /* author and committer */
	int push;                 /* push to origin, redoing the change when it moved on */
	gitops_make_fn make;      /* writes the paths (required: it is redone after a sync) */
	void *arg;                /* passed to make */
} gitops_publish_opts;

/*
 * The one "write, commit, push; on a moved branch sync and redo" routine of the commands
 * that commit generated files (snapshot, schema-docs, bump-image): make, commit the paths
 * (nothing when unchanged), push to origin; a push rejected because origin moved on syncs
 * with gitops_sync_remote (dropping the gitbot's commits of these paths, keeping everything
 * else), makes and commits
 * again on the new tip, up to GITOPS_PUSH_ATTEMPTS pushes. *committed: whether the final
 * attempt made a commit; sha (may be NULL) its hex id.
 */
int gitops_publish(const gitops_publish_opts *o, int *committed, buf *sha, err *e);

/* Whether url reaches its repository over SSH: ssh://, git+ssh:// or scp-like user@host:path
 * (a colon before any slash, no scheme). */
int gitops_url_is_ssh(const char *url);

/* Credentials for gitops_clone_branch; every field may be NULL. */
typedef struct gitops_clone_auth {
	const char *token;              /* HTTPS: sent as user x-access-token, password token */
	const char *ssh_key;            /* SSH: private key text (deploy key), used from memory */
	const char *ssh_key_passphrase; /* NULL: none */
	const char *known_hosts;        /* SSH: the file the server's host key must be in */
} gitops_clone_auth;

/*
 * Clones only `branch` of url into dir (empty or missing), shallow where libgit2 can
 * (HTTPS from 1.7, SSH from 1.9), checked out; sha receives the commit's hex id. A path or
 * file:// URL is not fetched: the branch's tree is checked out from it into dir, which is
 * then a plain directory. An SSH host key that is not in
 * auth->known_hosts is refused. Errors: ORC_EUSAGE for a bad branch name or URL,
 * ORC_EREMOTE when the repository refuses (credentials, host key, unknown branch, not
 * found), ORC_EFAIL when it cannot be reached.
 */
int gitops_clone_branch(const char *url, const char *branch, const char *dir,
                        const gitops_clone_auth *auth, buf *sha, err *e);

#endif
