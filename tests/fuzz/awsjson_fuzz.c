/*
 * The decoders of remote JSON answers, one chosen by the first byte of the input, the rest
 * being the answer:
 *   0 an AWS JSON-protocol error (aws.c): the code has no "ns#" prefix nor ":url" suffix,
 *     the message is one line of at most 400 bytes;
 *   1-4 credentials (container endpoint, IMDS, credential_process, SSO; aws/creds.c):
 *     keys are set only when both are non-empty, then the secret key and the token are
 *     redacted from any output; nothing is set otherwise;
 *   5 a Secrets Manager SecretString (aws/secrets.c): the value and every non-public
 *     string or number field are redacted;
 *   6 the database secret turned into a connection URI (task/task.c): libpq reads back the
 *     user, password, host, port and database the secret holds, the password never in an
 *     error and redacted in the URI;
 *   7 ECS RunTask (aws/ecs.c): a task ARN exactly when it succeeds, else a message;
 *   8 ECS DescribeTasks' container exit (runtask/runtask.c): success only for an exit code
 *     that is exactly 0, and a code only when the answer's is a whole number;
 *   9 a KMS key policy (snapshot/share.c): it lets the account only through an Allow
 *     statement naming "*", the account or an ARN whose account field is the account (or
 *     a NotPrincipal that does not), and the statements share_key_policy prints always
 *     let it;
 *  11 ECS DescribeTaskDefinition (runtask/runtask.c): the container chosen for the command
 *     is one of the definition's, the only one, or an essential one that is not a log
 *     router;
 *  10 GitHub's workflow runs list (net/github.c, read by trigger/pending.c): every run
 *     decoded has a positive id and its texts, and is in a group only by the region and
 *     folder its name ends with.
 */
#include <libpq-fe.h>

#include "aws/ecs.h"
#include "aws/internal.h"
#include "aws/secrets.h"
#include "core/log.h"
#include "fuzz.h"
#include "net/github.h"
#include "net/http.h"
#include "runtask/runtask.h"
#include "snapshot/share.h"
#include "task/task.h"
#include "config/operations.h"
#include "trigger/pending.h"

#define ACCOUNT "111122223333"

/* Whether a registered secret would still show if s were printed. */
static int shows(const char *s)
{
	if (!s || strlen(s) < 4)
		return 0;
	buf b = BUF_INIT;
	buf_puts(&b, s);
	log_redact(&b);
	int hit = strstr(buf_cstr(&b), s) != NULL;
	buf_free(&b);
	return hit;
}

static void error_answer(const char *body, size_t len)
{
	http_response r = HTTP_RESPONSE_INIT;
	buf_put(&r.body, body, len);
	buf code = BUF_INIT, msg = BUF_INIT;
	aws_error_answer(1, &r, &code, &msg);
	FUZZ_ASSERT(!strpbrk(buf_cstr(&code), "#:"), "an error code without prefix or suffix");
	FUZZ_ASSERT(msg.len <= 400 && !strpbrk(buf_cstr(&msg), "\r\n"),
	            "an error message of one bounded line");
	buf_free(&code);
	buf_free(&msg);
	http_response_free(&r);
}

