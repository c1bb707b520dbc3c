/*
 * creds: the credential chain, in the order the AWS SDKs walk it.
 *
 *   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY [, AWS_SESSION_TOKEN]
 *   2. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN [+ AWS_ROLE_SESSION_NAME],
 *      exchanged through STS AssumeRoleWithWebIdentity (unsigned, as the SDKs send it):
 *      the GitHub OIDC path
 *   3. shared files: ~/.aws/credentials then ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE,
 *      AWS_CONFIG_FILE), profile AWS_PROFILE or "default", static keys
 *      (before the static keys: role_arn with source_profile or credential_source,
 *      IAM Identity Center, and after them credential_process: creds_sources.c)
 *   4. ECS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on
 *      169.254.170.2) or _FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]:
 *      what the Fargate task itself runs with
 *   5. EC2 instance metadata (IMDSv2, creds_sources.c): self-hosted runners on EC2
 *
 * The first source that is configured wins; a configured source that fails is an error
 * rather than a silent fall-through, so that a typo never ends up running as someone
 * else. Temporary credentials keep their expiration and the client refreshes them.
 * The shared files are INI; the reader below handles the subset the AWS CLI writes
 * (sections, key = value, # and ; comments), since no INI library is linked.
 * Every secret is registered with the log as soon as it is held.
 */
#include <openssl/crypto.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/internal.h"
#include "core/clock.h"
#include "core/fs.h"
#include "core/log.h"
#include "net/http.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static void set_creds(aws_client *c, const char *ak, const char *sk, const char *token,
                      time_t expiration, const char *source)
{
	aws_creds_clear(&c->creds);
	c->creds.access_key = xstrdup(ak);
	c->creds.secret_key = xstrdup(sk);
	c->creds.session_token = token && *token ? xstrdup(token) : NULL;
	c->creds.expiration = expiration;
	c->creds.source = source;
	log_add_secret(sk);
	if (token)
		log_add_secret(token);
}

/* "2026-11-22T05:18:04Z", with or without fractional seconds or an offset of Z. */
static time_t parse_iso8601(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return timegm(&tm);
}

/* ---- shared files ---- */

const char *aws_profile_name(void)
{
	const char *p = env("AWS_PROFILE");
	return p ? p : "default";
}

