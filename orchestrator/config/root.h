/*
 * root: the repository root, found from a subdirectory as git finds its work tree.
 *
 * config.json, metadata.json, README.md and sql/ live at the root of the repository. A
 * command run from a subdirectory with its default paths looks upward, one parent at a
 * time: the first directory holding config.json is the root; the top of the git work
 * tree (the directory holding .git) is the root when no config.json was found below it,
 * and the search never goes past it (nor past /). With neither, the current directory
 * stays the root, as before. So `cd sql && orchestrator trigger` reads ../config.json,
 * and schema-docs never writes a README.md into a subdirectory of a repository.
 *
 * Paths are given relative ("../../config.json"), so messages stay short and name the
 * file the user knows. A path passed explicitly (--config, --readme, --metadata,
 * --locations) is used as given, relative to the current directory.
 */
#ifndef ORC_ROOT_H
#define ORC_ROOT_H

/* name (e.g. CONFIG_DEFAULT_PATH, "README.md", "sql") at the repository root; heap. It is
 * name itself when the root is the current directory. */
char *root_path(const char *name);

#endif
