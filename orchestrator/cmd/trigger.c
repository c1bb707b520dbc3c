/*
 * trigger: `trigger_workflow VERB ...` (= `orchestrator trigger`). Asks GitHub Actions for
 * an operation by firing one repository_dispatch event per region. Values missing on a
 * terminal are chosen from a menu; without a terminal they are usage errors naming the
 * flag. Everything is checked before the first event is sent, and what can be checked
 * without the user (CHANGE ME values, the token, the values given as flags) before the
 * first menu: a menu answered in vain is the stumble this command must not cause.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config/config.h"
#include "config/operations.h"
#include "config/root.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/opt.h"
#include "net/github.h"
#include "snapshot/metadata.h"
#include "trigger/pending.h"
#include "trigger/trigger.h"

static const char *const usage[] = {
    "trigger_workflow [VERB] [--region R|all] [--branch B] [--folder F] [--snapshot ID]\n"
    "                        [--source DB --target DB]\n"
    "                        [--config PATH] [--dry-run] [--yes] [--verbose]",
    "trigger_workflow --list-events   (verbs and payload keys, as JSON)",
    "trigger_workflow --version",
    NULL,
};

static const unsigned key_bits[] = {OP_REGION, OP_BRANCH, OP_SNAPSHOT,
                                    OP_FOLDER, OP_SOURCE, OP_TARGET};

/* The help's closing text: where the token comes from, then every verb and its flags. */
static char *help_footer(void)
{
	buf u = BUF_INIT;
	size_t n;
	const config_operation *ops = config_operations(&n);
	buf_puts(&u,
	         "On a terminal, what is missing is asked in numbered menus (README: Menus);\n"
	         "without one it is an error naming the flag. The token is read from the\n"
	         "variable config.json's githubTokenName names, else GH_TOKEN, GITHUB_TOKEN or\n"
	         "`gh auth token`.\n"
	         "verbs:\n");
	for (size_t i = 0; i < n; i++) {
		buf flags = BUF_INIT;
		for (size_t k = 0; k < sizeof key_bits / sizeof *key_bits; k++)
			if (ops[i].keys & key_bits[k])
				buf_printf(&flags, " %s--%s%s",
				           key_bits[k] == OP_SNAPSHOT ? "[" : "",
				           config_operation_key_name(key_bits[k]),
				           key_bits[k] == OP_SNAPSHOT ? "]" : "");
		buf_printf(&u, "  %-22s%-22s %s\n", ops[i].verb, buf_cstr(&flags), ops[i].summary);
		buf_free(&flags);
	}
	return buf_detach(&u);
}

/* The verbs, comma-separated, for an error line. */
static char *verb_list(void)
{
	buf b = BUF_INIT;
	size_t n;
	const config_operation *ops = config_operations(&n);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", ops[i].verb);
	return buf_detach(&b);
}

/* The verbs and their payload keys as JSON: what the workflow contract test reads. */
static int list_events(void)
{
	size_t n;
	const config_operation *ops = config_operations(&n);
	cJSON *doc = cJSON_CreateObject();
	for (size_t i = 0; i < n; i++) {
		cJSON *ev = cJSON_AddObjectToObject(doc, ops[i].verb);
		cJSON_AddStringToObject(ev, "alias", ops[i].alias);
		cJSON *keys = cJSON_AddArrayToObject(ev, "payload");
		cJSON *opt = cJSON_AddArrayToObject(ev, "optional");
		for (size_t k = 0; k < sizeof key_bits / sizeof *key_bits; k++)
			if (ops[i].keys & key_bits[k]) {
				const char *name = config_operation_key_name(key_bits[k]);
				cJSON_AddItemToArray(keys, cJSON_CreateString(name));
				if (key_bits[k] == OP_SNAPSHOT)
					cJSON_AddItemToArray(opt, cJSON_CreateString(name));
			}
		cJSON_AddItemToArray(keys, cJSON_CreateString("requested_by"));
		cJSON_AddItemToArray(keys, cJSON_CreateString("request_id"));
		cJSON *needs = cJSON_AddArrayToObject(ev, "needs");
		for (const char *const *need = ops[i].needs; *need; need++)
			cJSON_AddItemToArray(needs, cJSON_CreateString(*need));
	}
	log_json(doc);
	cJSON_Delete(doc);
	return 0;
}

