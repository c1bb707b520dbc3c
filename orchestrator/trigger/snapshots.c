/*
 * trigger/snapshots: what restore-snapshot's menu offers, as the template's did: the
 * snapshot metadata.json records for the region and, when AWS credentials are at hand,
 * the available snapshots of the region's cluster as RDS lists them, newest first with
 * their creation time; a snapshot found in both is offered once.
 *
 * RDS is asked from the laptop only to show choices: when it cannot be asked (no
 * credentials, no network) the menu still offers metadata.json's snapshot, with a warning
 * saying why the list is short, since the restore itself runs in GitHub Actions anyway.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/aws.h"
#include "core/buf.h"
#include "core/log.h"
#include "snapshot/metadata.h"
#include "snapshot/snapshot.h"
#include "trigger/trigger.h"

int trigger_snapshots(const char *metadata_path, const char *region, const char *cluster,
                      trigger_choices *out, err *e)
{
	memset(out, 0, sizeof *out);
	char *recorded = NULL;
	int rc = metadata_get_snapshot(metadata_path, region, &recorded, e);
	if (rc)
		return rc;

	aws_client *aws = NULL;
	rds_snapshot *list = NULL;
	size_t nlist = 0;
	err why = ERR_INIT;
	int listed = aws_client_new(region, &aws, &why) == 0 &&
	             snapshot_list(aws, cluster, &list, &nlist, &why) == 0;
	if (!listed)
		log_warn("snapshots of %s not read from RDS (%s); offering metadata.json's only",
		         cluster, why.msg);
	aws_client_free(aws);

	size_t cap = nlist + 2;
	out->ids = xcalloc(cap, sizeof *out->ids);
	out->labels = xcalloc(cap, sizeof *out->labels);
	int recorded_listed = 0;
	for (size_t i = 0; i < nlist; i++) {
		const rds_snapshot *s = &list[i];
		if (strcmp(s->status, "available") != 0)
			continue; /* creating, deleting, failed: nothing to restore from yet */
		int mine = recorded && strcasecmp(recorded, s->id) == 0;
		recorded_listed |= mine;
		out->ids[out->n] = xstrdup(s->id);
		/* SnapshotCreateTime is ISO 8601 in UTC: 2026-11-30T07:12:33.123Z. */
		out->labels[out->n] = xasprintf("created %.10s %.5s UTC, %s%s", s->created,
		                                strlen(s->created) > 11 ? s->created + 11 : "",
		                                s->type, mine ? ", in metadata.json" : "");
		out->n++;
	}
	if (recorded && !recorded_listed) {
		out->ids[out->n] = xstrdup(recorded);
		out->labels[out->n] =
		    xasprintf("in metadata.json%s%s",
		              listed ? "; RDS has no available snapshot of that name for " : "",
		              listed ? cluster : "");
		out->n++;
	}
	rds_snapshots_free(list, nlist);
	free(recorded);
	return 0;
}

void trigger_choices_free(trigger_choices *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->ids[i]);
		free(c->labels[i]);
	}
	free(c->ids);
	free(c->labels);
	memset(c, 0, sizeof *c);
}
