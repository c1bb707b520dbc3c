# oidc-subjects: the subject claims ("sub") of GitHub's OIDC tokens that a role trusts.
# GitHub gives a job that runs in an environment the subject repo:OWNER/REPO:environment:NAME
# and any other job repo:OWNER/REPO:ref:refs/heads/BRANCH (its branch). Trusting
# repo:OWNER/REPO:* would let anyone who can push a branch with a new workflow assume the
# role; trusting named environments (whose deployment branches and reviewers GitHub
# enforces) and the default branch does not. No wildcard is accepted in environments or
# branches: widening on purpose goes through extra_subjects. No provider, so that the tests
# evaluate exactly this file with `terraform console`.

terraform {
  required_version = ">= 1.10.0"
}

variable "github_owner" {
  type = string
}

variable "github_repo" {
  type = string
}

variable "environments" {
  description = "GitHub environments whose jobs may assume the role"
  type        = list(string)
  validation {
    condition     = alltrue([for e in var.environments : can(regex("^[^*?:]+$", e))])
    error_message = "Environment names may not hold *, ? or ':' (use the extra subjects to widen the trust on purpose)."
  }
}

variable "branches" {
  description = "Branches whose jobs outside an environment may assume the role (the default branch)"
  type        = list(string)
  validation {
    condition     = alltrue([for b in var.branches : can(regex("^[^*?]+$", b))])
    error_message = "Branch names may not hold * or ? (use the extra subjects to widen the trust on purpose)."
  }
}

variable "extra_subjects" {
  description = "Further subjects, taken as they are (StringLike: * and ? are wildcards)"
  type        = list(string)
}

locals {
  repo = "repo:${var.github_owner}/${var.github_repo}"
}

output "subjects" {
  value = distinct(concat(
    [for e in var.environments : "${local.repo}:environment:${e}"],
    [for b in var.branches : "${local.repo}:ref:refs/heads/${b}"],
    var.extra_subjects,
  ))
}
