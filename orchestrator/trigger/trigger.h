/*
 * trigger: what `trigger_workflow` needs between the command line and net/github: the
 * checks a request must pass before anything is sent (branch, snapshot and folder
 * names), the payload built from the operation table (config/operations.h), and the
 * choices offered when a value is missing on a terminal (regions, remote-tracking
 * branches read with libgit2, folders of infrastructure/) with a numbered menu.
 *
 * Checks come first so that a bad request never reaches GitHub: a workflow fired with a
 * typo fails minutes later, far from the person who typed it.
 */
#ifndef ORC_TRIGGER_H
#define ORC_TRIGGER_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "config/operations.h"
#include "core/err.h"

/* The values a request carries; NULL when not given. */
typedef struct trigger_values {
	const char *region;
	const char *branch;
	const char *snapshot;
	const char *folder;
	const char *requested_by;
	const char *request_id;
	const char *source, *target; /* compare-databases */
} trigger_values;

/* A branch name git accepts (git_reference_name_is_valid on refs/heads/NAME). */
int trigger_check_branch(const char *branch, err *e);
/* An RDS snapshot identifier: letter first; letters, digits, single hyphens; at most 255;
 * no trailing hyphen. Or an RDS cluster snapshot ARN (another account's, for a restore). */
int trigger_check_snapshot(const char *id, err *e);
/* A database named for compare-databases (flag: "--source"/"--target"): cluster:NAME,
 * secret:NAME or a bare cluster NAME; never a URL or anything holding a password. */
int trigger_check_database(const char *flag, const char *ref, err *e);
/* A Terraform component: a folder holding at least one *.tf file (infrastructure/examples,
 * which holds only JSON, is not one). */
int trigger_is_component(const char *dir);
/* A folder name that exists as root/infrastructure/NAME and is a Terraform component. */
int trigger_check_folder(const char *root, const char *folder, err *e);

/* Who asks: git's user.name, else $USER, else "unknown"; heap string. */
char *trigger_requested_by(void);
/* 16 random bytes from OpenSSL as 32 hex digits; heap string. */
char *trigger_request_id(void);
/* client_payload for op: the keys op carries (snapshot only when given), plus
 * requested_by and request_id. */
cJSON *trigger_payload(const config_operation *op, const trigger_values *v);

/* Items of a menu, each with the label shown beside it. */
typedef struct trigger_choices {
	char **ids;
	char **labels;
	size_t n;
} trigger_choices;
/*
 * restore-snapshot's choices in region (trigger/snapshots.c): metadata_path's snapshot for
 * the region and, when AWS credentials are at hand, cluster's available snapshots from RDS,
 * newest first with their creation time, each once. RDS out of reach is a warning; an
 * unreadable metadata.json is ORC_EUSAGE.
 */
int trigger_snapshots(const char *metadata_path, const char *region, const char *cluster,
                      trigger_choices *out, err *e);
void trigger_choices_free(trigger_choices *c);

/* True when a menu can be shown: stdin and stderr are terminals. */
int trigger_interactive(void);
/*
 * The branches a request may name: the remote-tracking branches of the remote of the clone
 * holding dir that stands for owner/repo (the remote whose URL names it, else origin, else
 * the only remote), read with libgit2 from the clone, so as fresh as its last fetch. The
 * remote's default branch (its HEAD as the clone recorded it) comes first, then the others
 * by their last commit, newest first.
 */
typedef struct trigger_branches {
	char *remote;         /* "origin" */
	char *default_branch; /* NULL when the clone has no REMOTE/HEAD */
	char **names;         /* NULL-terminated */
	char **labels;        /* per name: "default branch, " and the last commit's UTC time */
	size_t n;
} trigger_branches;
/* ORC_EUSAGE when dir is not in a git clone or the clone has no such remote. */
int trigger_branches_read(const char *dir, const char *owner, const char *repo, trigger_branches *b,
                          err *e);
int trigger_branches_has(const trigger_branches *b, const char *branch);
void trigger_branches_free(trigger_branches *b);
/*
 * The workflow reads config.json (and a component's tfvars) from the repository as pushed,
 * on the default branch: warns for each of files (NULL-terminated paths) that differs from
 * that copy (REMOTE/HEAD's branch in the clone holding dir, else the checked-out branch's
 * upstream), saying whether the change is uncommitted or only unpushed. Silent when there
 * is nothing to compare with (no clone, no remote, nothing fetched).
 */
void trigger_warn_unpushed(const char *dir, const char *owner, const char *repo,
                           const char *const *files);
/* Terraform components under root/infrastructure (folders holding a .tf file; hidden ones
 * and examples/ left out), sorted; NULL-terminated. */
char **trigger_folders(const char *root, size_t *n, err *e);
/*
 * Asks "Type yes to send it: " on stderr after summary and reads one line from stdin:
 * 0 when it is "yes" (or "y"), else ORC_EFAIL saying nothing was sent.
 */
int trigger_confirm(const char *summary, err *e);
/*
 * Shows "Select the WHAT:" and the numbered items on stderr and reads the answer (a number
 * or an item's name) from stdin until one is valid. *out gets a heap copy. End of input is
 * ORC_EUSAGE naming flag.
 */
int trigger_menu(const char *what, const char *flag, const char *const *items, size_t n, char **out,
                 err *e);
/* The same, each item shown with its label in parentheses (labels or a label may be NULL). */
int trigger_menu_labeled(const char *what, const char *flag, const char *const *items,
                         const char *const *labels, size_t n, char **out, err *e);

#endif
