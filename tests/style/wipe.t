#!/usr/bin/env bash
# Secrets are wiped with OPENSSL_cleanse: `memset(p, 0, n)` before free or before a buffer
# goes out of scope is a dead store the optimiser removes (it did, at 14 sites). The check
# flags memset to 0 of a string (strlen), of a buffer's bytes (.len / ->len) or of a whole
# local array (sizeof name): the shapes of a wipe. Zeroing a struct (sizeof *p) is not one.
source "$(dirname "$0")/../lib/tap.sh"
cd "$ROOT" || exit 1
WIPE='memset\([^&;][^;]*, 0, (strlen\(|[A-Za-z_.>-]*(\.|->)len\b|[a-z_]*len\)|sizeof [A-Za-z_]+\))'
check() { # DIR: the offending lines
	grep -rnE --include='*.c' "$WIPE" "$1" || true
}
t_is "$(check orchestrator)" "" "every wipe uses OPENSSL_cleanse, never memset"
# the check catches each shape
mkdir -p "$T_TMP/src"
cat >"$T_TMP/src/bad.c" <<'C'
void a(char *pw) { memset(pw, 0, strlen(pw)); free(pw); }
void b(buf t) { memset(t.ptr, 0, t.len); buf_free(&t); }
void c(void) { unsigned char key[32]; memset(key, 0, sizeof key); }
void d(buf *t) { memset(t->ptr, 0, t->len); }
void ok(struct x *s) { memset(s, 0, sizeof *s); memset(&tm, 0, sizeof tm); }
C
t_is "$(check "$T_TMP/src" | cut -d: -f2 | tr '\n' ' ')" "1 2 3 4 " "the check flags the four wipe shapes, not a struct reset"
t_done
