/*
 * snapshot: `orchestrator snapshot create|restore|list|share`. Reads the region's
 * auroraDB settings from config.json and metadata.json, then calls snapshot/ (create,
 * list, share) and snapshot/restore (the resumable restore); --commit/--push record the
 * new snapshot in git through gitops.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "config/config.h"
#include "core/fs.h"
#include "core/log.h"
#include "git/gitops.h"
#include "snapshot/metadata.h"
#include "snapshot/restore.h"
#include "snapshot/share.h"
#include "snapshot/snapshot.h"

static const char usage[] =
    "usage: orchestrator snapshot create  --region R [--snapshot ID] [--commit [--push]]\n"
    "       orchestrator snapshot restore --region R [--snapshot ID] [--keep-old | "
    "--skip-final-snapshot]\n"
    "       orchestrator snapshot list    --region R [--json]\n"
    "       orchestrator snapshot share   --region R [--snapshot ID] --account ACCOUNT\n"
    "                                     [--kms-key KEY]\n"
    "  -r, --region R             AWS region, a key of config.json \"infrastructure\"\n"
    "  -s, --snapshot ID          snapshot identifier (create: default\n"
    "                             <cluster>-snapshot-<UTC yyyymmdd-HHMMSS>Z; restore, share:\n"
    "                             default the one metadata.json records for the region);\n"
    "                             restore: also arn:aws:rds:REGION:ACCOUNT:cluster-snapshot:NAME,\n"
    "                             a snapshot another account shared (copied here first)\n"
    "  -c, --config PATH          config.json (default ./config.json)\n"
    "  -m, --metadata PATH        metadata.json (default ./metadata.json)\n"
    "      --commit               create: commit metadata.json as gitbotName <gitbotEmail>\n"
    "      --push                 create: push that commit (token: $GITHUB_TOKEN)\n"
    "  -t, --timeout S            seconds one wait may take (default 3600)\n"
    "      --keep-old             restore: keep the old cluster instead of deleting it\n"
    "      --skip-final-snapshot  restore: delete the old cluster without a final snapshot\n"
    "      --account ID           share: the 12-digit account allowed to restore it\n"
    "      --kms-key KEY          share: a customer managed KMS key the account may use; a\n"
    "                             snapshot under aws/rds is copied re-encrypted with it and\n"
    "                             the copy shared; restore: the key of the local copy of a\n"
    "                             shared snapshot (default this account's aws/rds)\n"
    "      --json                 list: JSON instead of a table\n"
    "      --requested-by WHO     recorded in tags (the workflow passes the payload's)\n"
    "      --request-id ID        recorded in tags; a restore re-run with the same ID\n"
    "                             resumes or finds it done\n"
    "  -v, --verbose              log each AWS step\n";

enum {
	OPT_COMMIT = 256,
	OPT_PUSH,
	OPT_KEEP_OLD,
	OPT_SKIP_FINAL,
	OPT_ACCOUNT,
	OPT_JSON,
	OPT_REQUESTED_BY,
	OPT_REQUEST_ID,
	OPT_KMS_KEY,
};

static const struct option options[] = {
    {"region", required_argument, NULL, 'r'},
    {"snapshot", required_argument, NULL, 's'},
    {"config", required_argument, NULL, 'c'},
    {"metadata", required_argument, NULL, 'm'},
    {"commit", no_argument, NULL, OPT_COMMIT},
    {"push", no_argument, NULL, OPT_PUSH},
    {"timeout", required_argument, NULL, 't'},
    {"keep-old", no_argument, NULL, OPT_KEEP_OLD},
    {"skip-final-snapshot", no_argument, NULL, OPT_SKIP_FINAL},
    {"account", required_argument, NULL, OPT_ACCOUNT},
    {"json", no_argument, NULL, OPT_JSON},
    {"requested-by", required_argument, NULL, OPT_REQUESTED_BY},
    {"request-id", required_argument, NULL, OPT_REQUEST_ID},
    {"kms-key", required_argument, NULL, OPT_KMS_KEY},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct opts {
	const char *verb;
	const char *region;
	char *snapshot;
	const char *config_path;
	const char *metadata_path;
	int commit, push, keep_old, skip_final, json;
	int timeout;
	const char *account;
	const char *requested_by;
	const char *request_id;
	const char *kms_key;
} opts;

/* What every verb needs: options, config, the region's settings, an AWS client. */
typedef struct ctx {
	opts o;
	config *cfg;
	const config_region *region;
	aws_client *aws;
	char *cluster; /* dbClusterName, lowercase */
} ctx;

