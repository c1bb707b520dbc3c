/*
 * ec2: name-to-ID resolution over DescribeSubnets and DescribeSecurityGroups.
 *
 * One request per kind carries every name as a filter value, so that resolving the
 * usual two or three names costs one call; answers are paged with NextToken. Matches
 * are grouped per name afterwards, so a name that is missing or matches several
 * resources (the same Name tag in two VPCs) is reported by name rather than silently
 * taking the first.
 */
#include "aws/ec2.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define EC2_VERSION "2016-11-15"

struct kind {
	const char *action;  /* DescribeSubnets */
	const char *filter;  /* tag:Name */
	const char *prefix;  /* subnet- */
	const char *set;     /* subnetSet */
	const char *id;      /* subnetId */
	const char *name_of; /* XPath, relative to an item, of its name */
	const char *what;    /* subnet */
};

static const struct kind SUBNETS = {"DescribeSubnets", "tag:Name", "subnet-",
                                    "subnetSet",       "subnetId", "tagSet/item[key='Name']/value",
                                    "subnet"};
static const struct kind GROUPS = {"DescribeSecurityGroups", "group-name", "sg-",
                                   "securityGroupInfo",      "groupId",    "groupName",
                                   "security group"};

static int resolve(aws_client *c, const struct kind *k, char *const *names, size_t n, char ***out,
                   err *e)
{
	*out = xcalloc(n + 1, sizeof **out);
	/* Every name's matches, as "id,id" in found[i]. */
	buf *found = xcalloc(n ? n : 1, sizeof *found);
	size_t *count = xcalloc(n ? n : 1, sizeof *count);
	size_t lookups = 0;
	aws_params p = {0};
	aws_params_add(&p, "Filter.1.Name", k->filter);
	buf key = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(names[i], k->prefix, strlen(k->prefix)) == 0)
			continue;
		buf_clear(&key);
		buf_printf(&key, "Filter.1.Value.%zu", ++lookups);
		aws_params_add(&p, buf_cstr(&key), names[i]);
	}
	buf_free(&key);

	int rc = 0;
	char *token = NULL, *sent = NULL;
	size_t page = 0;
	while (lookups) {
		aws_params q = {0};
		for (size_t i = 0; i < p.n; i++)
			aws_params_add(&q, p.names[i], p.values[i]);
		if (token)
			aws_params_add(&q, "NextToken", token);
		xmlDocPtr doc = NULL;
		rc = aws_query_call(c, "ec2", k->action, EC2_VERSION, &q, &doc, e);
		aws_params_free(&q);
		free(sent);
		sent = token; /* an answer naming it again would restart the same page forever */
		token = NULL;
		page++;
		if (rc)
			break;
		buf xp = BUF_INIT;
		buf_printf(&xp, "count(//%s/item)", k->set);
		char *cnt = aws_xml_text(doc, buf_cstr(&xp));
		long items = cnt ? strtol(cnt, NULL, 10) : 0;
		free(cnt);
		for (long it = 1; it <= items; it++) {
			buf_clear(&xp);
			buf_printf(&xp, "//%s/item[%ld]/%s", k->set, it, k->id);
			char *id = aws_xml_text(doc, buf_cstr(&xp));
			buf_clear(&xp);
			buf_printf(&xp, "//%s/item[%ld]/%s", k->set, it, k->name_of);
			char *name = aws_xml_text(doc, buf_cstr(&xp));
			for (size_t i = 0; id && name && i < n; i++)
				if (strcmp(names[i], name) == 0) {
					buf_printf(&found[i], "%s%s", count[i] ? ", " : "", id);
					count[i]++;
				}
			free(id);
			free(name);
		}
		buf_free(&xp);
		token = aws_xml_text(doc, "/*/nextToken");
		xmlFreeDoc(doc);
		if (!token || !*token)
			break;
		if (sent && strcmp(token, sent) == 0) {
			rc = err_set(
			    e, ORC_EFAIL,
			    "EC2 %s: page %zu repeats the NextToken it was asked for, so the "
			    "listing would never end; try again later, or report it to AWS",
			    k->action, page);
			break;
		}
	}
	free(sent);
	free(token);
	aws_params_free(&p);

	if (!rc) {
		buf problems = BUF_INIT;
		for (size_t i = 0; i < n; i++) {
			if (strncmp(names[i], k->prefix, strlen(k->prefix)) == 0) {
				(*out)[i] = xstrdup(names[i]);
			} else if (count[i] == 1) {
				(*out)[i] = xstrdup(buf_cstr(&found[i]));
			} else if (count[i] == 0) {
				buf_printf(&problems, "%s'%s' not found", problems.len ? "; " : "",
				           names[i]);
			} else {
				buf_printf(&problems, "%s'%s' matches %zu (%s)",
				           problems.len ? "; " : "", names[i], count[i],
				           buf_cstr(&found[i]));
			}
		}
		if (problems.len)
			rc = err_set(e, ORC_EUSAGE,
			             "%s names in region %s: %s (each must match exactly one %s: "
			             "fix the name or use the %s... ID)",
			             k->what, aws_client_region(c), buf_cstr(&problems), k->what,
			             k->prefix);
		buf_free(&problems);
	}
	for (size_t i = 0; i < n; i++)
		buf_free(&found[i]);
	free(found);
	free(count);
	if (rc) {
		aws_xml_free_texts(*out);
		*out = NULL;
	}
	return rc;
}

int ec2_resolve_subnets(aws_client *c, char *const *names, size_t n, char ***ids, err *e)
{
	return resolve(c, &SUBNETS, names, n, ids, e);
}

int ec2_resolve_security_groups(aws_client *c, char *const *names, size_t n, char ***ids, err *e)
{
	return resolve(c, &GROUPS, names, n, ids, e);
}
