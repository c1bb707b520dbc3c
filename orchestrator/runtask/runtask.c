/*
 * runtask: run-task's sequence over the ECS, EC2 and CloudWatch Logs calls.
 *
 * The request is assembled from what AWS says rather than from conventions: the
 * container to override comes from the task definition (never from the family name),
 * subnets and security groups are looked up by name (never guessed), the log stream is
 * the awslogs driver's "prefix/container/task-id". The request body is built once with a
 * random clientToken, which is also its startedBy: when RunTask's answer is lost (the
 * connection dropped, a 5xx after sending), ListTasks by that startedBy says whether
 * the task started before anything is sent again, and a resend carries the same token,
 * so at most one task ever starts.
 *
 * Waiting polls DescribeTasks at a steady cadence, every RUNTASK_POLL_MS (1 s), however
 * long the task runs: STOPPED is seen within a second, and one DescribeTasks plus one
 * GetLogEvents a second is far inside ECS's and CloudWatch Logs' rate limits (ECS
 * refills DescribeTasks at 20/s, GetLogEvents allows 25/s per account and region). After
 * STOPPED the log stream is read on, every RUNTASK_SETTLE_MS, until it has been quiet for
 * RUNTASK_QUIET_MS (2 s, and at least 3 empty reads) or RUNTASK_SETTLE_MAX_S (30 s) have
 * passed: CloudWatch delivers a container's last lines, usually the migration's error,
 * seconds after ECS reports the task stopped. The exit code is the one of the container
 * that was overridden, found by name, because task definitions add sidecars: a green run
 * must mean the migration itself succeeded.
 */
#include "runtask/runtask.h"

#include <curl/curl.h>
#include <limits.h>
#include "git/git2.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/ec2.h"
#include "aws/ecs.h"
#include "aws/logs.h"
#include "core/clock.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/progress.h"
#include "net/http.h"

#define RUNTASK_POLL_MS 1000L
#define RUNTASK_SETTLE_MS 500L
#define RUNTASK_QUIET_MS 2000L
#define RUNTASK_SETTLE_EMPTY_READS 3
#define RUNTASK_SETTLE_MAX_S 30.0

static const char *default_command[] = {"orchestrator", "migrate", "--git-branch", "{branch}"};

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Tests shorten the cadences (moto moves a task on per poll); the policy stays. */
static long env_ms(const char *name, long dflt)
{
	const char *v = getenv(name);
	long ms = v && *v ? strtol(v, NULL, 10) : 0;
	return ms > 0 ? ms : dflt;
}

char **runtask_command(const config_region *r, const char *branch, size_t *n)
{
	size_t len = r->task_command ? r->task_command_len
	                             : sizeof default_command / sizeof *default_command;
	char **argv = xcalloc(len + 1, sizeof *argv);
	for (size_t i = 0; i < len; i++) {
		buf b = BUF_INIT;
		buf_puts(&b, r->task_command ? r->task_command[i] : default_command[i]);
		buf_replace_all(&b, "{branch}", branch);
		argv[i] = buf_detach(&b);
	}
	if (n)
		*n = len;
	return argv;
}

const cJSON *runtask_pick_container(const cJSON *td)
{
	const cJSON *defs = cJSON_GetObjectItemCaseSensitive(td, "containerDefinitions");
	if (cJSON_GetArraySize(defs) == 1)
		return cJSON_GetArrayItem(defs, 0);
	const cJSON *d;
	cJSON_ArrayForEach(d, defs)
	{
		const cJSON *essential = cJSON_GetObjectItemCaseSensitive(d, "essential");
		if (cJSON_IsFalse(essential))
			continue;
		if (cJSON_GetObjectItemCaseSensitive(d, "firelensConfiguration"))
			continue;
		return d;
	}
	return NULL;
}

