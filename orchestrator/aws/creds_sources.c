/*
 * creds_sources: the credential sources a profile can name besides static keys, and EC2
 * instance metadata; creds.c walks the chain and calls these (README "Credential sources").
 *
 *   role_arn + source_profile    AssumeRole signed with the source profile's credentials
 *                                (itself any kind of profile: chains are followed, at most
 *                                AWS_ROLE_CHAIN_MAX deep), with external_id,
 *                                duration_seconds, role_session_name. mfa_serial is refused:
 *                                an unattended run cannot ask for a code.
 *   role_arn + credential_source Environment, EcsContainer or Ec2InstanceMetadata as the
 *                                source of the AssumeRole
 *   sso_session / sso_start_url  IAM Identity Center: the access token `aws sso login`
 *                                cached in ~/.aws/sso/cache/<sha1>.json, exchanged through
 *                                the portal's GetRoleCredentials
 *                                (https://portal.sso.<sso_region>.amazonaws.com, or
 *                                AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL)
 *   credential_process           the command (split into words as a shell would, no
 *                                expansion of commands) prints {"Version": 1, ...} on stdout
 *   EC2 instance metadata        IMDSv2: a PUT for a session token, then the role's
 *                                credentials; 1 s timeouts and one attempt, as the SDKs,
 *                                so that a laptop does not wait on it; skipped with
 *                                AWS_EC2_METADATA_DISABLED=true; AWS_EC2_METADATA_SERVICE_ENDPOINT
 *                                moves it
 *
 * Every secret is registered with the log as soon as it is held, and wiped after use.
 */
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wordexp.h>

#include "aws/internal.h"
#include "core/fs.h"
#include "core/log.h"
#include "net/http.h"

#define AWS_ROLE_CHAIN_MAX 5
#define IMDS_TIMEOUT_MS 1000L
#define IMDS_DEFAULT "http://169.254.169.254"

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static char *pv(const char *profile, const char *key)
{
	return aws_profile_value(profile, key, 1);
}

static void wipe_free(char *s)
{
	if (s)
		OPENSSL_cleanse(s, strlen(s));
	free(s);
}

static int resolve_profile(aws_client *c, const char *profile, int depth, err *e);

/* ---- AssumeRole ---- */

static int assume_role(aws_client *c, const char *profile, const char *role_arn, err *e)
{
	char *external = pv(profile, "external_id"), *duration = pv(profile, "duration_seconds");
	char *session = pv(profile, "role_session_name");
	aws_params p = {0};
	aws_params_add(&p, "RoleArn", role_arn);
	if (session)
		aws_params_add(&p, "RoleSessionName", session);
	else
		aws_params_addf(&p, "RoleSessionName", "orchestrator-%ld", (long)time(NULL));
	if (external)
		aws_params_add(&p, "ExternalId", external);
	int rc = 0;
	if (duration) {
		char *end;
		long d = strtol(duration, &end, 10);
		if (end == duration || *end || d < 900 || d > 43200)
			rc =
			    err_set(e, ORC_EUSAGE,
			            "profile %s: duration_seconds=%s: expected seconds from 900 to "
			            "43200",
			            profile, duration);
		else
			aws_params_addf(&p, "DurationSeconds", "%ld", d);
	}
	xmlDocPtr doc = NULL;
	if (!rc)
		rc = aws_query_call(c, "sts", "AssumeRole", "2011-06-15", &p, &doc, e);
	aws_params_free(&p);
	free(external);
	free(duration);
	free(session);
	if (rc)
		return err_prefix(e, "profile %s: assuming role %s", profile, role_arn);
	char *ak = aws_xml_text(doc, "//Credentials/AccessKeyId");
	char *sk = aws_xml_text(doc, "//Credentials/SecretAccessKey");
	char *tok = aws_xml_text(doc, "//Credentials/SessionToken");
	char *exp = aws_xml_text(doc, "//Credentials/Expiration");
	xmlFreeDoc(doc);
	if (ak && sk && tok)
		aws_creds_set(c, ak, sk, tok, aws_parse_iso8601(exp), "assumed role");
	else
		rc = err_set(e, ORC_EFAIL, "sts AssumeRole %s: the answer has no Credentials",
		             role_arn);
	free(ak);
	wipe_free(sk);
	wipe_free(tok);
	free(exp);
	return rc;
}

