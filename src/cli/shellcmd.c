/* SPDX-License-Identifier: MIT */
/*
 * shellcmd: checks and expands the shell commands of --store-cmd and
 * --restore-cmd.  A check finds the placeholders ({db}, {output}) and the
 * program a command would start, and looks for that program the way
 * /bin/sh would (builtins, a path, the PATH of the environment given);
 * whatever only a shell can tell (quotes, expansions, globs) is accepted,
 * never guessed at.  Expansion replaces placeholders with single-quoted
 * values.  This module only reads the file system (stat, access); it never
 * runs a command (command.c does) and never names the flag or variable a
 * command came from (config.c does).
 */
#include "autoconf.h"
#include "shellcmd.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define DEFAULT_PATH	"/usr/bin:/bin"	/* when envp has no PATH */
#define BLANKS		" \t\n"

/* Words /bin/sh runs itself: a command starting with one needs no PATH. */
static const char *const sh_builtins[] = {
	/* Special builtins. */
	":", ".", "break", "continue", "eval", "exec", "exit", "export",
	"readonly", "return", "set", "shift", "times", "trap", "unset",
	/* Regular builtins of dash, bash and ksh. */
	"alias", "bg", "cd", "command", "echo", "false", "fc", "fg",
	"getopts", "hash", "jobs", "kill", "printf", "pwd", "read", "test",
	"[", "true", "type", "ulimit", "umask", "unalias", "wait",
	/* Reserved words. */
	"!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi",
	"for", "if", "in", "then", "until", "while",
	NULL
};

/*
 * Characters that make a first word mean something only a shell can tell
 * (quotes, expansions, globs, redirections, separators, comments).
 */
static const char sh_special[] = "'\"\\$`()*?[]{}~#;|&<>";

/* The PATH of envp, or the fallback.  The first entry wins, as getenv(). */
static const char *
env_path(char **envp)
{
	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, "PATH=", 5) == 0)
			return *envp + 5;
	return DEFAULT_PATH;
}

/* ------------------------------------------------------------ placeholders */

/*
 * The length of the placeholder that starts at s[i] ("{db}" is 4), or 0 if
 * none does.  A placeholder is a name in braces; "${name}" is the shell's
 * own expansion and "{}" or "{ print }" are plain shell text.
 */
static size_t
placeholder_len(const char *s, size_t i)
{
	size_t n;

	if (s[i] != '{' || (i > 0 && s[i - 1] == '$'))
		return 0;
	if (!isalpha((unsigned char)s[i + 1]) && s[i + 1] != '_')
		return 0;
	for (n = 2; isalnum((unsigned char)s[i + n]) || s[i + n] == '_'; n++)
		continue;
	return s[i + n] == '}' ? n + 1 : 0;
}

static int
is_placeholder(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && strncmp(s, name, len) == 0;
}

int
shellcmd_has_placeholder(const char *cmd, const char *name)
{
	size_t i, len;

	for (i = 0; cmd[i] != '\0'; i++)
		if ((len = placeholder_len(cmd, i)) > 0 &&
		    is_placeholder(cmd + i, len, name))
			return 1;
	return 0;
}