/* Every flywayTask value run-task needs must be set (not CHANGE ME). */
static int check_config(const config_region *r, err *e)
{
	const struct {
		const char *key, *value;
	} need[] = {{"taskDefinitionFamily", r->task_family},
	            {"taskCluster", r->task_cluster},
	            {"taskLaunchType", r->task_launch_type},
	            {"taskSubnets", r->task_subnets},
	            {"taskSecurityGroups", r->task_security_groups}};
	buf unset = BUF_INIT;
	for (size_t i = 0; i < sizeof need / sizeof *need; i++)
		if (config_is_unset(need[i].value))
			buf_printf(&unset, "%s%s", unset.len ? ", " : "", need[i].key);
	int rc = 0;
	if (unset.len)
		rc = err_set(
		    e, ORC_EUSAGE,
		    "infrastructure.%s.flywayTask: %s not set (still CHANGE ME or empty): set "
		    "%s in config.json",
		    r->name, buf_cstr(&unset), strchr(buf_cstr(&unset), ',') ? "them" : "it");
	buf_free(&unset);
	return rc;
}

static int check_branch(const char *branch, err *e)
{
	int valid = 0;
	char *ref = xasprintf("refs/heads/%s", branch);
	git_libgit2_init();
	if (branch[0] != '-' && git_reference_name_is_valid(&valid, ref) == 0 && valid) {
		free(ref);
		git_libgit2_shutdown();
		return 0;
	}
	free(ref);
	git_libgit2_shutdown();
	return err_set(e, ORC_EUSAGE, "--branch '%s' is not a valid git branch name", branch);
}

/* "task/cluster/id" (long ARN format) or "task/id": the id, and the cluster if present. */
static void split_task_arn(const char *arn, const char *fallback_cluster, char **cluster, char **id)
{
	const char *t = strstr(arn, ":task/");
	const char *rest = t ? t + 6 : arn;
	const char *slash = strrchr(rest, '/');
	*id = xstrdup(slash ? slash + 1 : rest);
	*cluster = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(fallback_cluster);
}

/* CloudWatch's console puts the URL-encoded names in its fragment with '%' as '$25'. */
static void put_console_name(buf *b, const char *name)
{
	CURL *cu = curl_easy_init();
	char *esc = curl_easy_escape(cu, name, 0);
	for (const char *p = esc; *p; p++) {
		if (*p == '%')
			buf_puts(b, "$25");
		else
			buf_putc(b, *p);
	}
	curl_free(esc);
	curl_easy_cleanup(cu);
}

typedef struct logtail {
	aws_client *c; /* may differ from the ECS client: awslogs-region */
	char *group;
	char *stream;
	char *token;
	long lines;
	int grouped;
	char *stop; /* the ::stop-commands:: token while lines stream inside Actions */
} logtail;

/* Prints every log line that arrived since the last call. */
static void logtail_drain(logtail *t)
{
	if (!t->c)
		return;
	for (int page = 0; page < 50; page++) {
		cJSON *events = NULL;
		char *next = NULL;
		err e = ERR_INIT;
		if (logs_get_events(t->c, t->group, t->stream, t->token, &events, &next, &e)) {
			/* Logs are a convenience: losing them must not fail the migration run. */
			log_warn("cannot read log stream %s of group %s: %s", t->stream, t->group,
			         e.msg);
			cJSON_Delete(events);
			free(next);
			return;
		}
		int n = cJSON_GetArraySize(events);
		const cJSON *ev;
		cJSON_ArrayForEach(ev, events)
		{
			const char *m = str(ev, "message");
			if (!m)
				continue;
			if (!t->grouped) {
				log_group_begin("migration task log");
				t->grouped = 1;
				/* The container's lines are data: the runner must not read a
				 * "::command::" among them as a workflow command. */
				if (log_in_actions() && (t->stop = ecs_client_token()))
					log_command("stop-commands", t->stop);
			}
			size_t len = strlen(m);
			while (len && (m[len - 1] == '\n' || m[len - 1] == '\r'))
				len--;
			log_info("%.*s", (int)len, m);
			t->lines++;
		}
		cJSON_Delete(events);
		int same = !next || (t->token && strcmp(next, t->token) == 0);
		if (next) {
			free(t->token);
			t->token = next;
		}
		if (same || n == 0)
			return;
	}
}

