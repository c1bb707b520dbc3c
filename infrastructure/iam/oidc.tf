# Who may assume the roles through GitHub's OIDC provider: the jobs that change production
# run in GitHub environments (run-migration, restore-snapshot, deploy-infrastructure,
# destroy-infrastructure), the others (create-snapshot, destroy's plan) on the default
# branch. Each role trusts its own environments and the default branch, nothing else by
# default (see oidc-subjects/). README "Who may assume the roles (OIDC)" says how to widen it.

module "workflow_subjects" {
  source         = "./oidc-subjects"
  github_owner   = var.github_owner
  github_repo    = var.github_repo
  environments   = var.workflow_role_environments
  branches       = var.github_branches
  extra_subjects = var.github_subjects
}

module "terraform_subjects" {
  source         = "./oidc-subjects"
  github_owner   = var.github_owner
  github_repo    = var.github_repo
  environments   = var.terraform_role_environments
  branches       = var.github_branches
  extra_subjects = var.github_subjects
}
