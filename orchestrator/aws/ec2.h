/*
 * ec2: the EC2 lookups the product needs: subnet and security group names to IDs.
 */
#ifndef ORC_AWS_EC2_H
#define ORC_AWS_EC2_H

#include <stddef.h>

#include "aws/aws.h"

/*
 * Resolves each name to exactly one ID, in input order: subnets by their Name tag,
 * security groups by group name. Values already shaped like an ID ("subnet-...",
 * "sg-...") pass through unchecked. A name that matches nothing, or more than one
 * resource, fails the whole call (ORC_EUSAGE) with every such name listed on one line.
 * *ids: NULL-terminated heap array (free with aws_xml_free_texts).
 */
int ec2_resolve_subnets(aws_client *c, char *const *names, size_t n, char ***ids, err *e);
int ec2_resolve_security_groups(aws_client *c, char *const *names, size_t n, char ***ids, err *e);

#endif