static int parse(int argc, char **argv, opts *o)
{
	memset(o, 0, sizeof *o);
	o->config_path = CONFIG_DEFAULT_PATH;
	o->metadata_path = METADATA_DEFAULT_PATH;
	o->timeout = 3600;
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			fputs(usage, stdout);
			return -1;
		}
		return cmd_usage_error(usage, "snapshot: expected create, restore, list or share");
	}
	o->verb = argv[1];
	if (strcmp(o->verb, "create") != 0 && strcmp(o->verb, "restore") != 0 &&
	    strcmp(o->verb, "list") != 0 && strcmp(o->verb, "share") != 0)
		return cmd_usage_error(usage,
		                       "snapshot: unknown action '%s' (expected create, restore, "
		                       "list or share)",
		                       o->verb);
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc - 1, argv + 1, ":r:s:c:m:t:vh", options, NULL)) != -1) {
		switch (ch) {
		case 'r': o->region = optarg; break;
		case 's':
			free(o->snapshot);
			o->snapshot = xstrdup(optarg);
			break;
		case 'c': o->config_path = optarg; break;
		case 'm': o->metadata_path = optarg; break;
		case OPT_COMMIT: o->commit = 1; break;
		case OPT_PUSH: o->push = 1; break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v <= 0 || v > 86400)
				return cmd_usage_error(
				    usage,
				    "--timeout %s: expected seconds between 1 and "
				    "86400",
				    optarg);
			o->timeout = (int)v;
			break;
		}
		case OPT_KEEP_OLD: o->keep_old = 1; break;
		case OPT_SKIP_FINAL: o->skip_final = 1; break;
		case OPT_ACCOUNT: o->account = optarg; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_REQUESTED_BY: o->requested_by = optarg; break;
		case OPT_REQUEST_ID: o->request_id = optarg; break;
		case OPT_KMS_KEY: o->kms_key = optarg; break;
		case 'v': log_set_verbose(1); break;
		case 'h': fputs(usage, stdout); return -1;
		case ':':
			return cmd_usage_error(usage, "snapshot %s: option %s needs a value",
			                       o->verb, argv[optind]);
		default:
			return cmd_usage_error(usage, "snapshot %s: unknown option %s", o->verb,
			                       argv[optind]);
		}
	}
	if (optind < argc - 1)
		return cmd_usage_error(usage, "snapshot %s: unexpected argument '%s'", o->verb,
		                       argv[optind + 1]);
	int is_create = strcmp(o->verb, "create") == 0;
	int is_restore = strcmp(o->verb, "restore") == 0;
	if ((o->commit || o->push) && !is_create)
		return cmd_usage_error(usage, "snapshot %s: --commit and --push belong to create",
		                       o->verb);
	if (o->push && !o->commit)
		return cmd_usage_error(usage, "snapshot create: --push needs --commit");
	if ((o->keep_old || o->skip_final) && !is_restore)
		return cmd_usage_error(
		    usage,
		    "snapshot %s: --keep-old and --skip-final-snapshot belong to "
		    "restore",
		    o->verb);
	if (o->keep_old && o->skip_final)
		return cmd_usage_error(usage, "snapshot restore: choose --keep-old or "
		                              "--skip-final-snapshot, not both");
	if (o->json && strcmp(o->verb, "list") != 0)
		return cmd_usage_error(usage, "snapshot %s: --json belongs to list", o->verb);
	if (strcmp(o->verb, "share") == 0 && !o->account)
		return cmd_usage_error(usage, "snapshot share: --account ID is required");
	if (o->account && strcmp(o->verb, "share") != 0)
		return cmd_usage_error(usage, "snapshot %s: --account belongs to share", o->verb);
	if (o->kms_key && strcmp(o->verb, "share") != 0 && !is_restore)
		return cmd_usage_error(usage, "snapshot %s: --kms-key belongs to share and restore",
		                       o->verb);
	return 0;
}