struct request {
	const config_operation *op;
	char *region; /* a region name or "all" */
	char *branch;
	char *snapshot;
	char *folder;
	char *source, *target;
	int dry_run;
	const char *config_path;
	char *token;              /* heap; wiped by wipe_free */
	const char *token_source; /* the variable (or "gh auth token") it came from */
};

/* What every dispatch needs from config.json whatever the verb: the repository. */
static const char *const no_needs[] = {NULL};
static const config_operation any_verb = {"trigger_workflow", "", "", 0, no_needs, NULL};

/* Adds to p the values op still lacks in region (a name, "all" or NULL for every region;
 * ignored for an operation without a region); returns how many. */
static size_t unset_for(const config *c, const config_operation *op, const char *region,
                        config_problems *p)
{
	if (!(op->keys & OP_REGION) || (region && strcmp(region, "all") == 0))
		region = NULL;
	return config_operation_check(c, op, region, 0, p);
}

static int ready_in(const config *c, const config_operation *op, const char *region)
{
	config_problems p = {NULL, 0, 0};
	size_t n = unset_for(c, op, region, &p);
	config_problems_free(&p);
	return n == 0;
}

/* op can be sent: in region when one is given, else in at least one configured region. */
static int ready_somewhere(const config *c, const config_operation *op, const char *region)
{
	if (region || !(op->keys & OP_REGION))
		return ready_in(c, op, region);
	for (size_t i = 0; i < c->nregions; i++)
		if (ready_in(c, op, c->regions[i].name))
			return 1;
	return 0;
}

/* Fills a missing value from a menu, or fails naming the flag when there is no terminal. */
static int choose(char **value, const char *what, const char *flag, char **items, size_t n, err *e)
{
	if (*value)
		return 0;
	if (!trigger_interactive())
		return err_set(e, ORC_EUSAGE, "missing %s (no terminal to ask on; pass %s)", flag,
		               flag);
	return trigger_menu(what, flag, (const char *const *)items, n, value, e);
}

/*
 * The branch: chosen from the remote's branches (default first, then the newest), and in
 * any case one the remote has, since the workflow checks it out from there. When the clone
 * cannot tell (no clone, no remote, nothing fetched) a named branch goes with a warning.
 */
static int check_branch(struct request *rq, const config *c, const char *root, err *e)
{
	trigger_branches b;
	err why = ERR_INIT;
	int known = trigger_branches_read(root, c->github_owner, c->github_repo, &b, &why) == 0;
	if (known && b.n == 0) {
		err_set(&why, ORC_EUSAGE, "the clone has no branches of %s yet (git fetch %s)",
		        b.remote, b.remote);
		known = 0;
	}
	int rc = 0;
	if (!rq->branch && !trigger_interactive())
		rc = err_set(e, ORC_EUSAGE,
		             "missing --branch (no terminal to ask on; pass --branch)");
	else if (!rq->branch && !known)
		rc =
		    err_set(e, why.code,
		            "%s, so there are no branches to choose from (pass --branch)", why.msg);
	else if (!rq->branch)
		rc = trigger_menu_labeled("branch", "--branch", (const char *const *)b.names,
		                          (const char *const *)b.labels, b.n, &rq->branch, e);
	if (rc == 0)
		rc = trigger_check_branch(rq->branch, e);
	if (rc == 0 && known && !trigger_branches_has(&b, rq->branch))
		rc = err_set(e, ORC_EUSAGE,
		             "--branch %s: %s has no branch %s (as of this clone's last fetch): "
		             "push it (git push -u %s %s), or git fetch %s if someone else did",
		             rq->branch, b.remote, rq->branch, b.remote, rq->branch, b.remote);
	else if (rc == 0 && !known)
		log_warn("cannot check that branch %s exists on the remote: %s", rq->branch,
		         why.msg);
	trigger_branches_free(&b);
	return rc;
}