static const char *str(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void credentials(const cJSON *j, enum aws_creds_shape shape)
{
	aws_client c;
	memset(&c, 0, sizeof c);
	int rc = aws_creds_decode(&c, j, shape);
	const cJSON *o =
	    shape == AWS_CREDS_SSO ? cJSON_GetObjectItemCaseSensitive(j, "roleCredentials") : j;
	const char *sk = str(o, shape == AWS_CREDS_SSO ? "secretAccessKey" : "SecretAccessKey");
	if (rc == 0) {
		FUZZ_ASSERT(c.creds.access_key && *c.creds.access_key && c.creds.secret_key &&
		                *c.creds.secret_key,
		            "keys set only when both are non-empty");
		FUZZ_ASSERT(strcmp(c.creds.secret_key, sk) == 0, "the answer's secret key is used");
		FUZZ_ASSERT(!shows(c.creds.secret_key), "the secret key is redacted");
		FUZZ_ASSERT(!shows(c.creds.session_token), "the session token is redacted");
		const char *exp_name = shape == AWS_CREDS_SSO ? "expiration" : "Expiration";
		FUZZ_ASSERT(cJSON_GetObjectItemCaseSensitive(o, exp_name) ? c.creds.expiration > 0
		                                                          : c.creds.expiration == 0,
		            "keys that say when they expire are never kept as never expiring");
	} else {
		FUZZ_ASSERT(!c.creds.access_key && !c.creds.secret_key, "nothing set on refusal");
	}
	aws_creds_clear(&c.creds);
}

static int public_field(const char *name)
{
	static const char *const names[] = {"username",
	                                    "host",
	                                    "port",
	                                    "dbname",
	                                    "engine",
	                                    "dbClusterIdentifier",
	                                    "dbInstanceIdentifier"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

static void secret_string(const char *value)
{
	secrets_register(value);
	FUZZ_ASSERT(!shows(value), "the secret string is redacted");
	cJSON *j = cJSON_Parse(value);
	const cJSON *f;
	if (cJSON_IsObject(j))
		cJSON_ArrayForEach(f, j)
		{
			if (public_field(f->string))
				continue;
			if (cJSON_IsString(f))
				FUZZ_ASSERT(!shows(f->valuestring),
				            "each secret text field is redacted");
			if (cJSON_IsNumber(f)) {
				char *text = cJSON_PrintUnformatted(f);
				FUZZ_ASSERT(!shows(text), "each secret number field is redacted");
				free(text);
			}
		}
	cJSON_Delete(j);
}

/* The secret's field as task.c reads it (a string, or a number printed whole). */
static char *secret_field(const char *raw, const char *json_name, const char *libpq_name)
{
	const char *v = raw + strspn(raw, " \t\r\n");
	if (strncmp(v, "postgres://", 11) == 0 || strncmp(v, "postgresql://", 13) == 0) {
		PQconninfoOption *opts = PQconninfoParse(raw, NULL);
		char *out = NULL;
		for (PQconninfoOption *o = opts; o && o->keyword; o++)
			if (strcmp(o->keyword, libpq_name) == 0 && o->val && *o->val)
				out = strdup(o->val);
		PQconninfoFree(opts);
		return out;
	}
	cJSON *j = cJSON_Parse(raw);
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, json_name);
	char *out = NULL;
	if (cJSON_IsString(f) && *f->valuestring)
		out = strdup(f->valuestring);
	else if (cJSON_IsNumber(f) && strcmp(json_name, "password") != 0) {
		char num[32];
		snprintf(num, sizeof num, "%.0f", f->valuedouble);
		out = strdup(num);
	}
	cJSON_Delete(j);
	return out;
}

static void conninfo(const char *raw)
{
	buf ci = BUF_INIT;
	err e = ERR_INIT;
	secrets_register(raw); /* as reading it does (secrets_get_string) */
	int rc = task_conninfo_from_secret(raw, "--db-secret 'fuzz'", NULL, &ci, &e);
	char *password = secret_field(raw, "password", "password");
	if (rc) {
		/* what the log prints of the error: registered secrets redacted */
		buf shown = BUF_INIT;
		buf_puts(&shown, e.msg);
		log_redact(&shown);
		int leak = password && strlen(password) >= 4 && strstr(buf_cstr(&shown), password);
		if (leak)
			fprintf(stderr, "password '%s' in: %s\n", password, buf_cstr(&shown));
		buf_free(&shown);
		FUZZ_ASSERT(!leak, "the password never in a printed error");
	} else {
		PQconninfoOption *opts = PQconninfoParse(buf_cstr(&ci), NULL);
		FUZZ_ASSERT(opts, "libpq parses the URI built");
		static const char *const names[][2] = {{"user", "username"},
		                                       {"password", "password"},
		                                       {"host", "host"},
		                                       {"port", "port"},
		                                       {"dbname", "dbname"}};
		for (size_t i = 0; i < 5; i++) {
			char *want = secret_field(raw, names[i][1], names[i][0]);
			const char *got = NULL;
			for (PQconninfoOption *o = opts; o->keyword; o++)
				if (strcmp(o->keyword, names[i][0]) == 0)
					got = o->val;
			if (!want && i == 4)
				want = strdup("postgres");
			if (want) {
				if (!got || strcmp(got, want) != 0)
					fprintf(stderr, "%s: secret '%s', URI '%s'\n", names[i][0],
					        want, got ? got : "(none)");
				FUZZ_ASSERT(got && strcmp(got, want) == 0,
				            "libpq reads back what the secret holds");
			}
			free(want);
		}
		PQconninfoFree(opts);
		FUZZ_ASSERT(!shows(buf_cstr(&ci)), "the URI is redacted");
		FUZZ_ASSERT(!shows(password), "the password is redacted");
	}
	free(password);
	buf_free(&ci);
}

static void run_task(const cJSON *j)
{
	char *arn = NULL;
	err e = ERR_INIT;
	int rc = ecs_run_task_answer(j, &arn, &e);
	FUZZ_ASSERT(rc == 0 ? arn && *arn : !arn && *e.msg, "an ARN exactly when it started");
	free(arn);
}

static void container_exit(const cJSON *task)
{
	int has = 0, code = 0;
	const char *reason = NULL;
	int found = runtask_container_exit(task, "app", &has, &code, &reason);
	if (!found) {
		FUZZ_ASSERT(!has, "no exit code without the container");
		return;
	}
	const cJSON *ct, *x = NULL;
	cJSON_ArrayForEach(ct, cJSON_GetObjectItemCaseSensitive(task, "containers"))
	{
		if (str(ct, "name") && strcmp(str(ct, "name"), "app") == 0) {
			x = cJSON_GetObjectItemCaseSensitive(ct, "exitCode");
			break;
		}
	}
	if (has)
		FUZZ_ASSERT(cJSON_IsNumber(x) && x->valuedouble == (double)code,
		            "the exit code is the answer's, whole");
}

/* The property, independently: an Allow statement whose principal names the account. */
static int names_account(const cJSON *p)
{
	if (cJSON_IsString(p)) {
		const char *v = p->valuestring;
		if (strcmp(v, "*") == 0 || strcmp(v, ACCOUNT) == 0)
			return 1;
		if (strncmp(v, "arn:", 4) != 0)
			return 0;
		const char *f = v;
		for (int i = 0; i < 4 && f; i++)
			f = strchr(f, ':') ? strchr(f, ':') + 1 : NULL;
		return f && strncmp(f, ACCOUNT ":", 13) == 0;
	}
	const cJSON *i;
	cJSON_ArrayForEach(i, p) if (names_account(i)) return 1;
	return 0;
}

/* An Allow statement whose Principal names the account, or whose NotPrincipal does not. */
static int allows_account(const cJSON *s)
{
	const char *eff = str(s, "Effect");
	if (!cJSON_IsObject(s) || !eff || strcmp(eff, "Allow") != 0)
		return 0;
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(s, "Principal");
	const cJSON *np = cJSON_GetObjectItemCaseSensitive(s, "NotPrincipal");
	const cJSON *which = p ? p : np;
	if (!which)
		return 0;
	const cJSON *aws =
	    cJSON_IsObject(which) ? cJSON_GetObjectItemCaseSensitive(which, "AWS") : which;
	int named = aws && names_account(aws);
	return p ? named : !named;
}

static void key_policy(const char *text)
{
	if (!share_policy_lets(text, ACCOUNT, "us-west-2"))
		return;
	cJSON *doc = cJSON_Parse(text);
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "Statement"), *s;
	int named = cJSON_IsObject(st) && allows_account(st);
	const cJSON *list = cJSON_IsArray(st) ? st : NULL;
	cJSON_ArrayForEach(s, list) named |= allows_account(s);
	cJSON_Delete(doc);
	FUZZ_ASSERT(named, "a policy lets the account only where a principal names it");
}

static void runs_list(const char *body, size_t len)
{
	github_run *runs = NULL;
	size_t n = 0;
	err e = ERR_INIT;
	if (github_runs_decode(body, len, &runs, &n, &e) != 0) {
		FUZZ_ASSERT(*e.msg && !runs && n == 0, "a refusal says why and decodes nothing");
		return;
	}
	const config_operation *op = config_operation_find("deploy-infrastructure");
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(runs[i].id > 0 && runs[i].status && runs[i].title && runs[i].html_url,
		            "every run has an id and its texts");
		/* a run is in a region's group only when its name ends with " in REGION" */
		if (pending_same_group(op, "us-west-2", "network", runs[i].title)) {
			size_t t = strlen(runs[i].title);
			FUZZ_ASSERT(t >= 13 &&
			                strcmp(runs[i].title + t - 13, " in us-west-2") == 0 &&
			                strstr(runs[i].title, " network in "),
			            "same group only by region and folder");
		}
	}
	github_runs_free(runs, n);
}

