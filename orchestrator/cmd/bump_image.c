/*
 * bump-image: `orchestrator bump-image --version V [--config PATH] [--commit] [--push]`.
 * Sets app_version in infrastructure/migration-task/var-files/<region>.tfvars for every
 * region of config.json, changing that one value and keeping every other byte (config/
 * tfvars), then optionally commits those files as the gitbot and pushes (git/gitops).
 * Every file is read and checked before any is written, so a bad file leaves all as they
 * were. The same version twice changes nothing and makes no second commit. A push refused
 * because the branch moved on is retried on top of the remote's tip.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config/config.h"
#include "config/root.h"
#include "config/tfvars.h"
#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/opt.h"
#include "git/gitops.h"

#define VAR "app_version"

static const char *const usage[] = {
    "orchestrator bump-image --version V [--config PATH] [--commit] [--push]",
    NULL,
};

/* Docker's tag grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. It also keeps the value a
 * plain word inside the tfvars string. */
static int valid_tag(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > 128 || v[0] == '.' || v[0] == '-')
		return 0;
	for (const char *p = v; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
			return 0;
	return 1;
}

struct bump {
	const config *c;
	const char *root;
	const char *version;
	char **rel; /* per region: infrastructure/migration-task/var-files/<region>.tfvars */
	size_t changed;
};

/* Reads every region's file, sets the version in memory, then writes the changed ones. */
static int bump_files(struct bump *b, err *e)
{
	size_t n = b->c->nregions;
	tfvars **tf = xcalloc(n ? n : 1, sizeof *tf);
	int *changed = xcalloc(n ? n : 1, sizeof *changed);
	char **old = xcalloc(n ? n : 1, sizeof *old);
	int rc = 0;
	b->changed = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		char *path = fs_join(b->root, b->rel[i]);
		buf text = BUF_INIT;
		rc = fs_read_file(path, &text, e);
		if (rc)
			err_set(
			    e, ORC_EUSAGE,
			    "%s: missing, but config.json has region %s (create it from another "
			    "region's file, or remove the region)",
			    b->rel[i], b->c->regions[i].name);
		else
			rc = tfvars_parse(b->rel[i], buf_cstr(&text), text.len, &tf[i], e);
		buf_free(&text);
		free(path);
		if (rc)
			break;
		const tfvars_entry *en = tfvars_get(tf[i], VAR);
		if (en && en->kind != TFVARS_STRING && en->kind != TFVARS_NUMBER) {
			rc = err_set(e, ORC_EUSAGE,
			             "%s:%d: %s: expected a string (write %s = \"V\")", b->rel[i],
			             en->line, VAR, VAR);
			break;
		}
		old[i] = xstrdup(en ? en->value : "(unset)");
		rc = tfvars_set_string(tf[i], VAR, b->version, &changed[i], e);
	}
	for (size_t i = 0; i < n && !rc; i++) {
		if (!changed[i]) {
			log_info("%s: %s already \"%s\" (%s)", b->c->regions[i].name, VAR,
			         b->version, b->rel[i]);
			continue;
		}
		size_t len;
		const char *text = tfvars_text(tf[i], &len);
		char *path = fs_join(b->root, b->rel[i]);
		rc = fs_write_atomic(path, text, len, e);
		free(path);
		if (rc)
			break;
		b->changed++;
		log_info("%s: %s \"%s\" -> \"%s\" (%s)", b->c->regions[i].name, VAR, old[i],
		         b->version, b->rel[i]);
	}
	for (size_t i = 0; i < n; i++) {
		tfvars_free(tf[i]);
		free(old[i]);
	}
	free(tf);
	free(changed);
	free(old);
	return rc;
}

static int bump_make(void *arg, err *e)
{
	return bump_files(arg, e);
}

/* Writes the files, then (with --commit) commits them and (with --push) pushes, redoing
 * all of it on the remote's tip when it moved on. */
static int bump_and_publish(struct bump *b, int do_commit, int do_push, int *committed, buf *sha,
                            err *e)
{
	if (!do_commit)
		return bump_files(b, e);
	buf msg = BUF_INIT;
	buf_printf(&msg, "bump-image: migration image %s\n\nSets %s in", b->version, VAR);
	for (size_t i = 0; i < b->c->nregions; i++)
		buf_printf(&msg, "%s %s", i ? "," : "", b->rel[i]);
	buf_puts(&msg, ".\n");
	gitops_publish_opts po = {b->root,
	                          (const char *const *)b->rel,
	                          b->c->nregions,
	                          msg.ptr,
	                          b->c->gitbot_name,
	                          b->c->gitbot_email,
	                          do_push,
	                          bump_make,
	                          b};
	int rc = gitops_publish(&po, committed, sha, e);
	buf_free(&msg);
	return rc;
}

