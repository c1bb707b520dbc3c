/*
 * snapshot: `orchestrator snapshot create|restore|list|share`. Reads the region's
 * auroraDB settings from config.json and metadata.json, then calls snapshot/ (create,
 * list, share) and snapshot/restore (the resumable restore); --commit/--push record the
 * new snapshot in git through gitops.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "config/config.h"
#include "config/root.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/opt.h"
#include "git/gitops.h"
#include "snapshot/metadata.h"
#include "snapshot/restore.h"
#include "snapshot/share.h"
#include "snapshot/snapshot.h"

enum { CREATE = 1, RESTORE = 2, LIST = 4, SHARE = 8, ALL = 15 };

static const struct verb {
	const char *name;
	unsigned bit;
	const char *usage;
} verbs[] = {
    {"create", CREATE,
     "orchestrator snapshot create  --region R [--snapshot ID] [--commit [--push]]"},
    {"restore", RESTORE,
     "orchestrator snapshot restore --region R [--snapshot ID] [--keep-old | "
     "--skip-final-snapshot]"},
    {"list", LIST, "orchestrator snapshot list    --region R [--json]"},
    {"share", SHARE,
     "orchestrator snapshot share   --region R [--snapshot ID] --account ACCOUNT [--kms-key KEY]"},
};

typedef struct opts {
	const char *verb;
	const char *region;
	char *snapshot;
	const char *config_path;
	const char *metadata_path;
	char *at_root[2]; /* the default paths found at the repository root (heap) */
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

/* An option and the verbs that take it. */
struct verb_option {
	unsigned verbs;
	opt_option opt;
};

/* An option another verb takes ("--commit" to list) is named with the verbs that take it,
 * which says more than "unknown option". Returns 1 with *rc set when there is one. */
static int other_verbs_option(const opt_command *cmd, const struct verb *v,
                              const struct verb_option *all, size_t n, int argc, char **argv,
                              int *rc)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strncmp(argv[i], "--", 2) != 0)
			continue;
		const char *name = argv[i] + 2;
		size_t len = strcspn(name, "=");
		for (size_t k = 0; k < n; k++) {
			const char *l = all[k].opt.long_name;
			if ((all[k].verbs & v->bit) || !l || strlen(l) != len ||
			    strncmp(l, name, len))
				continue;
			buf takers = BUF_INIT;
			for (size_t j = 0; j < sizeof verbs / sizeof *verbs; j++)
				if (all[k].verbs & verbs[j].bit)
					buf_printf(&takers, "%s%s", takers.len ? ", " : "",
					           verbs[j].name);
			*rc = opt_error(cmd, "--%s belongs to %s", l, buf_cstr(&takers));
			buf_free(&takers);
			return 1;
		}
	}
	return 0;
}

/* Parses one verb's options (argv[0] is the verb). Returns 0 to go on, else 1 with *rc the
 * exit code (0 after --help). */