/* A region given on the command line is one of config.json's, or all. */
static int check_region(const char *region, const config *c, err *e)
{
	if (!region || strcmp(region, "all") == 0 || config_region_find(c, region))
		return 0;
	buf known = BUF_INIT;
	for (size_t i = 0; i < c->nregions; i++)
		buf_printf(&known, "%s%s", i ? ", " : "", c->regions[i].name);
	err_set(e, ORC_EUSAGE,
	        "--region %s: not a region of %s (configured: %s; add it under "
	        "\"infrastructure\" or pass one of them, or all)",
	        region, c->path, buf_cstr(&known));
	buf_free(&known);
	return ORC_EUSAGE;
}

static int complete_request(struct request *rq, const config *c, const char *root, err *e)
{
	unsigned keys = rq->op->keys;
	int given_branch = rq->branch != NULL;
	/* What the command line gives is checked before any menu asks for the rest. */
	if ((keys & OP_BRANCH) && given_branch) {
		int rc = check_branch(rq, c, root, e);
		if (rc)
			return rc;
	}
	if ((keys & OP_FOLDER) && rq->folder) {
		int rc = trigger_check_folder(root, rq->folder, e);
		if (rc)
			return rc;
	}
	if ((keys & OP_SNAPSHOT) && rq->snapshot) {
		int rc = trigger_check_snapshot(rq->snapshot, e);
		if (rc)
			return rc;
	}
	/* One region: nothing to choose, with or without a terminal. */
	if ((keys & OP_REGION) && !rq->region && c->nregions == 1) {
		rq->region = xstrdup(c->regions[0].name);
		log_info("region: %s (the only one in %s)", rq->region, c->path);
	}
	if ((keys & OP_REGION) && !rq->region) {
		/* Offered: the regions this verb can be sent to (a dry run shows them all). */
		char **names = xcalloc(c->nregions + 2, sizeof *names);
		size_t n = 0;
		for (size_t i = 0; i < c->nregions; i++) {
			if (rq->dry_run || ready_in(c, rq->op, c->regions[i].name))
				names[n++] = xstrdup(c->regions[i].name);
			else
				log_warn(
				    "region %s not offered: %s still has CHANGE ME values %s "
				    "needs (orchestrator config check --operation %s lists them)",
				    c->regions[i].name, c->path, rq->op->verb, rq->op->verb);
		}
		if (n == 1 && c->nregions > 1) {
			rq->region = xstrdup(names[0]);
			log_info("region: %s (the only one of %s ready for %s)", rq->region,
			         c->path, rq->op->verb);
		} else if (n == c->nregions && n > 1) {
			names[n++] = xstrdup("all");
		}
		int rc = choose(&rq->region, "region", "--region", names, n, e);
		config_free_list(names);
		if (rc)
			return rc;
	}
	if ((keys & OP_BRANCH) && !given_branch) {
		int rc = check_branch(rq, c, root, e);
		if (rc)
			return rc;
	}
	if (keys & OP_FOLDER) {
		size_t n = 0;
		char **names = NULL;
		if (!rq->folder && trigger_interactive()) {
			names = trigger_folders(root, &n, e);
			if (!names)
				return e->code;
		}
		int rc = choose(&rq->folder, "folder", "--folder", names, n, e);
		config_free_list(names);
		if (rc || (rc = trigger_check_folder(root, rq->folder, e)))
			return rc;
	}
	/* restore-snapshot on a terminal: the template's menu of snapshots. Without one (or
	 * for every region) the workflow restores the snapshot metadata.json records. */
	if ((keys & OP_SNAPSHOT) && !rq->snapshot &&
	    strcmp(rq->op->verb, "restore-snapshot") == 0 && strcmp(rq->region, "all") != 0 &&
	    trigger_interactive()) {
		char *metadata = fs_join(root, METADATA_DEFAULT_PATH);
		trigger_choices snaps;
		int rc = trigger_snapshots(metadata, rq->region,
		                           config_region_find(c, rq->region)->db_cluster_name,
		                           &snaps, e);
		if (rc == 0 && snaps.n == 0)
			rc = err_set(
			    e, ORC_EUSAGE,
			    "no snapshot to restore in %s: %s records none and RDS lists no "
			    "available one (pass --snapshot ID)",
			    rq->region, metadata);
		if (rc == 0)
			rc = trigger_menu_labeled(
			    "snapshot", "--snapshot", (const char *const *)snaps.ids,
			    (const char *const *)snaps.labels, snaps.n, &rq->snapshot, e);
		trigger_choices_free(&snaps);
		free(metadata);
		if (rc)
			return rc;
	}
	if (keys & OP_SOURCE) {
		if (!rq->source)
			return err_set(
			    e, ORC_EUSAGE,
			    "missing --source (cluster:NAME, secret:NAME or a cluster NAME)");
		int rc = trigger_check_database("--source", rq->source, e);
		if (rc)
			return rc;
	}
	if (keys & OP_TARGET) {
		if (!rq->target)
			return err_set(
			    e, ORC_EUSAGE,
			    "missing --target (cluster:NAME, secret:NAME or a cluster NAME)");
		int rc = trigger_check_database("--target", rq->target, e);
		if (rc)
			return rc;
	}
	if ((keys & OP_SNAPSHOT) && rq->snapshot)
		return trigger_check_snapshot(rq->snapshot, e);
	return 0;
}