/* After STOPPED: reads on until the stream has been quiet (see the opening comment). */
static void logtail_settle(logtail *t)
{
	if (!t->c)
		return;
	long quiet_ms = env_ms("ORC_TASK_LOG_QUIET_MS", RUNTASK_QUIET_MS);
	long every_ms = env_ms("ORC_TASK_SETTLE_MS", RUNTASK_SETTLE_MS);
	double start = now_s(), last_new = start;
	int empty = 0;
	for (;;) {
		long before = t->lines;
		logtail_drain(t);
		if (t->lines > before) {
			last_new = now_s();
			empty = 0;
		} else {
			empty++;
		}
		if (empty >= RUNTASK_SETTLE_EMPTY_READS &&
		    (now_s() - last_new) * 1000.0 >= (double)quiet_ms)
			return;
		if (now_s() - start >= RUNTASK_SETTLE_MAX_S) {
			log_warn("log stream %s still receiving lines %.0f s after the task "
			         "stopped; the rest is in CloudWatch",
			         t->stream, RUNTASK_SETTLE_MAX_S);
			return;
		}
		clock_sleep_ms(every_ms);
	}
}

static void logtail_close(logtail *t)
{
	if (t->stop)
		log_command(t->stop, "");
	free(t->stop);
	t->stop = NULL;
	if (t->grouped)
		log_group_end();
	t->grouped = 0;
}

int runtask_container_exit(const cJSON *task, const char *name, int *has, int *code,
                           const char **reason)
{
	const cJSON *ct;
	*has = *code = 0;
	*reason = NULL;
	cJSON_ArrayForEach(ct, cJSON_GetObjectItemCaseSensitive(task, "containers"))
	{
		if (!str(ct, "name") || strcmp(str(ct, "name"), name) != 0)
			continue;
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(ct, "exitCode");
		/* An exit code is a whole number: 0.5 is not a success (cJSON's valueint
		 * truncates it to 0), nor is 1e300 (saturated). */
		*has = cJSON_IsNumber(x) && x->valuedouble >= INT_MIN &&
		       x->valuedouble <= INT_MAX && x->valuedouble == (double)(int)x->valuedouble;
		*code = *has ? (int)x->valuedouble : 0;
		*reason = str(ct, "reason");
		return 1;
	}
	return 0;
}

static cJSON *build_request(const config_region *r, const cJSON *td, const char *container,
                            char **command, char **subnets, char **groups, const char *token)
{
	cJSON *req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cluster", r->task_cluster);
	cJSON_AddStringToObject(req, "taskDefinition", str(td, "taskDefinitionArn"));
	cJSON_AddStringToObject(req, "launchType", r->task_launch_type);
	if (subnets) {
		cJSON *net = cJSON_AddObjectToObject(req, "networkConfiguration");
		cJSON *vpc = cJSON_AddObjectToObject(net, "awsvpcConfiguration");
		cJSON *s = cJSON_AddArrayToObject(vpc, "subnets");
		for (char **p = subnets; *p; p++)
			cJSON_AddItemToArray(s, cJSON_CreateString(*p));
		cJSON *g = cJSON_AddArrayToObject(vpc, "securityGroups");
		for (char **p = groups; *p; p++)
			cJSON_AddItemToArray(g, cJSON_CreateString(*p));
		cJSON_AddStringToObject(vpc, "assignPublicIp",
		                        r->task_public_ip ? "ENABLED" : "DISABLED");
	}
	cJSON *ov = cJSON_AddObjectToObject(req, "overrides");
	cJSON *cos = cJSON_AddArrayToObject(ov, "containerOverrides");
	cJSON *co = cJSON_CreateObject();
	cJSON_AddStringToObject(co, "name", container);
	cJSON *cmd = cJSON_AddArrayToObject(co, "command");
	for (char **p = command; *p; p++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(*p));
	cJSON_AddItemToArray(cos, co);
	/* The token is the startedBy too: ListTasks finds the task by it (see above). */
	cJSON_AddStringToObject(req, "startedBy", token);
	cJSON_AddStringToObject(req, "clientToken", token);
	return req;
}