static int from_credential_source(aws_client *c, const char *profile, const char *source, err *e)
{
	if (strcmp(source, "Environment") == 0) {
		const char *ak = env("AWS_ACCESS_KEY_ID"), *sk = env("AWS_SECRET_ACCESS_KEY");
		if (!ak || !sk)
			return err_set(
			    e, ORC_EUSAGE,
			    "profile %s: credential_source = Environment, but "
			    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set",
			    profile);
		aws_creds_set(c, ak, sk, env("AWS_SESSION_TOKEN"), 0, "environment");
		return 0;
	}
	if (strcmp(source, "EcsContainer") == 0)
		return aws_creds_from_container(c, e);
	if (strcmp(source, "Ec2InstanceMetadata") == 0) {
		int used = 0;
		int rc = aws_creds_from_imds(c, &used, e);
		if (!used)
			return err_set(e, ORC_EUSAGE,
			               "profile %s: credential_source = Ec2InstanceMetadata, but "
			               "AWS_EC2_METADATA_DISABLED is set",
			               profile);
		return rc;
	}
	return err_set(e, ORC_EUSAGE,
	               "profile %s: credential_source = %s: expected Environment, EcsContainer "
	               "or Ec2InstanceMetadata",
	               profile, source);
}

static int from_role(aws_client *c, const char *profile, const char *role_arn, int depth, err *e)
{
	char *mfa = pv(profile, "mfa_serial");
	if (mfa) {
		err_set(e, ORC_EUSAGE,
		        "profile %s: role %s needs an MFA code (mfa_serial = %s), which an "
		        "unattended run cannot give: use a role without MFA for automation, or "
		        "put session credentials from 'aws sts assume-role --serial-number ... "
		        "--token-code ...' into the environment",
		        profile, role_arn, mfa);
		free(mfa);
		return ORC_EUSAGE;
	}
	if (depth >= AWS_ROLE_CHAIN_MAX)
		return err_set(e, ORC_EUSAGE,
		               "profile %s: more than %d roles chained through source_profile (a "
		               "loop?): check the source_profile entries",
		               profile, AWS_ROLE_CHAIN_MAX);
	char *src = pv(profile, "source_profile"), *csrc = pv(profile, "credential_source");
	int rc;
	if (src && csrc)
		rc = err_set(e, ORC_EUSAGE,
		             "profile %s: both source_profile and credential_source are set: keep "
		             "one",
		             profile);
	else if (!src && !csrc)
		rc = err_set(e, ORC_EUSAGE,
		             "profile %s: role_arn needs source_profile or credential_source",
		             profile);
	else if (csrc)
		rc = from_credential_source(c, profile, csrc, e);
	else if (strcmp(src, profile) == 0) {
		/* A profile that is its own source uses its own static keys (as the CLI). */
		char *ak = aws_profile_value(profile, "aws_access_key_id", 1);
		char *sk = aws_profile_value(profile, "aws_secret_access_key", 1);
		if (ak && sk)
			aws_creds_set(c, ak, sk, NULL, 0, "shared files");
		rc = ak && sk
		         ? 0
		         : err_set(e, ORC_EUSAGE,
		                   "profile %s is its own source_profile but has no static keys",
		                   profile);
		free(ak);
		wipe_free(sk);
	} else {
		rc = resolve_profile(c, src, depth + 1, e);
		if (rc)
			err_prefix(e, "profile %s: source_profile %s", profile, src);
	}
	free(src);
	free(csrc);
	if (!rc)
		rc = assume_role(c, profile, role_arn, e);
	return rc;
}

/* ---- credential_process ---- */

static int run_process(const char *profile, const char *command, buf *out, err *e)
{
	wordexp_t we;
	if (wordexp(command, &we, WRDE_NOCMD | WRDE_UNDEF) != 0 || we.we_wordc == 0) {
		return err_set(e, ORC_EUSAGE,
		               "profile %s: credential_process '%s' is not a command line (quote "
		               "paths with spaces; $(...) is not run)",
		               profile, command);
	}
	int fds[2];
	if (pipe(fds) != 0) {
		wordfree(&we);
		return err_set(e, ORC_EFAIL, "credential_process: cannot make a pipe");
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execvp(we.we_wordv[0], we.we_wordv);
		_exit(127);
	}
	close(fds[1]);
	char chunk[4096];
	ssize_t n;
	while (pid > 0 && (n = read(fds[0], chunk, sizeof chunk)) > 0)
		buf_put(out, chunk, (size_t)n);
	close(fds[0]);
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		wordfree(&we);
		return err_set(e, ORC_EFAIL, "credential_process: cannot start '%s'", command);
	}
	int rc = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = err_set(e, ORC_EREMOTE,
		             "profile %s: credential_process %s %s %d: run it by hand to see why",
		             profile, we.we_wordv[0],
		             WIFEXITED(status) ? "exited with" : "was killed by signal",
		             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	wordfree(&we);
	return rc;
}