/* The request a dry run would send: printed, or (--output json) added to item. */
static void print_dry_run(const github_repo *gr, const char *event, const cJSON *payload,
                          cJSON *item, err *e)
{
	buf url = BUF_INIT, body = BUF_INIT, headers = BUF_INIT;
	if (github_dispatch_request(gr, event, payload, &url, &body, e) == 0) {
		github_dispatch_headers_shown(gr, &headers);
		if (item) {
			cJSON_AddStringToObject(item, "url", buf_cstr(&url));
			cJSON_AddItemToObject(item, "body", cJSON_Parse(buf_cstr(&body)));
		} else {
			log_info("POST %s\n%s\n%s", buf_cstr(&url), buf_cstr(&headers),
			         buf_cstr(&body));
		}
	}
	buf_free(&url);
	buf_free(&body);
	buf_free(&headers);
}

/* Frees a secret after overwriting it (the optimiser keeps OPENSSL_cleanse). */
static void wipe_free(char *secret)
{
	if (secret) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
}

/*
 * The dispatch token (heap; wipe_free it): the variable config.json's githubTokenName
 * names, else GH_TOKEN, else GITHUB_TOKEN, else what `gh auth token` prints when the GitHub
 * CLI is installed and logged in. *source says which, for the user; never the value.
 */
static char *find_token(const config *c, const char **source)
{
	const char *vars[] = {c->github_token_name, "GH_TOKEN", "GITHUB_TOKEN"};
	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v) {
			*source = vars[i];
			return xstrdup(v);
		}
	}
	FILE *p = popen("command -v gh >/dev/null 2>&1 && gh auth token 2>/dev/null", "r");
	if (!p)
		return NULL;
	char line[1024];
	char *token = NULL;
	if (fgets(line, sizeof line, p)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (*line) {
			token = xstrdup(line);
			*source = "gh auth token";
		}
	}
	OPENSSL_cleanse(line, sizeof line);
	pclose(p);
	return token;
}

/* The token for sending (rq->token), said where it came from; ORC_EUSAGE when there is none
 * or it could not be sent in a header. */
