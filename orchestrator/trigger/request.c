/*
 * trigger/request: checks and payload of one dispatch request. Names are judged by the
 * rules of whoever consumes them (git for branches, RDS for snapshots), through their
 * libraries where one exists.
 */
#include <ctype.h>
#include <dirent.h>
#include "git/git2.h"
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fs.h"
#include "trigger/trigger.h"
#include "snapshot/share.h"

int trigger_check_branch(const char *branch, err *e)
{
	int valid = 0;
	char *ref = xasprintf("refs/heads/%s", branch);
	git_libgit2_init();
	if (git_reference_name_is_valid(&valid, ref) != 0)
		valid = 0;
	git_libgit2_shutdown();
	free(ref);
	if (!valid || branch[0] == '-')
		return err_set(e, ORC_EUSAGE,
		               "--branch \"%s\": not a valid git branch name (no spaces, \"..\", "
		               "\"~^:?*[\\\\\", leading \"-\" or trailing \".lock\")",
		               branch);
	return 0;
}

int trigger_check_snapshot(const char *id, err *e)
{
	if (strncmp(id, "arn:", 4) == 0) {
		char *region, *account, *name;
		if (!share_parse_arn(id, &region, &account, &name))
			return err_set(e, ORC_EUSAGE,
			               "--snapshot \"%.120s\": not an RDS cluster snapshot ARN "
			               "(arn:aws:rds:REGION:ACCOUNT:cluster-snapshot:NAME)",
			               id);
		free(region);
		free(account);
		free(name);
		return 0;
	}
	size_t len = strlen(id);
	const char *why = NULL;
	if (len == 0 || len > 255)
		why = "it must be 1 to 255 characters";
	else if (!isalpha((unsigned char)id[0]))
		why = "it must start with a letter";
	else if (id[len - 1] == '-')
		why = "it must not end with a hyphen";
	else if (strstr(id, "--"))
		why = "it must not contain two hyphens in a row";
	for (const char *p = id; !why && *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			why = "only letters, digits and hyphens are allowed";
	if (why)
		return err_set(e, ORC_EUSAGE,
		               "--snapshot \"%.80s\": not a valid RDS snapshot identifier: %s", id,
		               why);
	return 0;
}

int trigger_check_database(const char *flag, const char *ref, err *e)
{
	const char *name = ref;
	if (strncmp(ref, "cluster:", 8) == 0)
		name = ref + 8;
	else if (strncmp(ref, "secret:", 7) == 0)
		name = ref + 7;
	size_t len = strlen(name);
	int ok = len > 0 && len <= 512 && isalnum((unsigned char)name[0]);
	/* Secrets Manager names: letters, digits and /_+=.@-; cluster identifiers are a subset.
	 * No ':' past the kind, so neither a URL nor user:password@host gets through. */
	for (const char *p = name; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || strchr("/_+=.@-", *p);
	/* The value itself is not repeated: it may be a URL with a password in it. */
	if (!ok)
		return err_set(
		    e, ORC_EUSAGE,
		    "%s: not a database name: give cluster:NAME (a DB cluster identifier), "
		    "secret:NAME (a Secrets Manager secret) or a bare cluster NAME; never a "
		    "URL or a password",
		    flag);
	return 0;
}

int trigger_is_component(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int found = 0;
	struct dirent *ent;
	while (!found && (ent = readdir(d)) != NULL) {
		size_t len = strlen(ent->d_name);
		found = len > 3 && strcmp(ent->d_name + len - 3, ".tf") == 0;
	}
	closedir(d);
	return found;
}

int trigger_check_folder(const char *root, const char *folder, err *e)
{
	if (!*folder || folder[0] == '.' || strchr(folder, '/'))
		return err_set(
		    e, ORC_EUSAGE,
		    "--folder \"%s\": expected the name of one folder in infrastructure/", folder);
	char *infra = fs_join(root, "infrastructure");
	char *dir = fs_join(infra, folder);
	int ok = fs_is_dir(dir) && trigger_is_component(dir);
	if (!ok && fs_is_dir(dir))
		err_set(e, ORC_EUSAGE,
		        "--folder \"%s\": %s holds no .tf file, so it is not a Terraform "
		        "component (choose a folder of %s that holds .tf files)",
		        folder, dir, infra);
	else if (!ok)
		err_set(e, ORC_EUSAGE,
		        "--folder \"%s\": %s is not a folder (choose one of the folders in %s)",
		        folder, dir, infra);
	free(dir);
	free(infra);
	return ok ? 0 : ORC_EUSAGE;
}

char *trigger_requested_by(void)
{
	char *who = NULL;
	git_libgit2_init();
	git_config *cfg = NULL;
	git_buf name = {0};
	if (git_config_open_default(&cfg) == 0 &&
	    git_config_get_string_buf(&name, cfg, "user.name") == 0 && name.ptr && *name.ptr)
		who = xstrdup(name.ptr);
	git_buf_dispose(&name);
	git_config_free(cfg);
	git_libgit2_shutdown();
	if (!who) {
		const char *user = getenv("USER");
		who = xstrdup(user && *user ? user : "unknown");
	}
	return who;
}

char *trigger_request_id(void)
{
	unsigned char raw[16];
	if (RAND_bytes(raw, sizeof raw) != 1)
		abort(); /* no randomness: nothing sensible to do */
	buf hex = BUF_INIT;
	buf_put_hex(&hex, raw, sizeof raw);
	return buf_detach(&hex);
}

cJSON *trigger_payload(const config_operation *op, const trigger_values *v)
{
	cJSON *p = cJSON_CreateObject();
	if (op->keys & OP_REGION)
		cJSON_AddStringToObject(p, "region", v->region);
	if (op->keys & OP_BRANCH)
		cJSON_AddStringToObject(p, "branch", v->branch);
	if ((op->keys & OP_SNAPSHOT) && v->snapshot)
		cJSON_AddStringToObject(p, "snapshot", v->snapshot);
	if (op->keys & OP_FOLDER)
		cJSON_AddStringToObject(p, "folder", v->folder);
	if (op->keys & OP_SOURCE)
		cJSON_AddStringToObject(p, "source", v->source);
	if (op->keys & OP_TARGET)
		cJSON_AddStringToObject(p, "target", v->target);
	cJSON_AddStringToObject(p, "requested_by", v->requested_by);
	cJSON_AddStringToObject(p, "request_id", v->request_id);
	return p;
}