static int from_process(aws_client *c, const char *profile, const char *command, err *e)
{
	buf out = BUF_INIT;
	int rc = run_process(profile, command, &out, e);
	cJSON *j = rc ? NULL : cJSON_ParseWithLength(out.ptr ? out.ptr : "", out.len);
	if (out.ptr)
		OPENSSL_cleanse(out.ptr, out.len);
	buf_free(&out);
	if (rc)
		return rc;
	if (aws_creds_decode(c, j, AWS_CREDS_PROCESS))
		rc = err_set(e, ORC_EREMOTE,
		             "profile %s: credential_process printed no {\"Version\": 1, "
		             "\"AccessKeyId\", \"SecretAccessKey\"} JSON on stdout",
		             profile);
	/* the parsed copy of the keys is wiped before it is freed */
	const cJSON *f;
	cJSON_ArrayForEach(f, j) if (cJSON_IsString(f))
	    OPENSSL_cleanse(f->valuestring, strlen(f->valuestring));
	cJSON_Delete(j);
	return rc;
}

/* ---- IAM Identity Center (SSO) ---- */

/* ~/.aws/sso/cache/<sha1 hex of key>.json, as `aws sso login` writes it. */
static char *sso_cache_path(const char *key)
{
	unsigned char md[SHA_DIGEST_LENGTH];
	SHA1((const unsigned char *)key, strlen(key), md);
	char hex[2 * SHA_DIGEST_LENGTH + 1];
	for (size_t i = 0; i < SHA_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	const char *home = env("HOME");
	return xasprintf("%s/.aws/sso/cache/%s.json", home ? home : ".", hex);
}

static int sso_login_needed(const char *profile, const char *why, err *e)
{
	return err_set(e, ORC_EREMOTE,
	               "profile %s: %s: run 'aws sso login --profile %s', then re-run", profile,
	               why, profile);
}

/* The cached access token (heap, registered as a secret) for the profile's SSO session. */
static int sso_token(const char *profile, const char *key, char **token, err *e)
{
	*token = NULL;
	char *path = sso_cache_path(key);
	buf text = BUF_INIT;
	err fe = ERR_INIT;
	if (!fs_exists(path) || fs_read_file(path, &text, &fe)) {
		free(path);
		buf_free(&text);
		return sso_login_needed(profile, "no cached IAM Identity Center token", e);
	}
	cJSON *j = cJSON_ParseWithLength(text.ptr ? text.ptr : "", text.len);
	if (text.ptr)
		OPENSSL_cleanse(text.ptr, text.len);
	buf_free(&text);
	const char *tok = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "accessToken"));
	const char *exp = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "expiresAt"));
	time_t until = aws_parse_iso8601(exp);
	int rc = 0;
	if (!tok || !until)
		rc = sso_login_needed(profile, "the cached IAM Identity Center token is unreadable",
		                      e);
	else if (until <= time(NULL))
		rc = sso_login_needed(profile, "the IAM Identity Center token has expired", e);
	else {
		*token = xstrdup(tok);
		log_add_secret(*token);
	}
	if (tok)
		OPENSSL_cleanse((char *)tok, strlen(tok));
	cJSON_Delete(j);
	free(path);
	return rc;
}