static int setup(ctx *x, err *e)
{
	config_problems problems = {NULL, 0};
	int rc = config_load(x->o.config_path, &x->cfg, &problems, e);
	for (size_t i = 0; rc && i < problems.n; i++)
		log_error_at(x->o.config_path, 0, "%s", problems.lines[i]);
	config_problems_free(&problems);
	if (rc)
		return rc;
	if ((rc = aws_client_new(x->o.region, &x->aws, e)))
		return rc;
	const char *region = aws_client_region(x->aws);
	x->region = config_region_find(x->cfg, region);
	if (!x->region)
		return err_set(e, ORC_EUSAGE,
		               "%s: no infrastructure[\"%s\"] (add the region or pass another "
		               "--region)",
		               x->o.config_path, region);
	if (config_is_unset(x->region->db_cluster_name))
		return err_set(e, ORC_EUSAGE,
		               "%s: infrastructure[\"%s\"].auroraDB.dbClusterName is not set",
		               x->o.config_path, region);
	x->cluster = xstrdup(x->region->db_cluster_name);
	snapshot_lowercase(x->cluster);
	return 0;
}

/* --snapshot, else metadata.json's for the region. */
static int snapshot_from_metadata(ctx *x, err *e)
{
	if (x->o.snapshot) {
		snapshot_lowercase(x->o.snapshot);
		return 0;
	}
	const char *region = aws_client_region(x->aws);
	int rc = metadata_get_snapshot(x->o.metadata_path, region, &x->o.snapshot, e);
	if (rc)
		return rc;
	if (!x->o.snapshot)
		return err_set(e, ORC_EUSAGE,
		               "%s: no snapshot recorded for %s (pass --snapshot ID, or run "
		               "`orchestrator snapshot create` first)",
		               x->o.metadata_path, region);
	snapshot_lowercase(x->o.snapshot);
	return 0;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Commit (and push) metadata.json; a push the remote rejects is redone on its tip. */
static int record(ctx *x, const char *id, int *committed, err *e)
{
	char *dir = dir_of(x->o.metadata_path);
	const char *slash = strrchr(x->o.metadata_path, '/');
	const char *file = slash ? slash + 1 : x->o.metadata_path;
	const char *paths[] = {file};
	const char *region = aws_client_region(x->aws);
	char *message = xasprintf("metadata: %s snapshot %s", region, id);
	int rc = 0;
	*committed = 0;
	for (int attempt = 1; attempt <= 3; attempt++) {
		int changed, done = 0, rejected = 0;
		if ((rc = metadata_set_snapshot(x->o.metadata_path, region, id, &changed, e)))
			break;
		if ((rc = gitops_commit_paths(dir, paths, 1, message, x->cfg->gitbot_name,
		                              x->cfg->gitbot_email, &done, NULL, e)))
			break;
		*committed |= done;
		if (!x->o.push)
			break;
		rc = gitops_push(dir, "origin", NULL, &rejected, e);
		if (rc == 0 || !rejected || attempt == 3)
			break;
		log_warn("push of %s rejected (the remote moved on); syncing and retrying",
		         x->o.metadata_path);
		err_clear(e);
		if ((rc = gitops_sync_remote(dir, "origin", NULL, e)))
			break;
		*committed = 0;
	}
	free(message);
	free(dir);
	return rc;
}

static int do_create(ctx *x, err *e)
{
	if (!x->o.snapshot)
		x->o.snapshot = snapshot_default_id(x->cluster);
	rds_snapshot s;
	int rc = snapshot_create(x->aws, x->cluster, x->o.snapshot, x->o.requested_by,
	                         x->o.request_id, x->o.timeout, &s, e);
	if (rc) {
		rds_snapshot_free(&s);
		return rc;
	}
	/* Record the identifier as RDS stores it (lowercase), so later lookups match it. */
	char *id = xstrdup(s.id);
	log_info("snapshot %s of %s is available (%ld GiB)", id, x->cluster, s.storage_gb);
	rds_snapshot_free(&s);
	const char *region = aws_client_region(x->aws);
	int changed = 0, committed = 0;
	if (x->o.commit)
		rc = record(x, id, &committed, e);
	else
		rc = metadata_set_snapshot(x->o.metadata_path, region, id, &changed, e);
	if (rc == 0) {
		if (x->o.commit)
			log_info("%s: %s", x->o.metadata_path,
			         committed ? "committed" : "unchanged, nothing to commit");
		else
			log_info("%s: %s[\"%s\"].snapshot = %s", x->o.metadata_path,
			         changed ? "set" : "unchanged", region, id);
		log_gha_output("snapshot", id);
		log_gha_output("committed", committed ? "true" : "false");
		char *summary = xasprintf("### Snapshot created\n\n`%s` of cluster `%s` in %s, "
		                          "recorded in `%s`%s.\n",
		                          id, x->cluster, region, x->o.metadata_path,
		                          committed ? " (committed)" : "");
		log_gha_summary(summary);
		free(summary);
	} else {
		err_prefix(e, "snapshot %s was created, but recording it failed", id);
	}
	free(id);
	return rc;
}

static int do_restore(ctx *x, err *e)
{
	int rc = snapshot_from_metadata(x, e);
	if (rc)
		return rc;
	if (strncmp(x->o.snapshot, "arn:", 4) == 0) {
		/* Another account's snapshot: restore a copy of our own (snapshot/share.h). */
		char *local = NULL;
		if ((rc = share_import(x->aws, x->o.snapshot, x->o.kms_key, x->o.timeout,
		                       x->o.requested_by, x->o.request_id, &local, e)))
			return rc;
		free(x->o.snapshot);
		x->o.snapshot = local;
	} else if (x->o.kms_key) {
		return err_set(e, ORC_EUSAGE,
		               "snapshot restore: --kms-key applies to a snapshot given by ARN "
		               "(another account's), not to %s",
		               x->o.snapshot);
	}
	const config_region *r = x->region;
	if (r->v1_max_capacity > 0 && r->v2_max_capacity > 0)
		return err_set(e, ORC_EUSAGE,
		               "%s: infrastructure[\"%s\"].auroraDB sets both Serverless v1 and v2 "
		               "capacity (keep one pair)",
		               x->o.config_path, r->name);
	if (r->v1_min_capacity > r->v1_max_capacity || r->v2_min_capacity > r->v2_max_capacity)
		return err_set(e, ORC_EUSAGE,
		               "%s: infrastructure[\"%s\"].auroraDB: a MinCapacity is above its "
		               "MaxCapacity (swap them)",
		               x->o.config_path, r->name);
	char **sg = NULL;
	size_t nsg = 0;
	if ((rc = snapshot_security_group_ids(x->aws, r->db_security_groups, &sg, &nsg, e)))
		return rc;
	/* Both end up in tags; the request id is also what a re-run is matched by. */
	char *who = snapshot_tag_value(x->o.requested_by);
	char *rid = snapshot_tag_value(x->o.request_id);
	restore_opts ro = {
	    .cluster = x->cluster,
	    .snapshot = x->o.snapshot,
	    .subnet_group = config_is_unset(r->db_subnet_group) ? NULL : r->db_subnet_group,
	    .security_group_ids = sg,
	    .nsecurity_groups = nsg,
	    .v1_min = r->v1_min_capacity,
	    .v1_max = r->v1_max_capacity,
	    .v2_min = r->v2_min_capacity,
	    .v2_max = r->v2_max_capacity,
	    .keep_old = x->o.keep_old,
	    .skip_final_snapshot = x->o.skip_final,
	    .timeout = x->o.timeout,
	    .request_id = rid,
	    .requested_by = who,
	};
	char *old = NULL, *fin = NULL;
	log_group_begin("snapshot restore");
	rc = restore_run(x->aws, &ro, &old, &fin, e);
	log_group_end();
	aws_xml_free_texts(sg);
	free(who);
	free(rid);
	if (rc == 0) {
		log_gha_output("cluster", x->cluster);
		log_gha_output("snapshot", x->o.snapshot);
		if (old)
			log_gha_output("old_cluster", old);
		if (fin)
			log_gha_output("final_snapshot", fin);
		buf md = BUF_INIT;
		buf_printf(&md, "### Cluster restored\n\n`%s` in %s from snapshot `%s`.",
		           x->cluster, aws_client_region(x->aws), x->o.snapshot);
		if (old && x->o.keep_old)
			buf_printf(&md, " The old cluster is kept as `%s`.", old);
		else if (old && fin)
			buf_printf(&md,
			           " The old cluster `%s` was deleted; its final snapshot is `%s`.",
			           old, fin);
		else if (old)
			buf_printf(&md,
			           " The old cluster `%s` was deleted without a final snapshot.",
			           old);
		buf_puts(&md, "\n");
		log_gha_summary(buf_cstr(&md));
		buf_free(&md);
	}
	free(old);
	free(fin);
	return rc;
}

static int do_list(ctx *x, err *e)
{
	rds_snapshot *list;
	size_t n;
	int rc = snapshot_list(x->aws, x->cluster, &list, &n, e);
	if (rc)
		return rc;
	char *current = NULL;
	err ignored = ERR_INIT;
	if (metadata_get_snapshot(x->o.metadata_path, aws_client_region(x->aws), &current,
	                          &ignored) != 0)
		log_warn("%s", ignored.msg);
	if (x->o.json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *item = cJSON_CreateObject();
			cJSON_AddStringToObject(item, "id", list[i].id);
			cJSON_AddStringToObject(item, "status", list[i].status);
			cJSON_AddStringToObject(item, "created", list[i].created);
			cJSON_AddNumberToObject(item, "sizeGiB", (double)list[i].storage_gb);
			cJSON_AddStringToObject(item, "type", list[i].type);
			cJSON_AddStringToObject(item, "engine", list[i].engine);
			cJSON_AddBoolToObject(item, "metadata",
			                      current && strcasecmp(current, list[i].id) == 0);
			cJSON_AddItemToArray(arr, item);
		}
		buf out = BUF_INIT;
		metadata_format(arr, &out);
		log_info("%.*s", (int)out.len - 1, out.ptr);
		buf_free(&out);
		cJSON_Delete(arr);
	} else if (n == 0) {
		log_info("no snapshots of cluster %s in %s", x->cluster, aws_client_region(x->aws));
	} else {
		log_info("  %-50s %-10s %-20s %8s  %s", "SNAPSHOT", "STATUS", "CREATED (UTC)",
		         "SIZE", "TYPE");
		for (size_t i = 0; i < n; i++) {
			int mark = current && strcasecmp(current, list[i].id) == 0;
			log_info("%s %-50s %-10s %-20.19s %5ld GiB  %s%s", mark ? "*" : " ",
			         list[i].id, list[i].status, list[i].created, list[i].storage_gb,
			         list[i].type, mark ? "  (metadata.json)" : "");
		}
	}
	free(current);
	rds_snapshots_free(list, n);
	return 0;
}

