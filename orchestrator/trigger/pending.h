/*
 * pending: before trigger sends an operation, would GitHub cancel a run already waiting?
 *
 * Each dispatched workflow has a concurrency group per operation and region (deploy and
 * destroy share one per region and folder) with cancel-in-progress false. GitHub keeps at
 * most one running and one pending run per group: when a run enters a group that already
 * holds a pending one, the pending one is cancelled. So trigger asks GitHub for the
 * unfinished runs (requested, queued, pending, waiting, in_progress) of the group's
 * workflows, keeps those whose run name (the workflows' run-name, "... in REGION",
 * "deploy FOLDER in REGION") is in the same group, and refuses to send while two are
 * there: one would be cancelled by this one. One unfinished run is fine: the new one
 * waits behind it.
 *
 * The check cannot close the race with another person dispatching at the same second,
 * and a token that may not read Actions (403/404) gets a warning, not a refusal. The
 * per-branch workflows (generate-markdown, build-image) are not checked: a newer run
 * replacing a pending one does the same work.
 */
#ifndef ORC_TRIGGER_PENDING_H
#define ORC_TRIGGER_PENDING_H

#include "config/operations.h"
#include "core/err.h"
#include "net/github.h"

/* GitHub's run statuses that are not finished, NULL-terminated. */
extern const char *const pending_unfinished[];
/* Whether status is one of GitHub's workflow-run statuses (finished or not). */
int pending_status_known(const char *status);

/*
 * Whether a run called title (its display_title) is in the concurrency group op's run for
 * region (and folder, for deploy/destroy) enters. Exposed for the tests.
 */
int pending_same_group(const config_operation *op, const char *region, const char *folder,
                       const char *title);

/*
 * 0 when sending op for region (folder) cancels no pending run, or the runs could not be
 * read (then a warning says so); ORC_EFAIL with one line naming the waiting run when it
 * would.
 */
int pending_check(const github_repo *gr, const config_operation *op, const char *region,
                  const char *folder, err *e);

#endif