int
shellcmd_check_placeholders(const char *cmd, char *err, size_t errlen)
{
	char name[UTIL_SHOW_MAX + 8], shown[UTIL_SHOW_MAX + 8];
	size_t i, len;

	for (i = 0; cmd[i] != '\0'; i++) {
		if ((len = placeholder_len(cmd, i)) == 0 ||
		    is_placeholder(cmd + i, len, "{db}") ||
		    is_placeholder(cmd + i, len, "{output}"))
			continue;
		util_strlcpy(name, cmd + i, len + 1 < sizeof(name) ?
		    len + 1 : sizeof(name));
		util_set_err(err, errlen, "unknown placeholder %s (the "
		    "placeholders are {db} and {output})",
		    util_show(name, shown, sizeof(shown)));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ program */

/* NAME=value: a shell assignment that precedes the command word. */
static int
is_assignment(const char *word)
{
	size_t n;

	if (!isalpha((unsigned char)word[0]) && word[0] != '_')
		return 0;
	for (n = 1; isalnum((unsigned char)word[n]) || word[n] == '_'; n++)
		continue;
	return word[n] == '=';
}

/* Case matters here: "EXEC" is a program name to the shell. */
static int
is_builtin(const char *word)
{
	size_t i;

	for (i = 0; sh_builtins[i] != NULL; i++)
		if (strcmp(sh_builtins[i], word) == 0)
			return 1;
	return 0;
}

/*
 * Copy the word of cmd that names the program into a malloc'd *word, or
 * set *word to NULL when there is nothing a shell-less check can judge:
 * a builtin or keyword, quotes or expansions, or assignments alone.
 * Returns 0, or -1 when out of memory.
 */
static int
command_word(const char *cmd, char **word)
{
	const char *p = cmd;
	size_t len;
	char *w;

	*word = NULL;
	for (;;) {
		p += strspn(p, BLANKS);
		if ((len = strcspn(p, BLANKS)) == 0)
			return 0;
		if ((w = malloc(len + 1)) == NULL)
			return -1;
		memcpy(w, p, len);
		w[len] = '\0';
		if (is_builtin(w) || strpbrk(w, sh_special) != NULL) {
			free(w);
			return 0;
		}
		if (!is_assignment(w)) {
			*word = w;
			return 0;
		}
		free(w);
		p += len;
	}
}

/* 0 if path is a file we may execute, else -1 with errno. */
static int
check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	return access(path, X_OK);
}

/* Look for word in each directory of path; an empty entry means ".". */
static int
find_in_path(const char *word, const char *path)
{
	const char *dir = path;
	size_t len;
	char *full;
	int found = 0;

	for (;;) {
		len = strcspn(dir, ":");
		if ((full = malloc(len + strlen(word) + 3)) == NULL)
			return -1;
		if (len == 0)
			snprintf(full, len + strlen(word) + 3, "./%s", word);
		else
			snprintf(full, len + strlen(word) + 3, "%.*s/%s",
			    (int)len, dir, word);
		found = check_executable(full) == 0;
		free(full);
		if (found || dir[len] == '\0')
			break;
		dir += len + 1;
	}
	return found;
}

int
shellcmd_check(const char *cmd, char **envp, char *err, size_t errlen)
{
	char shown[UTIL_SHOW_MAX + 8], *word = NULL;
	int rc = -1, found;

	if (cmd == NULL || cmd[strspn(cmd, BLANKS)] == '\0') {
		util_set_err(err, errlen, "the command must not be empty");
		return -1;
	}
	if (shellcmd_check_placeholders(cmd, err, errlen) == -1)
		return -1;
	if (command_word(cmd, &word) == -1) {
		util_set_err(err, errlen, "out of memory");
		return -1;
	}
	if (word == NULL)
		return 0;
	util_show(word, shown, sizeof(shown));
	if (strchr(word, '/') != NULL) {
		if (check_executable(word) == 0)
			rc = 0;
		else
			util_set_err(err, errlen, "cannot run '%s': %s", shown,
			    strerror(errno));
		goto done;
	}
	if ((found = find_in_path(word, env_path(envp))) == 1)
		rc = 0;
	else if (found == -1)
		util_set_err(err, errlen, "out of memory");
	else
		util_set_err(err, errlen, "cannot run '%s': not found in PATH",
		    shown);
done:
	free(word);
	return rc;
}

/* ------------------------------------------------------------ expansion */

/*
 * Append cmd with placeholders expanded to out (when not NULL) and return
 * the length of the result, so one pass measures and the next writes.
 */
static size_t
expand(const char *cmd, const char *db, const char *output, char *out)
{
	const char *val;
	size_t i, j, len, n = 0;

	for (i = 0; cmd[i] != '\0'; i += len) {
		len = placeholder_len(cmd, i);
		val = NULL;
		if (len > 0 && is_placeholder(cmd + i, len, "{db}"))
			val = db;
		else if (len > 0 && is_placeholder(cmd + i, len, "{output}"))
			val = output;
		if (val == NULL) {
			len = len > 0 ? len : 1;
			if (out != NULL)
				memcpy(out + n, cmd + i, len);
			n += len;
			continue;
		}
		if (out != NULL)
			out[n] = '\'';
		n++;
		for (j = 0; val[j] != '\0'; j++) {
			/* A quote cannot be escaped inside quotes. */
			if (val[j] == '\'') {
				if (out != NULL)
					memcpy(out + n, "'\\''", 4);
				n += 4;
			} else {
				if (out != NULL)
					out[n] = val[j];
				n++;
			}
		}
		if (out != NULL)
			out[n] = '\'';
		n++;
	}
	if (out != NULL)
		out[n] = '\0';
	return n;
}

char *
shellcmd_expand(const char *cmd, const char *db, const char *output)
{
	char *out;

	if ((out = malloc(expand(cmd, db, output, NULL) + 1)) == NULL)
		return NULL;
	expand(cmd, db, output, out);
	return out;
}

