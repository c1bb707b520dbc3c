/* AWS Query answers: any bytes parse or fail cleanly, XPath lookups on what parsed return
 * well-formed results (texts NULL-terminated, each a string), and RDS's DBCluster and
 * DBClusterSnapshot elements decode to values in their ranges (a port a port, a
 * percentage a percentage, every text set). */
#include <libxml/parser.h>

#include "aws/aws.h"
#include "aws/internal.h"
#include "aws/rds.h"
#include "fuzz.h"

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx, (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xmlSetGenericErrorFunc(NULL, quiet);
	xmlDocPtr doc = aws_xml_parse((const char *)data, size);
	if (!doc)
		return 0;
	static const char *paths[] = {"//Error/Code", "//Error/Message", "//DBCluster/Status",
	                              "//Marker", "//item/vpcId"};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		char **t = aws_xml_texts(doc, paths[i], NULL);
		FUZZ_ASSERT(t != NULL, "a texts array");
		for (char **s = t; *s; s++)
			FUZZ_ASSERT(strlen(*s) < size + 1, "a text no longer than the answer");
		aws_xml_free_texts(t);
		free(aws_xml_text(doc, paths[i]));
	}
	rds_cluster *cl = NULL;
	size_t ncl = rds_decode_clusters(doc, &cl);
	for (size_t i = 0; i < ncl; i++) {
		FUZZ_ASSERT(cl[i].id && cl[i].arn && cl[i].status && cl[i].endpoint &&
		                cl[i].database_name && cl[i].secret_arn,
		            "every text of a cluster set");
		FUZZ_ASSERT(cl[i].port >= 0 && cl[i].port <= 65535, "a port is a port");
		FUZZ_ASSERT(cl[i].backup_retention >= 0, "a retention is not negative");
		for (size_t k = 0; k < cl[i].tags.n; k++)
			FUZZ_ASSERT(cl[i].tags.keys[k] && cl[i].tags.values[k], "tags set");
	}
	size_t nport = 0;
	char **ports = aws_xml_texts(doc, "//DBCluster/Port", &nport);
	if (ncl == 1 && nport == 1) {
		/* the answer's port when it is one, else none (0), never a wrapped number */
		long want = strtol(ports[0], NULL, 10);
		FUZZ_ASSERT(cl[0].port == (want >= 0 && want <= 65535 ? want : 0),
		            "the answer's port, or none");
	}
	aws_xml_free_texts(ports);
	rds_clusters_free(cl, ncl);
	rds_snapshot *sn = NULL;
	size_t nsn = rds_decode_snapshots(doc, &sn);
	for (size_t i = 0; i < nsn; i++) {
		FUZZ_ASSERT(sn[i].id && sn[i].status && sn[i].kms_key_id,
		            "every text of a snapshot set");
		FUZZ_ASSERT(sn[i].percent >= 0 && sn[i].percent <= 100, "a percentage");
		FUZZ_ASSERT(sn[i].storage_gb >= 0, "a size is not negative");
	}
	rds_snapshots_free(sn, nsn);
	xmlFreeDoc(doc);
	return 0;
}