/* Resolves names and builds the RunTask request; *container and the log tail are set. */
static int prepare(aws_client *c, const config_region *r, const char *branch, cJSON **request,
                   char **container, logtail *tail, err *e)
{
	cJSON *td = NULL;
	int rc = ecs_describe_task_definition(c, r->task_family, &td, e);
	if (rc)
		return err_prefix(e, "infrastructure.%s.flywayTask.taskDefinitionFamily %s",
		                  r->name, r->task_family);
	const cJSON *def = runtask_pick_container(td);
	if (!def || !str(def, "name")) {
		cJSON_Delete(td);
		return err_set(e, ORC_EUSAGE,
		               "task definition %s has no essential container to run the migration "
		               "in: mark the migration container essential",
		               r->task_family);
	}
	*container = xstrdup(str(def, "name"));

	const cJSON *lc = cJSON_GetObjectItemCaseSensitive(def, "logConfiguration");
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(lc, "options");
	const char *group = str(opts, "awslogs-group"),
	           *prefix = str(opts, "awslogs-stream-prefix");
	if (str(lc, "logDriver") && strcmp(str(lc, "logDriver"), "awslogs") == 0 && group &&
	    prefix) {
		tail->group = xstrdup(group);
		tail->stream = xasprintf("%s/%s/", prefix, *container); /* + task id once known */
		const char *lr = str(opts, "awslogs-region");
		tail->c = c;
		if (lr && strcmp(lr, aws_client_region(c)) != 0) {
			err le = ERR_INIT;
			if (aws_client_new(lr, &tail->c, &le)) {
				log_warn("log lines will not be shown: %s", le.msg);
				tail->c = NULL;
			} else {
				aws_client_set_retry_budget(tail->c, AWS_OPERATION_RETRY_BUDGET_S);
			}
		}
	} else {
		log_warn("container '%s' of %s has no awslogs log configuration with a stream "
		         "prefix: its log lines cannot be shown",
		         *container, r->task_family);
	}

	char **subnets = NULL, **groups = NULL;
	const char *mode = str(td, "networkMode");
	if (strcmp(r->task_launch_type, "FARGATE") == 0 || (mode && strcmp(mode, "awsvpc") == 0)) {
		size_t ns = 0, ng = 0;
		char **sn = config_split_list(r->task_subnets, &ns);
		char **gn = config_split_list(r->task_security_groups, &ng);
		rc = ec2_resolve_subnets(c, sn, ns, &subnets, e);
		if (rc)
			err_prefix(e, "infrastructure.%s.flywayTask.taskSubnets", r->name);
		else if ((rc = ec2_resolve_security_groups(c, gn, ng, &groups, e)))
			err_prefix(e, "infrastructure.%s.flywayTask.taskSecurityGroups", r->name);
		config_free_list(sn);
		config_free_list(gn);
	}
	char *token = rc ? NULL : ecs_client_token();
	if (!rc && !token)
		rc = err_set(e, ORC_EFAIL,
		             "cannot make RunTask's clientToken (the random source failed): "
		             "nothing was started, re-run");
	if (!rc) {
		char **command = runtask_command(r, branch, NULL);
		*request = build_request(r, td, *container, command, subnets, groups, token);
		config_free_list(command);
	}
	free(token);
	aws_xml_free_texts(subnets);
	aws_xml_free_texts(groups);
	cJSON_Delete(td);
	return rc;
}

/*
 * RunTask, finding out from ECS what happened whenever the answer may have been lost:
 * ListTasks by the request's startedBy (its clientToken) before anything is resent, so
 * that no second task starts and a started task is never reported as not started.
 */
static int start_task(aws_client *c, const config_region *r, const cJSON *request, char **arn,
                      err *e)
{
	const char *token = str(request, "clientToken");
	for (int i = 1;; i++) {
		aws_client_check_before_resend(c);
		int rc = ecs_run_task(c, request, arn, e);
		if (!rc || !aws_last_call_ambiguous(c))
			return rc;
		log_warn("%s; asking ECS whether the task (startedBy %s) started", e->msg, token);
		err le = ERR_INIT;
		if (ecs_find_started_by(c, r->task_cluster, token, arn, &le))
			return err_set(
			    e, ORC_EFAIL,
			    "ecs RunTask: the answer was lost and ECS could not be asked "
			    "whether the task started (%s): check with 'aws ecs "
			    "list-tasks --cluster %s --started-by %s' before re-running",
			    le.msg, r->task_cluster, token);
		if (*arn) {
			log_info("ecs RunTask: the answer was lost, but the task did start");
			err_clear(e);
			return 0;
		}
		if (!aws_retry_wait(c, i))
			return err_prefix(
			    e, "ecs RunTask (no task started by %s: nothing is running)", token);
		log_info("ecs RunTask: no task started; sending the same request again");
	}
}