static void task_definition(const cJSON *td)
{
	const cJSON *defs = cJSON_GetObjectItemCaseSensitive(td, "containerDefinitions");
	const cJSON *pick = runtask_pick_container(td), *d;
	if (!pick)
		return;
	int member = 0;
	cJSON_ArrayForEach(d, defs) member |= d == pick;
	FUZZ_ASSERT(member, "the container chosen is one of the definition's");
	if (cJSON_GetArraySize(defs) != 1)
		FUZZ_ASSERT(!cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(pick, "essential")) &&
		                !cJSON_GetObjectItemCaseSensitive(pick, "firelensConfiguration"),
		            "among several, an essential container that is not a log router");
}

static void init(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	unsetenv("GITHUB_ACTIONS");
	unsetenv("DB_HOST");
	unsetenv("DB_PORT");
	unsetenv("DB_NAME");
	unsetenv("PGSSLROOTCERT");
	setenv("PGSSLMODE", "require", 1);
	log_init();
	buf p = BUF_INIT;
	share_key_policy(ACCOUNT, "arn:aws:kms:us-east-1:999988887777:key/k", &p);
	FUZZ_ASSERT(share_policy_lets(strchr(buf_cstr(&p), '\n') + 1, ACCOUNT, "us-west-2"),
	            "the statements share_key_policy prints let the account");
	buf_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init();
	if (size < 1)
		return 0;
	int which = data[0] % 12;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	char *text = fuzz_cstr(data + 1, len);
	cJSON *j = cJSON_ParseWithLength(body, len);
	switch (which) {
	case 0: error_answer(body, len); break;
	case 1:
	case 2:
	case 3:
	case 4: credentials(j, (enum aws_creds_shape)(which - 1)); break;
	case 5: secret_string(text); break;
	case 6: conninfo(text); break;
	case 7: run_task(j); break;
	case 8: container_exit(j); break;
	case 9: key_policy(text); break;
	case 10: runs_list(body, len); break;
	case 11: task_definition(j); break;
	}
	cJSON_Delete(j);
	free(text);
	log_shutdown(); /* the registered secrets, so each input starts from none */
	return 0;
}