static int get_token(struct request *rq, const config *c, err *e)
{
	rq->token = find_token(c, &rq->token_source);
	if (!rq->token)
		return err_set(e, ORC_EUSAGE,
		               "%s is not set: export a GitHub token that can dispatch to %s/%s "
		               "(githubTokenName in %s names this variable; GH_TOKEN, "
		               "GITHUB_TOKEN or a logged-in gh CLI also do)",
		               c->github_token_name, c->github_owner, c->github_repo, c->path);
	log_add_secret(rq->token);
	const char *shown = rq->token_source;
	if (strcmp(rq->token_source, c->github_token_name) != 0)
		log_warn("%s is not set; using the token from %s", c->github_token_name,
		         rq->token_source);
	if (strcmp(shown, "gh auth token") == 0)
		shown = "the token gh auth token prints";
	for (const char *t = rq->token; *t; t++)
		if ((unsigned char)*t <= ' ' || *t == 0x7f)
			return err_set(e, ORC_EUSAGE,
			               "%s contains whitespace or control characters; copy the "
			               "token again and export it without them",
			               shown);
	return 0;
}

/*
 * Before the first menu: the values the request needs must be real (not CHANGE ME) and
 * a token must be at hand, so that nobody answers menus only to learn that config.json
 * was never filled in. Needs of a verb not chosen yet are judged by the verb menu, which
 * offers only the verbs that can be sent. On a dry run the values are warnings (the
 * request is still worth seeing) and no token is needed.
 */
static int check_before_menus(struct request *rq, const config *c, err *e)
{
	int rc = check_region(rq->region, c, e);
	if (rc)
		return rc;
	config_problems p = {NULL, 0, 0};
	config_operation_check(c, &any_verb, NULL, 1, &p);
	if (rq->op && !rq->dry_run && !ready_somewhere(c, rq->op, rq->region))
		unset_for(c, rq->op, rq->region, &p);
	for (size_t i = 0; i < p.n; i++) {
		if (rq->dry_run)
			log_warn("%s", p.lines[i]);
		else if (i + 1 < p.n)
			log_error("%s", p.lines[i]);
		else
			err_set(e, ORC_EUSAGE, "%s", p.lines[i]);
	}
	rc = p.n && !rq->dry_run ? ORC_EUSAGE : 0;
	config_problems_free(&p);
	if (rc == 0 && !rq->dry_run)
		rc = get_token(rq, c, e);
	return rc;
}