int cmd_bump_image(int argc, char **argv)
{
	const char *version = NULL, *path = NULL;
	int do_commit = 0, do_push = 0, opt_rc;
	const opt_option options[] = {
	    OPT_STRING(0, "version", &version, "V",
	               "the migration image tag to deploy (a Docker tag: letters, digits,\n"
	               "_ . -, at most 128, not starting with . or -)"),
	    OPT_STRING('c', "config", &path, "PATH",
	               "config.json (default: config.json); its regions are bumped in\n"
	               "infrastructure/migration-task/var-files/<region>.tfvars beside it"),
	    OPT_BOOL(0, "commit", &do_commit,
	             "commit the changed files as gitbotName <gitbotEmail>"),
	    OPT_BOOL(0, "push", &do_push,
	             "push that commit to origin (implies --commit; token: $GITHUB_TOKEN)"),
	    OPT_VERBOSE("more detail on stderr"),
	    OPT_QUIET(),
	    OPT_END(),
	};
	const opt_command cmd = {
	    "orchestrator bump-image", usage, options,
	    "Exit 0 done (also when nothing changed), 1 commit or push failed, 2 usage or config\n"
	    "error, 3 the remote refused."};
	if (opt_parse(&cmd, &argc, argv, &opt_rc))
		return opt_rc;
	if (do_push)
		do_commit = 1;
	if (argc > 1)
		return opt_error(&cmd, "unexpected argument \"%s\"", argv[1]);
	if (!version)
		return opt_error(&cmd, "--version is required");
	if (!valid_tag(version))
		return opt_error(&cmd,
		                 "--version \"%s\" is not a Docker tag (letters, digits, _ . -, at "
		                 "most 128, not starting with . or -)",
		                 version);

	err e = ERR_INIT;
	config *c = NULL;
	config_problems problems = {NULL, 0};
	char *config_at_root = path ? NULL : root_path(CONFIG_DEFAULT_PATH);
	if (config_at_root)
		path = config_at_root;
	if (config_load(path, &c, &problems, &e) != 0) {
		config_problems_print(path, &problems);
		config_problems_free(&problems);
		free(config_at_root);
		return cmd_report(&e);
	}
	config_problems_free(&problems);

	char *root = fs_dir(path);
	free(config_at_root);
	struct bump b = {c, root, version, xcalloc(c->nregions + 1, sizeof(char *)), 0};
	for (size_t i = 0; i < c->nregions; i++)
		b.rel[i] = xasprintf("infrastructure/migration-task/var-files/%s.tfvars",
		                     c->regions[i].name);
	if (do_push && getenv("GITHUB_TOKEN"))
		log_add_secret(getenv("GITHUB_TOKEN"));

	int committed = 0;
	buf sha = BUF_INIT;
	int rc = bump_and_publish(&b, do_commit, do_push, &committed, &sha, &e);

	if (!rc) {
		if (do_commit && committed)
			log_info("bump-image: committed %s%s", buf_cstr(&sha),
			         do_push ? " and pushed" : "");
		else if (do_commit)
			log_info("bump-image: nothing to commit, every region already runs %s",
			         version);
		log_gha_output("version", version);
		log_gha_output("changed", b.changed || committed ? "true" : "false");
		if (committed)
			log_gha_output("commit", buf_cstr(&sha));
		buf md = BUF_INIT;
		buf_printf(
		    &md,
		    "### bump-image\n\nMigration image `%s`: %zu of %zu region%s changed%s%s%s\n",
		    version, b.changed, c->nregions, c->nregions == 1 ? "" : "s",
		    committed ? ", commit `" : "", committed ? buf_cstr(&sha) : "",
		    committed ? "`" : "");
		log_gha_summary(md.ptr);
		buf_free(&md);
	}
	buf_free(&sha);
	for (size_t i = 0; i < c->nregions; i++)
		free(b.rel[i]);
	free(b.rel);
	free(root);
	config_free(c);
	return rc ? cmd_report(&e) : 0;
}