static int from_sso(aws_client *c, const char *profile, const char *session, err *e)
{
	char *section = session ? xasprintf("sso-session %s", session) : NULL;
	char *start =
	    session ? aws_profile_value(section, "sso_start_url", 0) : pv(profile, "sso_start_url");
	char *region =
	    session ? aws_profile_value(section, "sso_region", 0) : pv(profile, "sso_region");
	char *account = pv(profile, "sso_account_id"), *role = pv(profile, "sso_role_name");
	int rc = 0;
	if (!start || !region || !account || !role)
		rc = err_set(e, ORC_EUSAGE,
		             "profile %s: IAM Identity Center needs sso_account_id, sso_role_name "
		             "and%s sso_start_url and sso_region%s%s%s: run 'aws configure sso "
		             "--profile %s'",
		             profile, session ? " (in [sso-session " : "", session ? session : "",
		             session ? "])" : "", "", profile);
	char *token = NULL;
	if (!rc)
		rc = sso_token(profile, session ? session : start, &token, e);
	char *base = NULL;
	if (!rc) {
		const char *ep = env("AWS_ENDPOINT_URL_SSO");
		if (!ep)
			ep = env("AWS_ENDPOINT_URL");
		base = ep ? xstrdup(ep) : xasprintf("https://portal.sso.%s.amazonaws.com", region);
	}
	http_response resp = HTTP_RESPONSE_INIT;
	if (!rc) {
		CURL *cu = curl_easy_init();
		char *r = curl_easy_escape(cu, role, 0), *a = curl_easy_escape(cu, account, 0);
		char *url =
		    xasprintf("%s/federation/credentials?role_name=%s&account_id=%s", base, r, a);
		curl_free(r);
		curl_free(a);
		curl_easy_cleanup(cu);
		buf h = BUF_INIT;
		buf_printf(&h, "x-amz-sso_bearer_token: %s", token);
		struct curl_slist *list = curl_slist_append(NULL, buf_cstr(&h));
		OPENSSL_cleanse(h.ptr, h.len);
		buf_free(&h);
		http_request req = {.method = "GET", .url = url, .headers = list};
		c->calls++;
		rc = http_perform(&req, &resp, e);
		curl_slist_free_all(list);
		if (rc)
			err_prefix(e, "profile %s: IAM Identity Center GetRoleCredentials",
			           profile);
		else if (resp.status == 401 || resp.status == 403)
			rc = sso_login_needed(profile,
			                      "IAM Identity Center refused the cached token", e);
		else if (resp.status != 200)
			rc = err_set(
			    e, resp.status >= 500 ? ORC_EFAIL : ORC_EREMOTE,
			    "profile %s: IAM Identity Center GetRoleCredentials for role %s "
			    "in account %s answered HTTP %ld",
			    profile, role, account, resp.status);
		free(url);
	}
	if (!rc) {
		cJSON *j = cJSON_ParseWithLength(resp.body.ptr ? resp.body.ptr : "", resp.body.len);
		if (aws_creds_decode(c, j, AWS_CREDS_SSO))
			rc = err_set(
			    e, ORC_EFAIL,
			    "profile %s: IAM Identity Center answered without roleCredentials",
			    profile);
		cJSON_Delete(j);
	}
	if (resp.body.ptr)
		OPENSSL_cleanse(resp.body.ptr, resp.body.len);
	http_response_free(&resp);
	wipe_free(token);
	free(base);
	free(section);
	free(start);
	free(region);
	free(account);
	free(role);
	return rc;
}

/* ---- a profile ---- */

/* Any kind of profile, for a source_profile: roles, SSO, process, static keys. */
static int resolve_profile(aws_client *c, const char *profile, int depth, err *e)
{
	char *role = pv(profile, "role_arn"), *session = pv(profile, "sso_session");
	char *start = pv(profile, "sso_start_url"), *process = pv(profile, "credential_process");
	int rc;
	if (role)
		rc = from_role(c, profile, role, depth, e);
	else if (session || start)
		rc = from_sso(c, profile, session, e);
	else {
		char *ak = aws_profile_value(profile, "aws_access_key_id", 1);
		char *sk = aws_profile_value(profile, "aws_secret_access_key", 1);
		char *tok = aws_profile_value(profile, "aws_session_token", 1);
		if (ak && sk) {
			aws_creds_set(c, ak, sk, tok, 0, "shared files");
			rc = 0;
		} else if (process) {
			rc = from_process(c, profile, process, e);
		} else {
			rc = err_set(e, ORC_EUSAGE,
			             "profile %s: no credentials in it (static keys, role_arn, "
			             "sso_session or credential_process)",
			             profile);
		}
		free(ak);
		wipe_free(sk);
		wipe_free(tok);
	}
	free(role);
	free(session);
	free(start);
	free(process);
	return rc;
}

