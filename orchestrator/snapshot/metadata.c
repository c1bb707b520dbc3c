/*
 * metadata: read and update metadata.json with cJSON, keeping the document's other keys
 * and their order. The layout is ours (cJSON_Print's mixes tabs and inline arrays): two
 * spaces per level, one key per line, empty containers as {} and [], the form jq and
 * most editors write; scalars and keys are still encoded by cJSON.
 */
#include "snapshot/metadata.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"

static void put_scalar(const cJSON *v, buf *out)
{
	char *text = cJSON_PrintUnformatted(v);
	if (!text)
		abort(); /* cJSON fails only when out of memory */
	buf_puts(out, text);
	cJSON_free(text);
}

static void indent(buf *out, int depth)
{
	for (int i = 0; i < depth; i++)
		buf_puts(out, "  ");
}

static void put_value(const cJSON *v, int depth, buf *out)
{
	int is_obj = cJSON_IsObject(v);
	if (!is_obj && !cJSON_IsArray(v)) {
		put_scalar(v, out);
		return;
	}
	if (!v->child) {
		buf_puts(out, is_obj ? "{}" : "[]");
		return;
	}
	buf_puts(out, is_obj ? "{\n" : "[\n");
	for (const cJSON *c = v->child; c; c = c->next) {
		indent(out, depth + 1);
		if (is_obj) {
			cJSON *key = cJSON_CreateString(c->string);
			put_scalar(key, out);
			cJSON_Delete(key);
			buf_puts(out, ": ");
		}
		put_value(c, depth + 1, out);
		buf_puts(out, c->next ? ",\n" : "\n");
	}
	indent(out, depth);
	buf_putc(out, is_obj ? '}' : ']');
}

void metadata_format(const cJSON *json, buf *out)
{
	put_value(json, 0, out);
	buf_putc(out, '\n');
}

/* Parses path; a missing file gives *root NULL and 0. */
static int load(const char *path, cJSON **root, err *e)
{
	*root = NULL;
	if (!fs_exists(path))
		return 0;
	buf text = BUF_INIT;
	if (fs_read_file(path, &text, e) != 0) {
		buf_free(&text);
		return e->code;
	}
	*root = cJSON_ParseWithLength(text.ptr, text.len);
	buf_free(&text);
	if (!*root)
		return err_set(e, ORC_EUSAGE, "%s: invalid JSON (fix the file or remove it)", path);
	if (!cJSON_IsObject(*root)) {
		cJSON_Delete(*root);
		*root = NULL;
		return err_set(e, ORC_EUSAGE,
		               "%s: expected an object keyed by region (fix the file or remove it)",
		               path);
	}
	return 0;
}

int metadata_get_snapshot(const char *path, const char *region, char **id, err *e)
{
	cJSON *root;
	*id = NULL;
	int rc = load(path, &root, e);
	if (rc || !root)
		return rc;
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, region);
	if (r && !cJSON_IsObject(r)) {
		cJSON_Delete(root);
		return err_set(e, ORC_EUSAGE,
		               "%s: \"%s\" is not an object (expected {\"snapshot\": ID})", path,
		               region);
	}
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "snapshot");
	if (s && !cJSON_IsString(s)) {
		cJSON_Delete(root);
		return err_set(
		    e, ORC_EUSAGE,
		    "%s: \"%s\".snapshot is not a string (expected a snapshot identifier)", path,
		    region);
	}
	if (s && *s->valuestring)
		*id = xstrdup(s->valuestring);
	cJSON_Delete(root);
	return 0;
}

int metadata_set_snapshot(const char *path, const char *region, const char *id, int *changed,
                          err *e)
{
	cJSON *root;
	if (changed)
		*changed = 0;
	int rc = load(path, &root, e);
	if (rc)
		return rc;
	if (!root)
		root = cJSON_CreateObject();
	cJSON *r = cJSON_GetObjectItemCaseSensitive(root, region);
	if (r && !cJSON_IsObject(r)) {
		cJSON_Delete(root);
		return err_set(e, ORC_EUSAGE,
		               "%s: \"%s\" is not an object (expected {\"snapshot\": ID})", path,
		               region);
	}
	if (!r)
		r = cJSON_AddObjectToObject(root, region);
	cJSON *value = cJSON_CreateString(id);
	if (cJSON_GetObjectItemCaseSensitive(r, "snapshot"))
		cJSON_ReplaceItemInObjectCaseSensitive(r, "snapshot", value);
	else
		cJSON_AddItemToObject(r, "snapshot", value);

	buf text = BUF_INIT, old = BUF_INIT;
	metadata_format(root, &text);
	cJSON_Delete(root);
	err ignored = ERR_INIT;
	int same = fs_exists(path) && fs_read_file(path, &old, &ignored) == 0 &&
	           old.len == text.len && memcmp(old.ptr, text.ptr, text.len) == 0;
	buf_free(&old);
	if (!same) {
		rc = fs_write_atomic(path, text.ptr, text.len, e);
		if (rc == 0 && changed)
			*changed = 1;
	}
	buf_free(&text);
	return rc;
}
