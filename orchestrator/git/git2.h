/*
 * git2: libgit2, loaded on its first call (see core/dl.h). Include this instead of
 * <git2.h>: every libgit2 function orchestrator calls is listed below and becomes a call
 * through a pointer. A function not listed fails the link (the binary does not link
 * libgit2 itself): add it to ORC_GIT2_FUNCTIONS and to the macros under it.
 */
#ifndef ORC_GIT_GIT2_H
#define ORC_GIT_GIT2_H

#include <git2.h>
#include <git2/sys/errors.h> /* git_error_set_str moved here in 1.8 */

#include "core/dl.h"

/* clang-format off */
#define ORC_GIT2_FUNCTIONS(X) \
	X(git_blob_create_from_workdir) \
	X(git_branch_create) \
	X(git_branch_iterator_free) \
	X(git_branch_iterator_new) \
	X(git_branch_next) \
	X(git_branch_upstream) \
	X(git_buf_dispose) \
	X(git_checkout_head) \
	X(git_checkout_options_init) \
	X(git_checkout_tree) \
	X(git_cherrypick_commit) \
	X(git_commit_author) \
	X(git_commit_committer) \
	X(git_commit_create) \
	X(git_commit_free) \
	X(git_commit_id) \
	X(git_commit_lookup) \
	X(git_commit_message) \
	X(git_commit_message_encoding) \
	X(git_commit_parent) \
	X(git_commit_parentcount) \
	X(git_commit_time) \
	X(git_commit_tree) \
	X(git_config_free) \
	X(git_config_get_string_buf) \
	X(git_config_open_default) \
	X(git_credential_ssh_key_memory_new) \
	X(git_credential_username_new) \
	X(git_credential_userpass_plaintext_new) \
	X(git_diff_free) \
	X(git_diff_get_delta) \
	X(git_diff_num_deltas) \
	X(git_diff_tree_to_tree) \
	X(git_error_last) \
	X(git_error_set_str) \
	X(git_fetch_options_init) \
	X(git_index_add_bypath) \
	X(git_index_free) \
	X(git_index_has_conflicts) \
	X(git_index_remove_bypath) \
	X(git_index_write) \
	X(git_index_write_tree_to) \
	X(git_libgit2_init) \
	X(git_libgit2_opts) \
	X(git_libgit2_shutdown) \
	X(git_object_free) \
	X(git_object_id) \
	X(git_oid_equal) \
	X(git_oid_tostr) \
	X(git_patch_free) \
	X(git_patch_from_buffers) \
	X(git_patch_to_buf) \
	X(git_push_options_init) \
	X(git_reference_free) \
	X(git_reference_is_branch) \
	X(git_reference_iterator_free) \
	X(git_reference_iterator_glob_new) \
	X(git_reference_lookup) \
	X(git_reference_name) \
	X(git_reference_name_is_valid) \
	X(git_reference_name_to_id) \
	X(git_reference_next) \
	X(git_reference_peel) \
	X(git_reference_resolve) \
	X(git_reference_set_target) \
	X(git_reference_shorthand) \
	X(git_reference_symbolic_target) \
	X(git_reference_target) \
	X(git_reference_type) \
	X(git_remote_connect) \
	X(git_remote_create_with_fetchspec) \
	X(git_remote_fetch) \
	X(git_remote_free) \
	X(git_remote_list) \
	X(git_remote_lookup) \
	X(git_remote_ls) \
	X(git_remote_push) \
	X(git_remote_url) \
	X(git_repository_free) \
	X(git_repository_hashfile) \
	X(git_repository_head) \
	X(git_repository_index) \
	X(git_repository_init) \
	X(git_repository_is_bare) \
	X(git_repository_open_ext) \
	X(git_repository_path) \
	X(git_repository_set_head) \
	X(git_repository_workdir) \
	X(git_revparse_single) \
	X(git_revwalk_free) \
	X(git_revwalk_hide) \
	X(git_revwalk_new) \
	X(git_revwalk_next) \
	X(git_revwalk_push) \
	X(git_revwalk_sorting) \
	X(git_signature_free) \
	X(git_signature_now) \
	X(git_status_file) \
	X(git_strarray_dispose) \
	X(git_tree_create_updated) \
	X(git_tree_entry_bypath) \
	X(git_tree_entry_free) \
	X(git_tree_entry_id) \
	X(git_tree_free) \
	X(git_tree_id) \
	X(git_tree_lookup) \
	X(git_treebuilder_free) \
	X(git_treebuilder_new) \
	X(git_treebuilder_write)
/* clang-format on */

ORC_GIT2_FUNCTIONS(DL_DECLARE)

/* Loads libgit2 and fills the pointers, once; exits naming the package if it cannot. */
void orc_git2_load(void);