static int do_share(ctx *x, err *e)
{
	int rc = snapshot_from_metadata(x, e);
	if (rc)
		return rc;
	share_opts so = {.snapshot = x->o.snapshot,
	                 .account = x->o.account,
	                 .kms_key = x->o.kms_key,
	                 .timeout = x->o.timeout,
	                 .requested_by = x->o.requested_by,
	                 .request_id = x->o.request_id};
	share_result r = {0};
	buf policy = BUF_INIT;
	rc = share_run(x->aws, &so, &r, &policy, e);
	if (policy.len)
		log_info("%s", buf_cstr(&policy));
	buf_free(&policy);
	if (rc == 0) {
		log_info("snapshot %s: account %s %s restore it%s", r.id, x->o.account,
		         r.already ? "could already" : "may now",
		         r.copied ? " (a copy re-encrypted with --kms-key)" : "");
		log_info("in account %s: orchestrator snapshot restore --region %s --snapshot %s",
		         x->o.account, aws_client_region(x->aws), r.arn);
		log_gha_output("shared_snapshot", r.arn);
	}
	share_result_free(&r);
	return rc;
}

int cmd_snapshot(int argc, char **argv)
{
	ctx x;
	memset(&x, 0, sizeof x);
	int rc = parse(argc, argv, &x.o);
	if (rc)
		return rc < 0 ? 0 : rc;
	err e = ERR_INIT;
	rc = setup(&x, &e);
	if (rc == 0) {
		if (strcmp(x.o.verb, "create") == 0)
			rc = do_create(&x, &e);
		else if (strcmp(x.o.verb, "restore") == 0)
			rc = do_restore(&x, &e);
		else if (strcmp(x.o.verb, "list") == 0)
			rc = do_list(&x, &e);
		else
			rc = do_share(&x, &e);
	}
	free(x.o.snapshot);
	free(x.cluster);
	aws_client_free(x.aws);
	config_free(x.cfg);
	if (rc)
		return cmd_report(&e);
	return 0;
}