/* Sends one event per region; with results (--output json) each request is added there. */
static int send_events(const struct request *rq, const config *c, cJSON *results, err *e)
{
	const config_operation *op = rq->op;
	github_repo gr = {c->github_owner, c->github_repo, NULL, c->github_token_name};
	if (rq->token) {
		gr.token = rq->token;
		if (strcmp(rq->token_source, c->github_token_name) != 0 &&
		    strcmp(rq->token_source, "gh auth token") != 0)
			gr.token_name = rq->token_source;
	}
	char *who = trigger_requested_by();
	buf sent = BUF_INIT;
	int rc = 0;
	int all = rq->region && strcmp(rq->region, "all") == 0;
	size_t nevents = all ? c->nregions : 1;
	/* Nothing is sent while any event would cancel a run waiting in its group. */
	for (size_t i = 0; i < nevents && rc == 0 && !rq->dry_run; i++)
		rc = pending_check(&gr, op, all ? c->regions[i].name : rq->region, rq->folder, e);
	for (size_t i = 0; i < nevents && rc == 0; i++) {
		const char *region = all ? c->regions[i].name : rq->region;
		char *id = trigger_request_id();
		trigger_values v = {.region = region,
		                    .branch = rq->branch,
		                    .snapshot = rq->snapshot,
		                    .folder = rq->folder,
		                    .requested_by = who,
		                    .request_id = id,
		                    .source = rq->source,
		                    .target = rq->target};
		cJSON *payload = trigger_payload(op, &v);
		cJSON *item = NULL;
		if (results) {
			item = cJSON_CreateObject();
			cJSON_AddStringToObject(item, "event", op->verb);
			if (region)
				cJSON_AddStringToObject(item, "region", region);
			cJSON_AddStringToObject(item, "requestId", id);
			cJSON_AddBoolToObject(item, "sent", 0);
			cJSON_AddItemToArray(results, item);
		}
		if (rq->dry_run) {
			print_dry_run(&gr, op->verb, payload, item, e);
			rc = e->code;
		} else {
			int attempts = 0;
			rc = github_dispatch(&gr, op->verb, payload, &attempts, e);
			if (rc == 0) {
				char *actions = github_actions_url(&gr);
				log_info("dispatched %s%s%s (request %s) to %s/%s: follow it at %s",
				         op->verb, region ? " for " : "", region ? region : "", id,
				         c->github_owner, c->github_repo, actions);
				log_gha_output("request_id", id);
				if (item) {
					cJSON_ReplaceItemInObject(item, "sent",
					                          cJSON_CreateBool(1));
					cJSON_AddStringToObject(item, "actionsUrl", actions);
				}
				free(actions);
				buf_printf(&sent, "%s%s", sent.len ? ", " : "",
				           region ? region : op->verb);
			} else if (sent.len) {
				err_prefix(e, "%s (already dispatched: %s)", region,
				           buf_cstr(&sent));
			}
		}
		cJSON_Delete(payload);
		free(id);
	}
	if (rq->dry_run && rc == 0)
		log_warn("dry run: nothing was sent");
	buf_free(&sent);
	free(who);
	return rc;
}

