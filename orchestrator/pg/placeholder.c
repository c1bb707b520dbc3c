/*
 * placeholder: ${name} replacement (see placeholder.h). A name is what Flyway accepts
 * between "${" and "}": letters, digits and "_.:-". Anything else after "${" is left as
 * written, as Flyway does.
 */
#include "pg/placeholder.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"

extern char **environ;

static char *own(placeholder_set *s, char *p)
{
	ARRAY_GROW(s->owned, s->n_owned + 1, s->owned_cap);
	s->owned[s->n_owned++] = p;
	return p;
}

void placeholder_set_put(placeholder_set *s, const char *name, const char *value)
{
	char *v = own(s, xstrdup(value));
	for (size_t i = 0; i < s->n; i++) {
		if (strcasecmp(s->items[i].name, name) == 0) {
			s->items[i].value = v;
			return;
		}
	}
	ARRAY_GROW(s->items, s->n + 1, s->cap);
	s->items[s->n].name = own(s, xstrdup(name));
	s->items[s->n].value = v;
	s->n++;
}

void placeholder_set_from_env(placeholder_set *s)
{
	static const char prefix[] = "FLYWAY_PLACEHOLDERS_";
	for (char **ep = environ; ep && *ep; ep++) {
		if (strncmp(*ep, prefix, sizeof prefix - 1) != 0)
			continue;
		const char *name = *ep + sizeof prefix - 1;
		const char *eq = strchr(name, '=');
		if (!eq || eq == name)
			continue;
		char *lower = xstrndup(name, (size_t)(eq - name));
		for (char *p = lower; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		log_add_secret(eq + 1);
		placeholder_set_put(s, lower, eq + 1);
		free(lower);
	}
}

void placeholder_set_free(placeholder_set *s)
{
	/* values may be secrets (Secrets Manager, FLYWAY_PLACEHOLDERS_*) */
	for (size_t i = 0; i < s->n_owned; i++) {
		OPENSSL_cleanse(s->owned[i], strlen(s->owned[i]));
		free(s->owned[i]);
	}
	free(s->owned);
	free(s->items);
	memset(s, 0, sizeof *s);
}

static int name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == ':' || c == '-';
}

int placeholder_apply(const placeholder_set *s, const char *file, const char *text, size_t len,
                      buf *out, err *e)
{
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	size_t i = 0, done = 0;
	int line = 1;
	buf_grow(out, len);
	while (i < len) {
		if (text[i] == '\n') {
			line++;
			i++;
			continue;
		}
		if (text[i] != '$' || i + 1 >= len || text[i + 1] != '{') {
			i++;
			continue;
		}
		size_t j = i + 2;
		while (j < len && name_char(text[j]))
			j++;
		if (j == i + 2 || j >= len || text[j] != '}') {
			i++;
			continue;
		}
		size_t nlen = j - (i + 2);
		const char *name = text + i + 2;
		const char *value = NULL;
		if (nlen == 15 && strncasecmp(name, "flyway:filename", 15) == 0)
			value = base;
		for (size_t k = 0; !value && k < s->n; k++)
			if (strlen(s->items[k].name) == nlen &&
			    strncasecmp(s->items[k].name, name, nlen) == 0)
				value = s->items[k].value;
		if (!value)
			return err_set(e, ORC_EUSAGE,
			               "%s:%d: no value for placeholder ${%.*s}; pass "
			               "--placeholder %.*s=VALUE "
			               "or set FLYWAY_PLACEHOLDERS_%.*s (nothing was applied)",
			               file, line, (int)nlen, name, (int)nlen, name, (int)nlen,
			               name);
		buf_put(out, text + done, i - done);
		buf_puts(out, value);
		i = j + 1;
		done = i;
	}
	buf_put(out, text + done, len - done);
	return 0;
}