static char *shared_path(int credentials)
{
	const char *v = env(credentials ? "AWS_SHARED_CREDENTIALS_FILE" : "AWS_CONFIG_FILE");
	const char *home = env("HOME");
	if (v && v[0] == '~' && v[1] == '/' && home)
		return xasprintf("%s%s", home, v + 1);
	if (v)
		return xstrdup(v);
	if (!home)
		return NULL;
	return xasprintf("%s/.aws/%s", home, credentials ? "credentials" : "config");
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/*
 * Value of key in the section for profile, or NULL. *found_section says whether the
 * section exists at all. In the config file a named profile is "[profile NAME]"
 * (the CLI also accepts "[NAME]" for default).
 */
static char *ini_value(const char *path, int config_style, const char *profile, const char *key,
                       int *found_section)
{
	buf text = BUF_INIT;
	err e = ERR_INIT;
	if (!path || !fs_exists(path) || fs_read_file(path, &text, &e)) {
		buf_free(&text);
		return NULL;
	}
	char *value = NULL;
	int in = 0;
	char *save = NULL;
	for (char *line = strtok_r(text.ptr ? text.ptr : (char[]){""}, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *l = trim(line);
		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *close = strchr(l, ']');
			if (!close)
				continue;
			*close = '\0';
			char *name = trim(l + 1);
			if (config_style && strncmp(name, "profile", 7) == 0 &&
			    isspace((unsigned char)name[7]))
				name = trim(name + 8);
			in = strcmp(name, profile) == 0;
			if (in && found_section)
				*found_section = 1;
			continue;
		}
		if (!in)
			continue;
		char *eq = strchr(l, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (strcmp(trim(l), key) == 0) {
			free(value);
			value = xstrdup(trim(eq + 1));
		}
	}
	if (text.ptr)
		OPENSSL_cleanse(text.ptr, text.len);
	buf_free(&text);
	return value;
}

char *aws_profile_value(const char *profile, const char *key, int from_credentials)
{
	char *v = NULL;
	if (from_credentials) {
		char *p = shared_path(1);
		v = ini_value(p, 0, profile, key, NULL);
		free(p);
	}
	if (!v) {
		char *p = shared_path(0);
		v = ini_value(p, 1, profile, key, NULL);
		free(p);
	}
	return v;
}

static int from_shared_files(aws_client *c, int *used, err *e)
{
	const char *profile = aws_profile_name();
	char *cpath = shared_path(1), *gpath = shared_path(0);
	int sect = 0;
	char *ak = ini_value(cpath, 0, profile, "aws_access_key_id", &sect);
	char *sk = ini_value(cpath, 0, profile, "aws_secret_access_key", &sect);
	char *tok = ini_value(cpath, 0, profile, "aws_session_token", &sect);
	const char *where = cpath;
	if (!ak && !sk) {
		free(tok);
		tok = NULL;
		ak = ini_value(gpath, 1, profile, "aws_access_key_id", &sect);
		sk = ini_value(gpath, 1, profile, "aws_secret_access_key", &sect);
		tok = ini_value(gpath, 1, profile, "aws_session_token", &sect);
		where = gpath;
	}
	int rc = 0;
	if (ak && sk) {
		*used = 1;
		set_creds(c, ak, sk, tok, 0, "shared files");
		log_verbose("aws: credentials from profile '%s' in %s", profile, where);
	} else if (ak || sk) {
		*used = 1;
		rc = err_set(e, ORC_EUSAGE,
		             "%s: profile '%s' has %s but not %s: add it, or remove the other",
		             where, profile, ak ? "aws_access_key_id" : "aws_secret_access_key",
		             ak ? "aws_secret_access_key" : "aws_access_key_id");
	} else if (env("AWS_PROFILE")) {
		*used = 1;
		rc = err_set(e, ORC_EUSAGE,
		             "AWS_PROFILE=%s: %s in %s or %s: give it static keys, role_arn, "
		             "sso_session or credential_process, or unset AWS_PROFILE",
		             profile, sect ? "the profile has no static keys" : "no such profile",
		             cpath ? cpath : "~/.aws/credentials", gpath ? gpath : "~/.aws/config");
	}
	if (sk)
		OPENSSL_cleanse(sk, strlen(sk));
	if (tok)
		OPENSSL_cleanse(tok, strlen(tok));
	free(ak);
	free(sk);
	free(tok);
	free(cpath);
	free(gpath);
	return rc;
}

/* ---- web identity ---- */

static int from_web_identity(aws_client *c, const char *token_file, const char *role_arn, err *e)
{
	buf token = BUF_INIT;
	int rc = fs_read_file(token_file, &token, e);
	if (rc) {
		buf_free(&token);
		return err_prefix(e, "AWS_WEB_IDENTITY_TOKEN_FILE");
	}
	while (token.len && isspace((unsigned char)token.ptr[token.len - 1]))
		buf_truncate(&token, token.len - 1);
	if (!token.len) {
		buf_free(&token);
		return err_set(
		    e, ORC_EUSAGE,
		    "AWS_WEB_IDENTITY_TOKEN_FILE %s is empty: it must hold the OIDC token",
		    token_file);
	}
	log_add_secret(buf_cstr(&token));

	const char *session = env("AWS_ROLE_SESSION_NAME");
	char fallback[64];
	if (!session) {
		snprintf(fallback, sizeof fallback, "orchestrator-%ld", (long)time(NULL));
		session = fallback;
	}
	aws_params p = {0};
	aws_params_add(&p, "RoleArn", role_arn);
	aws_params_add(&p, "RoleSessionName", session);
	aws_params_add(&p, "WebIdentityToken", buf_cstr(&token));
	OPENSSL_cleanse(token.ptr, token.len);
	buf_free(&token);

	aws_creds_clear(&c->creds); /* unsigned, as the SDKs send this call */
	xmlDocPtr doc = NULL;
	rc = aws_query_call(c, "sts", "AssumeRoleWithWebIdentity", "2011-06-15", &p, &doc, e);
	OPENSSL_cleanse(p.values[2], strlen(p.values[2]));
	aws_params_free(&p);
	if (rc)
		return err_prefix(e, "web identity credentials for AWS_ROLE_ARN=%s", role_arn);
	char *ak = aws_xml_text(doc, "//Credentials/AccessKeyId");
	char *sk = aws_xml_text(doc, "//Credentials/SecretAccessKey");
	char *tok = aws_xml_text(doc, "//Credentials/SessionToken");
	char *exp = aws_xml_text(doc, "//Credentials/Expiration");
	xmlFreeDoc(doc);
	if (ak && sk && tok)
		set_creds(c, ak, sk, tok, parse_iso8601(exp), "web identity");
	else
		rc = err_set(e, ORC_EFAIL,
		             "sts AssumeRoleWithWebIdentity for %s: the answer has no Credentials",
		             role_arn);
	if (sk)
		OPENSSL_cleanse(sk, strlen(sk));
	if (tok)
		OPENSSL_cleanse(tok, strlen(tok));
	free(ak);
	free(sk);
	free(tok);
	free(exp);
	return rc;
}

/* ---- ECS container credentials ---- */

/* The SDKs allow plain http only to the ECS/EKS agents and loopback addresses. */
static int full_uri_allowed(const char *uri)
{
	if (strncmp(uri, "https://", 8) == 0)
		return 1;
	CURLU *u = curl_url();
	char *host = NULL, *scheme = NULL;
	int ok = 0;
	if (curl_url_set(u, CURLUPART_URL, uri, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    strcmp(scheme, "http") == 0)
		/* IP literals only: a name like 127.evil.example resolves anywhere */
		ok = http_host_is_loopback(host) || strcmp(host, "169.254.170.2") == 0 ||
		     strcmp(host, "169.254.170.23") == 0 || strcmp(host, "[fd00:ec2::23]") == 0;
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
	return ok;
}

static int from_container(aws_client *c, err *e)
{
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	char *url = rel ? xasprintf("http://169.254.170.2%s", rel)
	                : xstrdup(env("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
	if (!rel && !full_uri_allowed(url)) {
		err_set(
		    e, ORC_EUSAGE,
		    "AWS_CONTAINER_CREDENTIALS_FULL_URI %s: only https, loopback or the ECS/EKS "
		    "agent addresses are allowed",
		    url);
		free(url);
		return ORC_EUSAGE;
	}
	buf token = BUF_INIT;
	if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
		buf_puts(&token, env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
	} else if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
		int rc = fs_read_file(env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), &token, e);
		if (rc) {
			free(url);
			buf_free(&token);
			return err_prefix(e, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
		}
		while (token.len && isspace((unsigned char)token.ptr[token.len - 1]))
			buf_truncate(&token, token.len - 1);
	}
	log_add_secret(buf_cstr(&token));
	struct curl_slist *h = NULL;
	if (token.len) {
		buf line = BUF_INIT;
		buf_printf(&line, "Authorization: %s", buf_cstr(&token));
		h = curl_slist_append(h, buf_cstr(&line));
		OPENSSL_cleanse(line.ptr, line.len);
		buf_free(&line);
	}
	if (token.len)
		OPENSSL_cleanse(token.ptr, token.len);
	buf_free(&token);
	h = curl_slist_append(h, "Accept: application/json");

	http_request req = {.method = "GET", .url = url, .headers = h, .timeout_ms = 5000};
	http_response resp = HTTP_RESPONSE_INIT;
	int rc = 0;
	for (int i = 0; i < 3; i++) {
		err_clear(e);
		c->calls++;
		rc = http_perform(&req, &resp, e);
		if (!rc && resp.status == 200)
			break;
		if (!rc) {
			rc = err_set(e, resp.status >= 500 ? ORC_EFAIL : ORC_EREMOTE,
			             "container credentials endpoint %s answered HTTP %ld: check "
			             "AWS_CONTAINER_AUTHORIZATION_TOKEN and the task role",
			             url, resp.status);
			if (resp.status < 500)
				break;
		}
		clock_sleep_ms(http_backoff_ms(i, 200, 2000));
	}
	curl_slist_free_all(h);
	if (!rc) {
		cJSON *j = cJSON_ParseWithLength(resp.body.ptr ? resp.body.ptr : "", resp.body.len);
		if (aws_creds_decode(c, j, AWS_CREDS_CONTAINER))
			rc = err_set(e, ORC_EFAIL,
			             "container credentials endpoint %s: the answer has no "
			             "AccessKeyId/SecretAccessKey",
			             url);
		cJSON_Delete(j);
	}
	if (resp.body.ptr)
		OPENSSL_cleanse(resp.body.ptr, resp.body.len);
	http_response_free(&resp);
	free(url);
	return rc;
}

int aws_creds_resolve(aws_client *c, err *e)
{
	const char *ak = env("AWS_ACCESS_KEY_ID"), *sk = env("AWS_SECRET_ACCESS_KEY");
	if (ak && sk) {
		set_creds(c, ak, sk, env("AWS_SESSION_TOKEN"), 0, "environment");
		return 0;
	}
	if (ak || sk)
		return err_set(e, ORC_EUSAGE, "%s is set but %s is not: set both or neither",
		               ak ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		               ak ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");

	const char *tf = env("AWS_WEB_IDENTITY_TOKEN_FILE"), *role = env("AWS_ROLE_ARN");
	if (tf && role)
		return from_web_identity(c, tf, role, e);
	if (tf || role)
		return err_set(e, ORC_EUSAGE, "%s is set but %s is not: web identity needs both",
		               tf ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_ROLE_ARN",
		               tf ? "AWS_ROLE_ARN" : "AWS_WEB_IDENTITY_TOKEN_FILE");

	int used = 0;
	int rc = aws_creds_from_profile(c, aws_profile_name(), &used, e);
	if (used)
		return rc;
	rc = from_shared_files(c, &used, e);
	if (used)
		return rc;

	if (env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ||
	    env("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
		return from_container(c, e);

	err ie = ERR_INIT;
	rc = aws_creds_from_imds(c, &used, &ie);
	if (used && !rc)
		return 0;
	if (used)
		log_verbose("aws: no credentials from EC2 instance metadata: %s", ie.msg);
	return err_set(e, ORC_EUSAGE,
	               "no AWS credentials found: set AWS_ACCESS_KEY_ID and "
	               "AWS_SECRET_ACCESS_KEY, AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, or "
	               "AWS_PROFILE naming a profile in ~/.aws/config or ~/.aws/credentials (in "
	               "GitHub Actions use aws-actions/configure-aws-credentials)%s",
	               used ? "; no EC2 instance metadata either" : "");
}

/* ---- for the other sources (creds_sources.c) ---- */

/* The JSON answers' field names per shape (internal.h). */
static const struct {
	const char *wrap, *ak, *sk, *token, *exp;
} shapes[] = {
    [AWS_CREDS_CONTAINER] = {NULL, "AccessKeyId", "SecretAccessKey", "Token", "Expiration"},
    [AWS_CREDS_IMDS] = {NULL, "AccessKeyId", "SecretAccessKey", "Token", "Expiration"},
    [AWS_CREDS_PROCESS] = {NULL, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"},
    [AWS_CREDS_SSO] = {"roleCredentials", "accessKeyId", "secretAccessKey", "sessionToken",
                       "expiration"},
};

static const char *field(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

int aws_creds_decode(aws_client *c, const cJSON *answer, enum aws_creds_shape shape)
{
	static const char *const sources[] = {[AWS_CREDS_CONTAINER] = "container",
	                                      [AWS_CREDS_IMDS] = "EC2 instance metadata",
	                                      [AWS_CREDS_PROCESS] = "credential process",
	                                      [AWS_CREDS_SSO] = "sso"};
	const cJSON *o = shapes[shape].wrap
	                     ? cJSON_GetObjectItemCaseSensitive(answer, shapes[shape].wrap)
	                     : answer;
	const char *ak = field(o, shapes[shape].ak), *sk = field(o, shapes[shape].sk);
	const char *tok = field(o, shapes[shape].token);
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(o, shapes[shape].exp);
	if (shape == AWS_CREDS_PROCESS) {
		const cJSON *ver = cJSON_GetObjectItemCaseSensitive(answer, "Version");
		if (!cJSON_IsNumber(ver) || ver->valuedouble != 1)
			return 1;
	}
	if (shape == AWS_CREDS_IMDS && field(answer, "Code") &&
	    strcmp(field(answer, "Code"), "Success") != 0)
		return 1;
	if (!ak || !*ak || !sk || !*sk)
		return 1;
	time_t expires = 0; /* no expiration in the answer: keys that do not expire */
	if (exp) {
		if (shape == AWS_CREDS_SSO) {
			/* milliseconds since the epoch; past year 9999 is no date (and would
			 * overflow the conversion to time_t) */
			double secs = cJSON_IsNumber(exp) ? exp->valuedouble / 1000 : 0;
			expires = secs > 0 && secs < 253402300800.0 ? (time_t)secs : 0;
		} else {
			expires = parse_iso8601(cJSON_GetStringValue(exp));
		}
		/* An expiration that is no date after 1970 (0 would read as "never") expires
		 * now: the keys are fetched again before the next request, never kept. */
		if (expires <= 0)
			expires = 1;
	}
	set_creds(c, ak, sk, tok, expires, sources[shape]);
	return 0;
}

void aws_creds_set(aws_client *c, const char *ak, const char *sk, const char *token,
                   time_t expiration, const char *source)
{
	set_creds(c, ak, sk, token, expiration, source);
}

int aws_creds_from_container(aws_client *c, err *e)
{
	return from_container(c, e);
}

time_t aws_parse_iso8601(const char *s)
{
	return parse_iso8601(s);
}