static void summary(const char *arn, const char *console, const char *log_url, const char *result,
                    double secs)
{
	buf md = BUF_INIT;
	buf_printf(&md,
	           "### Migration task\n\n| task | result | duration | logs |\n|---|---|---|---|\n"
	           "| [%s](%s) | %s | %.0f s | %s%s%s |\n",
	           strrchr(arn, '/') ? strrchr(arn, '/') + 1 : arn, console, result, secs,
	           log_url ? "[CloudWatch](" : "-", log_url ? log_url : "", log_url ? ")" : "");
	log_gha_summary(buf_cstr(&md));
	buf_free(&md);
}

static int wait_stopped(aws_client *c, const config_region *r, const char *arn,
                        const char *container, long timeout_s, logtail *tail, const char *console,
                        const char *log_url, err *e)
{
	double start = now_s();
	long interval = env_ms("ORC_TASK_POLL_MS", RUNTASK_POLL_MS);
	const char *last = "";
	const char *slash = strrchr(arn, '/');
	progress *shown = progress_start("task %s", slash ? slash + 1 : arn);
	cJSON *task = NULL;
	int rc = 0, poll_failures = 0;
	for (;;) {
		cJSON_Delete(task);
		task = NULL;
		double poll_began = now_s();
		rc = ecs_describe_task(c, r->task_cluster, arn, &task, e);
		/* The task runs on whether or not this poll got through: a throttled or
		 * failed poll (already retried underneath, within the budget) is worth a
		 * warning and the next poll, up to a few in a row, before giving up on
		 * following it. */
		if (rc && e->transient && ++poll_failures < 5 &&
		    now_s() - start < (double)timeout_s) {
			log_warn("cannot poll task %s (will try again): %s", arn, e->msg);
			err_clear(e);
			rc = 0;
			clock_sleep_ms(interval);
			continue;
		}
		if (rc)
			break;
		poll_failures = 0;
		last = str(task, "lastStatus") ? str(task, "lastStatus") : "UNKNOWN";
		progress_update(shown,
		                strcmp(last, "RUNNING") == 0   ? LOG_TONE_OK
		                : strcmp(last, "STOPPED") == 0 ? LOG_TONE_NONE
		                                               : LOG_TONE_BUSY,
		                last, NULL);
		/* No container has run before RUNNING, so there is no stream to read yet. */
		if (strcmp(last, "PROVISIONING") != 0 && strcmp(last, "PENDING") != 0 &&
		    strcmp(last, "ACTIVATING") != 0)
			logtail_drain(tail);
		if (strcmp(last, "STOPPED") == 0) {
			logtail_settle(tail);
			break;
		}
		if (now_s() - start >= (double)timeout_s) {
			rc = err_set(
			    e, ORC_EFAIL,
			    "task %s is still %s after %ld s (--timeout): it keeps running; "
			    "follow it at %s or stop it with 'aws ecs stop-task --cluster %s "
			    "--task %s'",
			    arn, last, timeout_s, console, r->task_cluster, arn);
			break;
		}
		/* Steady: the next poll is due one interval after this one began. */
		double next = poll_began + (double)interval / 1000.0;
		if (next > now_s())
			clock_sleep_ms((long)((next - now_s()) * 1000.0));
	}
	double secs = now_s() - start;
	progress_end(shown);
	logtail_close(tail);
	if (rc) {
		summary(arn, console, log_url, "did not finish", secs);
		cJSON_Delete(task);
		return rc;
	}

	int has = 0, code = 0;
	const char *creason = NULL;
	int found = runtask_container_exit(task, container, &has, &code, &creason);
	const char *stop_code = str(task, "stopCode"), *stopped = str(task, "stoppedReason");
	if (has && code == 0) {
		log_info("task %s: container '%s' exited 0 after %.0f s", arn, container, secs);
		summary(arn, console, log_url, "exit code 0", secs);
	} else if (has) {
		buf res = BUF_INIT;
		buf_printf(&res, "exit code %d", code);
		summary(arn, console, log_url, buf_cstr(&res), secs);
		buf_free(&res);
		err_set(
		    e, code > 0 && code < 256 ? code : ORC_EFAIL,
		    "migration container '%s' of task %s exited with code %d%s%s%s%s%s: see its "
		    "log %s",
		    container, arn, code, stopped && *stopped ? " (" : "",
		    stopped && *stopped ? stopped : "", creason && *creason ? "; container: " : "",
		    creason && *creason ? creason : "", stopped && *stopped ? ")" : "",
		    log_url ? log_url : "lines above");
		rc = e->code;
	} else {
		summary(arn, console, log_url, stop_code ? stop_code : "no exit code", secs);
		rc = err_set(e, ORC_EFAIL,
		             "task %s stopped without an exit code for container '%s'%s: stopCode "
		             "%s, stoppedReason %s%s%s (check the image, the task role and the "
		             "subnets' route to ECR and CloudWatch)",
		             arn, container, found ? "" : " (no such container in the task)",
		             stop_code && *stop_code ? stop_code : "(none)",
		             stopped && *stopped ? stopped : "(none)",
		             creason && *creason ? "; container: " : "", creason ? creason : "");
	}
	if (tail->c && tail->lines == 0)
		log_warn("no log lines in %s %s", tail->group, tail->stream);
	cJSON_Delete(task);
	return rc;
}

