/*
 * infra_check: config.json against the Terraform of infrastructure/.
 *
 * The same names live in two places: config.json tells orchestrator what to call (the
 * cluster to snapshot, the family to run, the security groups to pass), the tfvars tell
 * Terraform what to create. The template only says they "should match". This module reads
 * infrastructure/<component>/var-files/<region>.tfvars for every region of config.json and
 * reports every value on which the two disagree, and every name two components must share
 * (log group, task roles, repository secrets) but do not.
 */
#ifndef ORC_INFRA_CHECK_H
#define ORC_INFRA_CHECK_H

#include "config/config.h"
#include "core/err.h"

/* The components of infrastructure/ in deployment order (NULL-terminated). The deploy and
 * destroy workflows accept exactly these folder names. */
extern const char *const infra_components[];

/*
 * Reads the var-files of every region of c under repo_root/infrastructure and appends one
 * line per disagreement to out, naming both files and both keys, e.g.
 *   infrastructure/aurora-db/var-files/us-west-2.tfvars:4: cluster_name = "a" but
 *   config.json: infrastructure["us-west-2"].auroraDB.dbClusterName = "b" (...)
 * A component folder that does not exist is skipped (bastion is optional); a region's
 * var-file missing from an existing component, or one this reader refuses, is a problem.
 * Returns 0 when everything agrees, else ORC_EUSAGE with a one-line summary in e.
 */
int config_check_infrastructure(const config *c, const char *repo_root, config_problems *out,
                                err *e);

#endif
