/*
 * trigger/pending: the check before a dispatch that no run waiting in the same concurrency
 * group gets cancelled by it (see pending.h).
 */
#include "trigger/pending.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"

/* Running first, so that the refusal names the running run before the waiting one. */
const char *const pending_unfinished[] = {"in_progress", "waiting", "queued",
                                          "requested",   "pending", NULL};

int pending_status_known(const char *status)
{
	for (size_t i = 0; pending_unfinished[i]; i++)
		if (strcmp(status, pending_unfinished[i]) == 0)
			return 1;
	return strcmp(status, "completed") == 0;
}

/* deploy and destroy share infrastructure-REGION-FOLDER; every other regional operation has
 * its own group per region, so only its own workflow's runs can be in it. */
static int infrastructure(const config_operation *op)
{
	return strcmp(op->verb, "deploy-infrastructure") == 0 ||
	       strcmp(op->verb, "destroy-infrastructure") == 0;
}

int pending_same_group(const config_operation *op, const char *region, const char *folder,
                       const char *title)
{
	/* run-name: "VERB-ish ... in REGION"; for deploy/destroy "deploy FOLDER in REGION" */
	const char *in = NULL;
	for (const char *p = strstr(title, " in "); p; p = strstr(p + 1, " in "))
		in = p;
	if (!in || strcmp(in + 4, region) != 0)
		return 0;
	if (!infrastructure(op))
		return 1;
	const char *sp = strchr(title, ' ');
	return folder && sp && sp < in && (size_t)(in - sp - 1) == strlen(folder) &&
	       strncmp(sp + 1, folder, strlen(folder)) == 0;
}

int pending_check(const github_repo *gr, const config_operation *op, const char *region,
                  const char *folder, err *e)
{
	if (!region || !(op->keys & OP_REGION))
		return 0;
	const char *const one[] = {op->verb, NULL};
	const char *const infra[] = {"deploy-infrastructure", "destroy-infrastructure", NULL};
	const char *const *workflows = infrastructure(op) ? infra : one;
	buf seen = BUF_INIT; /* the runs counted, as " ID " (a run changing status between two
	                        lists is counted once) */
	buf named = BUF_INIT;
	size_t unfinished = 0;
	int rc = 0;
	for (size_t w = 0; workflows[w] && rc == 0; w++) {
		char *file = xasprintf("%s.yml", workflows[w]);
		for (size_t s = 0; pending_unfinished[s] && rc == 0; s++) {
			github_run *runs = NULL;
			size_t n = 0;
			err le = ERR_INIT;
			if (github_workflow_runs(gr, file, pending_unfinished[s], &runs, &n, &le)) {
				log_warn(
				    "cannot check for runs waiting in the concurrency group of %s "
				    "for %s (%s); sending anyway: a run already waiting there "
				    "would be cancelled by GitHub (a fine-grained token needs "
				    "\"Actions: read\" for this check)",
				    op->verb, region, le.msg);
				rc = -1;
				break;
			}
			for (size_t i = 0; i < n; i++) {
				char id[32];
				snprintf(id, sizeof id, " %lld ", runs[i].id);
				if (!pending_same_group(op, region, folder, runs[i].title) ||
				    strstr(buf_cstr(&seen), id))
					continue;
				buf_puts(&seen, id);
				if (++unfinished <= 2)
					buf_printf(&named, "%srun %lld \"%s\" %s at %s",
					           named.len ? ", " : "", runs[i].id, runs[i].title,
					           runs[i].status, runs[i].html_url);
			}
			github_runs_free(runs, n);
		}
		free(file);
	}
	if (rc == 0 && unfinished >= 2)
		rc = err_set(e, ORC_EFAIL,
		             "%s for %s not sent: its concurrency group already holds a running "
		             "and a waiting run (%s), and GitHub would cancel the waiting one for "
		             "this one; send it again once one of them has finished",
		             op->verb, region, buf_cstr(&named));
	buf_free(&seen);
	buf_free(&named);
	return rc < 0 ? 0 : rc;
}