int runtask_run(const config_region *r, const runtask_options *o, err *e)
{
	int rc = check_config(r, e);
	if (rc)
		return rc;
	if ((rc = check_branch(o->branch, e)))
		return rc;
	aws_client *c = NULL;
	if ((rc = aws_client_new(r->name, &c, e)))
		return rc;
	aws_client_set_retry_budget(c, AWS_OPERATION_RETRY_BUDGET_S);

	cJSON *request = NULL;
	char *container = NULL, *arn = NULL;
	logtail tail = {0};
	rc = prepare(c, r, o->branch, &request, &container, &tail, e);
	if (!rc)
		rc = start_task(c, r, request, &arn, e);
	if (!rc) {
		char *cluster = NULL, *id = NULL;
		split_task_arn(arn, r->task_cluster, &cluster, &id);
		buf console = BUF_INIT, logs = BUF_INIT;
		buf_printf(&console,
		           "https://%s.console.aws.amazon.com/ecs/v2/clusters/%s/tasks/%s/"
		           "configuration?region=%s",
		           r->name, cluster, id, r->name);
		if (tail.stream) {
			char *stream = xasprintf("%s%s", tail.stream, id);
			free(tail.stream);
			tail.stream = stream;
			buf_printf(&logs,
			           "https://%s.console.aws.amazon.com/cloudwatch/home?region=%s"
			           "#logsV2:log-groups/log-group/",
			           aws_client_region(tail.c ? tail.c : c),
			           aws_client_region(tail.c ? tail.c : c));
			put_console_name(&logs, tail.group);
			buf_puts(&logs, "/log-events/");
			put_console_name(&logs, tail.stream);
		}
		log_info("task %s started (container '%s', branch %s)", arn, container, o->branch);
		log_info("console: %s", buf_cstr(&console));
		log_gha_output("task-arn", arn);
		if (!o->no_wait)
			rc = wait_stopped(
			    c, r, arn, container,
			    o->timeout_s > 0 ? o->timeout_s : RUNTASK_DEFAULT_TIMEOUT_S, &tail,
			    buf_cstr(&console), logs.len ? buf_cstr(&logs) : NULL, e);
		buf_free(&console);
		buf_free(&logs);
		free(cluster);
		free(id);
	}
	if (tail.c && tail.c != c)
		aws_client_free(tail.c);
	free(tail.group);
	free(tail.stream);
	free(tail.token);
	cJSON_Delete(request);
	free(container);
	free(arn);
	aws_client_free(c);
	return rc;
}