static int parse(int argc, char **argv, opts *o, int *rc)
{
	memset(o, 0, sizeof *o);
	o->verb = argv[0];
	long timeout = 3600;
	const char *snapshot = NULL;
	const struct verb *v = NULL;
	for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
		if (strcmp(verbs[i].name, o->verb) == 0)
			v = &verbs[i];
	const struct verb_option all[] = {
	    {ALL, OPT_REGION(&o->region, "AWS region, a key of config.json \"infrastructure\"")},
	    {CREATE | RESTORE | SHARE,
	     OPT_STRING('s', "snapshot", &snapshot, "ID",
	                "snapshot identifier (create: default\n"
	                "<cluster>-snapshot-<UTC yyyymmdd-HHMMSS>Z; restore, share:\n"
	                "default the one metadata.json records for the region; restore:\n"
	                "also arn:aws:rds:REGION:ACCOUNT:cluster-snapshot:NAME, a snapshot\n"
	                "another account shared, copied into this account first)")},
	    {ALL, OPT_CONFIG(&o->config_path)},
	    {ALL, OPT_STRING('m', "metadata", &o->metadata_path, "PATH",
	                     "metadata.json (default ./metadata.json)")},
	    {CREATE,
	     OPT_BOOL(0, "commit", &o->commit, "commit metadata.json as gitbotName <gitbotEmail>")},
	    {CREATE, OPT_BOOL(0, "push", &o->push, "push that commit (token: $GITHUB_TOKEN)")},
	    {ALL, OPT_INTEGER('t', "timeout", &timeout, "S", 1, 86400,
	                      "seconds one wait may take (default 3600)")},
	    {RESTORE,
	     OPT_BOOL(0, "keep-old", &o->keep_old, "keep the old cluster instead of deleting it")},
	    {RESTORE, OPT_BOOL(0, "skip-final-snapshot", &o->skip_final,
	                       "delete the old cluster without a final snapshot")},
	    {SHARE, OPT_STRING(0, "account", &o->account, "ID",
	                       "the 12-digit account allowed to restore it")},
	    {SHARE | RESTORE,
	     OPT_STRING(0, "kms-key", &o->kms_key, "KEY",
	                "share: a customer managed KMS key the account may use; a snapshot\n"
	                "under aws/rds is copied re-encrypted with it and the copy shared;\n"
	                "restore: the key of the local copy of another account's snapshot\n"
	                "(default this account's aws/rds)")},
	    {CREATE | LIST,
	     OPT_CHOICE(0, "output", &o->json, "json|text", opt_output_choices,
	                "json: one JSON document on stdout for scripts; text (default)")},
	    {CREATE | LIST,
	     OPT_SET_INT(0, "json", &o->json, OPT_OUTPUT_JSON, "the same as --output json")},
	    {CREATE | RESTORE, OPT_STRING(0, "requested-by", &o->requested_by, "WHO",
	                                  "recorded in tags (the workflow passes the payload's)")},
	    {CREATE | RESTORE, OPT_STRING(0, "request-id", &o->request_id, "ID",
	                                  "recorded in tags; a restore re-run with the same ID\n"
	                                  "resumes or finds it done")},
	    {ALL, OPT_VERBOSE("log each AWS step")},
	    {ALL, OPT_QUIET()},
	};
	opt_option options[sizeof all / sizeof *all + 1];
	size_t n = 0;
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		if (all[i].verbs & v->bit)
			options[n++] = all[i].opt;
	options[n] = (opt_option)OPT_END();
	const char *const usage[] = {v->usage, NULL};
	char *name = xasprintf("orchestrator snapshot %s", v->name);
	const opt_command cmd = {name, usage, options, NULL};
	int stop = other_verbs_option(&cmd, v, all, sizeof all / sizeof *all, argc, argv, rc) ||
	           opt_parse(&cmd, &argc, argv, rc);
	o->timeout = (int)timeout;
	if (o->json)
		log_set_json(1);
	o->snapshot = snapshot ? xstrdup(snapshot) : NULL;
	if (!stop) {
		*rc = ORC_EUSAGE;
		stop = 1;
		if (argc > 1)
			opt_error(&cmd, "unexpected argument '%s'", argv[1]);
		else if (o->push && !o->commit)
			opt_error(&cmd, "--push needs --commit");
		else if (o->keep_old && o->skip_final)
			opt_error(&cmd, "choose --keep-old or --skip-final-snapshot, not both");
		else if (v->bit == SHARE && !o->account)
			opt_error(&cmd, "--account ID is required");
		else
			*rc = ORC_OK, stop = 0;
	}
	if (!stop && !o->config_path)
		o->config_path = o->at_root[0] = root_path(CONFIG_DEFAULT_PATH);
	if (!stop && !o->metadata_path)
		o->metadata_path = o->at_root[1] = root_path(METADATA_DEFAULT_PATH);
	free(name);
	return stop;
}

static int setup(ctx *x, err *e)
{
	config_problems problems = {NULL, 0};
	int rc = config_load(x->o.config_path, &x->cfg, &problems, e);
	if (rc)
		config_problems_print(x->o.config_path, &problems);
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

struct record_make {
	const char *path, *region, *id;
};

static int record_make(void *arg, err *e)
{
	struct record_make *m = arg;
	int changed;
	return metadata_set_snapshot(m->path, m->region, m->id, &changed, e);
}

/* Commit (and push) metadata.json; a push the remote rejects is redone on its tip. */
static int record(ctx *x, const char *id, int *committed, err *e)
{
	char *dir = fs_dir(x->o.metadata_path);
	const char *slash = strrchr(x->o.metadata_path, '/');
	const char *file = slash ? slash + 1 : x->o.metadata_path;
	const char *paths[] = {file};
	const char *region = aws_client_region(x->aws);
	char *message = xasprintf("metadata: %s snapshot %s", region, id);
	struct record_make m = {x->o.metadata_path, region, id};
	gitops_publish_opts po = {
	    dir,       paths,       1, message, x->cfg->gitbot_name, x->cfg->gitbot_email,
	    x->o.push, record_make, &m};
	int rc = gitops_publish(&po, committed, NULL, e);
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
		if (x->o.json) {
			cJSON *doc = cJSON_CreateObject();
			cJSON_AddStringToObject(doc, "snapshot", id);
			cJSON_AddStringToObject(doc, "cluster", x->cluster);
			cJSON_AddStringToObject(doc, "region", region);
			cJSON_AddStringToObject(doc, "metadata", x->o.metadata_path);
			cJSON_AddBoolToObject(doc, "committed", committed);
			log_json(doc);
			cJSON_Delete(doc);
		}
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
		log_result("%.*s", (int)out.len - 1, out.ptr);
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

static int run(int argc, char **argv)
{
	ctx x;
	memset(&x, 0, sizeof x);
	int rc;
	if (parse(argc, argv, &x.o, &rc)) {
		free(x.o.snapshot);
		return rc;
	}
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
	free(x.o.at_root[0]);
	free(x.o.at_root[1]);
	free(x.cluster);
	aws_client_free(x.aws);
	config_free(x.cfg);
	if (rc)
		return cmd_report(&e);
	return 0;
}

int cmd_snapshot(int argc, char **argv)
{
	static const opt_subcommand subs[] = {
	    {"create", run, "snapshot the region's cluster and record it in metadata.json"},
	    {"restore", run, "restore a snapshot in place of the region's cluster (resumable)"},
	    {"list", run, "list the cluster's snapshots"},
	    {"share", run, "let another AWS account restore a snapshot"},
	};
	return opt_dispatch("orchestrator snapshot", subs, sizeof subs / sizeof *subs, argc, argv);
}