int cmd_trigger(int argc, char **argv)
{
	struct request rq = {0};
	err e = ERR_INIT;
	config *c = NULL;
	char *root = NULL, *config_at_root = NULL;
	config_problems problems = {NULL, 0};
	const char *region = NULL, *branch = NULL, *folder = NULL, *snapshot = NULL;
	const char *source = NULL, *target = NULL;
	int list = 0, version = 0, yes = 0, output = OPT_OUTPUT_TEXT, rc = 0;
	cJSON *results = NULL;
	const opt_option options[] = {
	    OPT_REGION(&region,
	               "a region of config.json's infrastructure, or all (one event each)"),
	    OPT_STRING('b', "branch", &branch, "B",
	               "branch whose migrations run (run-migration); the remote must have it"),
	    OPT_STRING('f', "folder", &folder, "F",
	               "folder of infrastructure/ (deploy-/destroy-infrastructure)"),
	    OPT_STRING('s', "snapshot", &snapshot, "ID",
	               "RDS snapshot identifier (create-/restore-snapshot; optional; restore on a\n"
	               "terminal offers a menu); restore: also a cluster snapshot ARN another\n"
	               "account shared"),
	    OPT_STRING(0, "source", &source, "DB",
	               "compare-databases: cluster:NAME, secret:NAME or a cluster NAME"),
	    OPT_STRING(0, "target", &target, "DB", "compare-databases: the other database"),
	    OPT_CONFIG(&rq.config_path),
	    OPT_BOOL('n', "dry-run", &rq.dry_run, "print the request instead of sending it"),
	    OPT_BOOL('y', "yes", &yes,
	             "send restore-snapshot or destroy-infrastructure without asking (needed\n"
	             "without a terminal)"),
	    OPT_BOOL(0, "list-events", &list, "the verbs and their payload keys, as JSON"),
	    OPT_OUTPUT(&output),
	    OPT_VERBOSE("show the HTTP exchange (the token is always redacted)"),
	    OPT_QUIET(),
	    OPT_BOOL(0, "version", &version, "print the version"),
	    OPT_END(),
	};
	char *footer = help_footer();
	const opt_command cmd = {strcmp(argv[0], "trigger_workflow") == 0 ? "trigger_workflow"
	                                                                  : "orchestrator trigger",
	                         usage, options, footer};
	if (opt_parse(&cmd, &argc, argv, &rc))
		goto out;
	if (output == OPT_OUTPUT_JSON) {
		log_set_json(1);
		results = cJSON_CreateArray();
	}
	rq.region = region ? xstrdup(region) : NULL;
	rq.branch = branch ? xstrdup(branch) : NULL;
	rq.folder = folder ? xstrdup(folder) : NULL;
	rq.snapshot = snapshot ? xstrdup(snapshot) : NULL;
	rq.source = source ? xstrdup(source) : NULL;
	rq.target = target ? xstrdup(target) : NULL;
	if (version) {
		log_info("%s %s", cmd.name, ORC_VERSION);
		goto out;
	}
	if (list) {
		rc = list_events();
		goto out;
	}

	if (argc > 2) {
		rc = opt_error(&cmd, "unexpected argument \"%s\" (one VERB at most)", argv[2]);
		goto out;
	}
	if (argc == 2) {
		rq.op = config_operation_find(argv[1]);
		if (!rq.op) {
			size_t n;
			const config_operation *ops = config_operations(&n);
			const char **verbs = xcalloc(n, sizeof *verbs);
			for (size_t i = 0; i < n; i++)
				verbs[i] = ops[i].verb;
			const char *close = opt_suggest(argv[1], verbs, n);
			char *all = verb_list();
			if (close)
				rc = opt_error(&cmd, "unknown verb \"%s\" (did you mean \"%s\"?)",
				               argv[1], close);
			else
				rc = opt_error(&cmd, "unknown verb \"%s\" (one of %s)", argv[1],
				               all);
			free(all);
			free(verbs);
			goto out;
		}
	}
	if (!rq.config_path)
		rq.config_path = config_at_root = root_path(CONFIG_DEFAULT_PATH);
	if ((rc = config_load(rq.config_path, &c, &problems, &e)) != 0) {
		/* A missing file or invalid JSON is one line in e; otherwise every problem. */
		if (problems.n == 0) {
			rc = cmd_report(&e);
			goto out;
		}
		config_problems_print(rq.config_path, &problems);
		log_error("%s: %zu problem%s; fix %s before triggering (orchestrator config check "
		          "--config %s lists them)",
		          rq.config_path, problems.n, problems.n == 1 ? "" : "s",
		          problems.n == 1 ? "it" : "them", rq.config_path);
		config_problems_free(&problems);
		goto out;
	}
	root = fs_dir(rq.config_path);
	if ((rc = check_before_menus(&rq, c, &e)) != 0) {
		rc = cmd_report(&e);
		goto out;
	}

	if (!rq.op) {
		/* Offered: the verbs that can be sent with config.json as it is. */
		size_t n, k = 0;
		const config_operation *ops = config_operations(&n);
		char **verbs = xcalloc(n + 1, sizeof *verbs);
		buf held = BUF_INIT;
		for (size_t i = 0; i < n; i++) {
			if (rq.dry_run || ready_somewhere(c, &ops[i], rq.region))
				verbs[k++] = xstrdup(ops[i].verb);
			else
				buf_printf(&held, "%s%s", held.len ? ", " : "", ops[i].verb);
		}
		if (held.len && trigger_interactive())
			log_warn("not offered until %s has real values for them: %s (orchestrator "
			         "config check lists the CHANGE ME values)",
			         rq.config_path, buf_cstr(&held));
		buf_free(&held);
		char *verb = NULL;
		if (!trigger_interactive()) {
			char *all = verb_list();
			rc = opt_error(&cmd, "missing VERB (no terminal to ask on; name one of %s)",
			               all);
			free(all);
		} else if ((rc = trigger_menu("operation", "VERB", (const char *const *)verbs, k,
		                              &verb, &e)) != 0)
			rc = cmd_report(&e);
		else
			rq.op = config_operation_find(verb);
		free(verb);
		config_free_list(verbs);
		if (rc)
			goto out;
	}

	/* A flag the verb does not carry is a mistake worth stopping for. */
	const char *given[] = {rq.region, rq.branch, rq.snapshot, rq.folder, rq.source, rq.target};
	for (size_t k = 0; k < sizeof key_bits / sizeof *key_bits; k++) {
		if (given[k] && !(rq.op->keys & key_bits[k])) {
			rc = opt_error(&cmd, "--%s does not apply to %s",
			               config_operation_key_name(key_bits[k]), rq.op->verb);
			goto out;
		}
	}

	if ((rc = complete_request(&rq, c, root, &e)) != 0) {
		rc = cmd_report(&e);
		goto out;
	}

	/* A dry run goes on despite CHANGE ME values (the request is still worth seeing) and
	 * says which this request needs; a real one never gets here with any. */
	if (rq.dry_run) {
		const char *only = rq.region && strcmp(rq.region, "all") != 0 ? rq.region : NULL;
		config_operation_check(c, rq.op, only, 0, &problems);
		for (size_t i = 0; i < problems.n; i++)
			log_warn("%s", problems.lines[i]);
		config_problems_free(&problems);
	}

	/* The workflow reads config.json and the tfvars as pushed, not as they are here. */
	{
		char **files = xcalloc(c->nregions + 2, sizeof *files);
		size_t nf = 0;
		files[nf++] = xstrdup(rq.config_path);
		for (size_t i = 0; rq.folder && i < c->nregions; i++) {
			const char *r = c->regions[i].name;
			if (strcmp(rq.region, "all") == 0 || strcmp(rq.region, r) == 0)
				files[nf++] = xasprintf("%s/infrastructure/%s/var-files/%s.tfvars",
				                        root, rq.folder, r);
		}
		trigger_warn_unpushed(root, c->github_owner, c->github_repo,
		                      (const char *const *)files);
		config_free_list(files);
	}

	/* What cannot be undone is said, and confirmed, before it is sent. */
	if (rq.op->destroys && !rq.dry_run && !yes) {
		if (!trigger_interactive()) {
			err_set(&e, ORC_EUSAGE,
			        "%s cannot be undone (%s): pass --yes to send it (no terminal to "
			        "ask on)",
			        rq.op->verb, rq.op->destroys);
			rc = cmd_report(&e);
			goto out;
		}
		buf sum = BUF_INIT;
		buf_printf(&sum, "About to send %s to %s/%s: region %s", rq.op->verb,
		           c->github_owner, c->github_repo, rq.region);
		if (rq.folder)
			buf_printf(&sum, ", folder %s", rq.folder);
		if (rq.op->keys & OP_SNAPSHOT)
			buf_printf(&sum, ", snapshot %s",
			           rq.snapshot ? rq.snapshot : "(the one metadata.json records)");
		buf_printf(&sum, ".\nThis cannot be undone: %s.", rq.op->destroys);
		rc = trigger_confirm(buf_cstr(&sum), &e);
		buf_free(&sum);
		if (rc) {
			rc = cmd_report(&e);
			goto out;
		}
	}
	rc = send_events(&rq, c, results, &e);
	if (results) {
		/* What was sent (or would be), even when a later region failed. */
		cJSON *doc = cJSON_CreateObject();
		char *repo = xasprintf("%s/%s", c->github_owner, c->github_repo);
		cJSON_AddStringToObject(doc, "repository", repo);
		free(repo);
		cJSON_AddBoolToObject(doc, "dryRun", rq.dry_run);
		cJSON_AddItemToObject(doc, "requests", results);
		results = NULL;
		log_json(doc);
		cJSON_Delete(doc);
	}
	if (rc)
		rc = cmd_report(&e);
out:
	cJSON_Delete(results);
	free(footer);
	free(rq.region);
	free(rq.branch);
	free(rq.snapshot);
	free(rq.folder);
	free(rq.source);
	free(rq.target);
	free(root);
	free(config_at_root);
	wipe_free(rq.token);
	config_free(c);
	return rc;
}