int aws_creds_from_profile(aws_client *c, const char *profile, int *used, err *e)
{
	char *role = pv(profile, "role_arn"), *session = pv(profile, "sso_session");
	char *start = pv(profile, "sso_start_url"), *process = pv(profile, "credential_process");
	char *ak = aws_profile_value(profile, "aws_access_key_id", 1);
	/* Static keys come before credential_process, as in the SDKs; roles and SSO first. */
	*used = role || session || start || (process && !ak);
	int rc = *used ? resolve_profile(c, profile, 0, e) : 0;
	if (*used && !rc)
		log_verbose("aws: credentials from profile '%s' (%s)", profile, c->creds.source);
	free(role);
	free(session);
	free(start);
	free(process);
	free(ak);
	return rc;
}

/* ---- EC2 instance metadata (IMDSv2) ---- */

static int imds_get(aws_client *c, const char *url, const char *method, const char *header,
                    http_response *resp, err *e)
{
	struct curl_slist *list = header ? curl_slist_append(NULL, header) : NULL;
	http_request req = {.method = method,
	                    .url = url,
	                    .headers = list,
	                    .connect_timeout_ms = IMDS_TIMEOUT_MS,
	                    .timeout_ms = IMDS_TIMEOUT_MS};
	http_response_free(resp);
	*resp = (http_response)HTTP_RESPONSE_INIT;
	c->calls++;
	int rc = http_perform(&req, resp, e);
	curl_slist_free_all(list);
	if (!rc && resp->status != 200)
		rc = err_set(e, resp->status == 404 ? ORC_EUSAGE : ORC_EREMOTE,
		             "EC2 instance metadata %s answered HTTP %ld%s", url, resp->status,
		             resp->status == 404 ? " (no IAM role attached to the instance)" : "");
	return rc;
}

int aws_creds_from_imds(aws_client *c, int *used, err *e)
{
	const char *off = env("AWS_EC2_METADATA_DISABLED");
	*used = !(off && strcasecmp(off, "true") == 0);
	if (!*used)
		return 0;
	const char *base = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	if (!base)
		base = IMDS_DEFAULT;
	size_t blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		blen--;
	http_response resp = HTTP_RESPONSE_INIT;
	char *url = xasprintf("%.*s/latest/api/token", (int)blen, base);
	int rc = imds_get(c, url, "PUT", "X-aws-ec2-metadata-token-ttl-seconds: 21600", &resp, e);
	free(url);
	if (rc) {
		http_response_free(&resp);
		return rc;
	}
	char *hdr = xasprintf("X-aws-ec2-metadata-token: %.*s", (int)resp.body.len,
	                      resp.body.ptr ? resp.body.ptr : "");
	log_add_secret(hdr + strlen("X-aws-ec2-metadata-token: "));
	url = xasprintf("%.*s/latest/meta-data/iam/security-credentials/", (int)blen, base);
	rc = imds_get(c, url, "GET", hdr, &resp, e);
	free(url);
	char *role = NULL;
	if (!rc) {
		role = xstrndup(resp.body.ptr ? resp.body.ptr : "", resp.body.len);
		role[strcspn(role, "\r\n")] = '\0';
		if (!*role)
			rc = err_set(e, ORC_EUSAGE,
			             "EC2 instance metadata: no IAM role attached to the instance");
	}
	if (!rc) {
		url = xasprintf("%.*s/latest/meta-data/iam/security-credentials/%s", (int)blen,
		                base, role);
		rc = imds_get(c, url, "GET", hdr, &resp, e);
		free(url);
	}
	if (!rc) {
		cJSON *j = cJSON_ParseWithLength(resp.body.ptr ? resp.body.ptr : "", resp.body.len);
		const char *code =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "Code"));
		if (aws_creds_decode(c, j, AWS_CREDS_IMDS))
			rc = err_set(e, ORC_EREMOTE,
			             "EC2 instance metadata: role %s has no credentials (Code %s)",
			             role, code ? code : "missing");
		cJSON_Delete(j);
	}
	if (resp.body.ptr)
		OPENSSL_cleanse(resp.body.ptr, resp.body.len);
	http_response_free(&resp);
	OPENSSL_cleanse(hdr, strlen(hdr));
	free(hdr);
	free(role);
	return rc;
}