#ifndef ORC_GIT2_NO_MACROS
/* clang-format off */
#define git_blob_create_from_workdir (orc_git2_load(), orc_dl_git_blob_create_from_workdir)
#define git_branch_create (orc_git2_load(), orc_dl_git_branch_create)
#define git_branch_iterator_free (orc_git2_load(), orc_dl_git_branch_iterator_free)
#define git_branch_iterator_new (orc_git2_load(), orc_dl_git_branch_iterator_new)
#define git_branch_next (orc_git2_load(), orc_dl_git_branch_next)
#define git_branch_upstream (orc_git2_load(), orc_dl_git_branch_upstream)
#define git_buf_dispose (orc_git2_load(), orc_dl_git_buf_dispose)
#define git_checkout_head (orc_git2_load(), orc_dl_git_checkout_head)
#define git_checkout_options_init (orc_git2_load(), orc_dl_git_checkout_options_init)
#define git_checkout_tree (orc_git2_load(), orc_dl_git_checkout_tree)
#define git_cherrypick_commit (orc_git2_load(), orc_dl_git_cherrypick_commit)
#define git_commit_author (orc_git2_load(), orc_dl_git_commit_author)
#define git_commit_committer (orc_git2_load(), orc_dl_git_commit_committer)
#define git_commit_create (orc_git2_load(), orc_dl_git_commit_create)
#define git_commit_free (orc_git2_load(), orc_dl_git_commit_free)
#define git_commit_id (orc_git2_load(), orc_dl_git_commit_id)
#define git_commit_lookup (orc_git2_load(), orc_dl_git_commit_lookup)
#define git_commit_message (orc_git2_load(), orc_dl_git_commit_message)
#define git_commit_message_encoding (orc_git2_load(), orc_dl_git_commit_message_encoding)
#define git_commit_parent (orc_git2_load(), orc_dl_git_commit_parent)
#define git_commit_parentcount (orc_git2_load(), orc_dl_git_commit_parentcount)
#define git_commit_time (orc_git2_load(), orc_dl_git_commit_time)
#define git_commit_tree (orc_git2_load(), orc_dl_git_commit_tree)
#define git_config_free (orc_git2_load(), orc_dl_git_config_free)
#define git_config_get_string_buf (orc_git2_load(), orc_dl_git_config_get_string_buf)
#define git_config_open_default (orc_git2_load(), orc_dl_git_config_open_default)
#define git_credential_ssh_key_memory_new (orc_git2_load(), orc_dl_git_credential_ssh_key_memory_new)
#define git_credential_username_new (orc_git2_load(), orc_dl_git_credential_username_new)
#define git_credential_userpass_plaintext_new (orc_git2_load(), orc_dl_git_credential_userpass_plaintext_new)
#define git_diff_free (orc_git2_load(), orc_dl_git_diff_free)
#define git_diff_get_delta (orc_git2_load(), orc_dl_git_diff_get_delta)
#define git_diff_num_deltas (orc_git2_load(), orc_dl_git_diff_num_deltas)
#define git_diff_tree_to_tree (orc_git2_load(), orc_dl_git_diff_tree_to_tree)
#define git_error_last (orc_git2_load(), orc_dl_git_error_last)
#define git_error_set_str (orc_git2_load(), orc_dl_git_error_set_str)
#define git_fetch_options_init (orc_git2_load(), orc_dl_git_fetch_options_init)
#define git_index_add_bypath (orc_git2_load(), orc_dl_git_index_add_bypath)
#define git_index_free (orc_git2_load(), orc_dl_git_index_free)
#define git_index_has_conflicts (orc_git2_load(), orc_dl_git_index_has_conflicts)
#define git_index_remove_bypath (orc_git2_load(), orc_dl_git_index_remove_bypath)
#define git_index_write (orc_git2_load(), orc_dl_git_index_write)
#define git_index_write_tree_to (orc_git2_load(), orc_dl_git_index_write_tree_to)
#define git_libgit2_init (orc_git2_load(), orc_dl_git_libgit2_init)
#define git_libgit2_opts (orc_git2_load(), orc_dl_git_libgit2_opts)
#define git_libgit2_shutdown (orc_git2_load(), orc_dl_git_libgit2_shutdown)
#define git_object_free (orc_git2_load(), orc_dl_git_object_free)
#define git_object_id (orc_git2_load(), orc_dl_git_object_id)
#define git_oid_equal (orc_git2_load(), orc_dl_git_oid_equal)
#define git_oid_tostr (orc_git2_load(), orc_dl_git_oid_tostr)
#define git_patch_free (orc_git2_load(), orc_dl_git_patch_free)
#define git_patch_from_buffers (orc_git2_load(), orc_dl_git_patch_from_buffers)
#define git_patch_to_buf (orc_git2_load(), orc_dl_git_patch_to_buf)
#define git_push_options_init (orc_git2_load(), orc_dl_git_push_options_init)
#define git_reference_free (orc_git2_load(), orc_dl_git_reference_free)
#define git_reference_is_branch (orc_git2_load(), orc_dl_git_reference_is_branch)
#define git_reference_iterator_free (orc_git2_load(), orc_dl_git_reference_iterator_free)
#define git_reference_iterator_glob_new (orc_git2_load(), orc_dl_git_reference_iterator_glob_new)
#define git_reference_lookup (orc_git2_load(), orc_dl_git_reference_lookup)
#define git_reference_name (orc_git2_load(), orc_dl_git_reference_name)
#define git_reference_name_is_valid (orc_git2_load(), orc_dl_git_reference_name_is_valid)
#define git_reference_name_to_id (orc_git2_load(), orc_dl_git_reference_name_to_id)
#define git_reference_next (orc_git2_load(), orc_dl_git_reference_next)
#define git_reference_peel (orc_git2_load(), orc_dl_git_reference_peel)
#define git_reference_resolve (orc_git2_load(), orc_dl_git_reference_resolve)
#define git_reference_set_target (orc_git2_load(), orc_dl_git_reference_set_target)
#define git_reference_shorthand (orc_git2_load(), orc_dl_git_reference_shorthand)
#define git_reference_symbolic_target (orc_git2_load(), orc_dl_git_reference_symbolic_target)
#define git_reference_target (orc_git2_load(), orc_dl_git_reference_target)
#define git_reference_type (orc_git2_load(), orc_dl_git_reference_type)
#define git_remote_connect (orc_git2_load(), orc_dl_git_remote_connect)
#define git_remote_create_with_fetchspec (orc_git2_load(), orc_dl_git_remote_create_with_fetchspec)
#define git_remote_fetch (orc_git2_load(), orc_dl_git_remote_fetch)
#define git_remote_free (orc_git2_load(), orc_dl_git_remote_free)
#define git_remote_list (orc_git2_load(), orc_dl_git_remote_list)
#define git_remote_lookup (orc_git2_load(), orc_dl_git_remote_lookup)
#define git_remote_ls (orc_git2_load(), orc_dl_git_remote_ls)
#define git_remote_push (orc_git2_load(), orc_dl_git_remote_push)
#define git_remote_url (orc_git2_load(), orc_dl_git_remote_url)
#define git_repository_free (orc_git2_load(), orc_dl_git_repository_free)
#define git_repository_hashfile (orc_git2_load(), orc_dl_git_repository_hashfile)
#define git_repository_head (orc_git2_load(), orc_dl_git_repository_head)
#define git_repository_index (orc_git2_load(), orc_dl_git_repository_index)
#define git_repository_init (orc_git2_load(), orc_dl_git_repository_init)
#define git_repository_is_bare (orc_git2_load(), orc_dl_git_repository_is_bare)
#define git_repository_open_ext (orc_git2_load(), orc_dl_git_repository_open_ext)
#define git_repository_path (orc_git2_load(), orc_dl_git_repository_path)
#define git_repository_set_head (orc_git2_load(), orc_dl_git_repository_set_head)
#define git_repository_workdir (orc_git2_load(), orc_dl_git_repository_workdir)
#define git_revparse_single (orc_git2_load(), orc_dl_git_revparse_single)
#define git_revwalk_free (orc_git2_load(), orc_dl_git_revwalk_free)
#define git_revwalk_hide (orc_git2_load(), orc_dl_git_revwalk_hide)
#define git_revwalk_new (orc_git2_load(), orc_dl_git_revwalk_new)
#define git_revwalk_next (orc_git2_load(), orc_dl_git_revwalk_next)
#define git_revwalk_push (orc_git2_load(), orc_dl_git_revwalk_push)
#define git_revwalk_sorting (orc_git2_load(), orc_dl_git_revwalk_sorting)
#define git_signature_free (orc_git2_load(), orc_dl_git_signature_free)
#define git_signature_now (orc_git2_load(), orc_dl_git_signature_now)
#define git_status_file (orc_git2_load(), orc_dl_git_status_file)
#define git_strarray_dispose (orc_git2_load(), orc_dl_git_strarray_dispose)
#define git_tree_create_updated (orc_git2_load(), orc_dl_git_tree_create_updated)
#define git_tree_entry_bypath (orc_git2_load(), orc_dl_git_tree_entry_bypath)
#define git_tree_entry_free (orc_git2_load(), orc_dl_git_tree_entry_free)
#define git_tree_entry_id (orc_git2_load(), orc_dl_git_tree_entry_id)
#define git_tree_free (orc_git2_load(), orc_dl_git_tree_free)
#define git_tree_id (orc_git2_load(), orc_dl_git_tree_id)
#define git_tree_lookup (orc_git2_load(), orc_dl_git_tree_lookup)
#define git_treebuilder_free (orc_git2_load(), orc_dl_git_treebuilder_free)
#define git_treebuilder_new (orc_git2_load(), orc_dl_git_treebuilder_new)
#define git_treebuilder_write (orc_git2_load(), orc_dl_git_treebuilder_write)
/* clang-format on */
#endif

#endif
