/* SPDX-License-Identifier: MIT */
/*
 * shellcmd: the commands a user hands sqlstorm for /bin/sh -c
 * (--store-cmd, --restore-cmd), checked and expanded without a shell.
 * Checking tells whether a command can be started at all (its placeholders
 * are known, its program exists); expanding fills {db} and {output} with
 * single-quoted paths.  It reads the file system (stat, access) but never
 * runs anything: command.c runs commands, config.c names the flag.
 */
#ifndef SQLSTORM_SHELLCMD_H
#define SQLSTORM_SHELLCMD_H

#include <stddef.h>

/*
 * Check that cmd can be started: it is not empty or blank; every
 * placeholder in it is {db} or {output} (a placeholder is a name in
 * braces, "{out}", not preceded by '$', so "${HOME}", "{}" and
 * "{ print }" are left alone); and its first word, after any leading
 * NAME=value assignments, is a shell builtin or keyword, an executable
 * file if it contains '/', or an executable file in a directory of the
 * PATH found in envp ("/usr/bin:/bin" when envp has none).  A first word
 * that starts with a quote, '~' or '#', or holds a shell metacharacter
 * ($ ` ( ) ; | & < > \ * ? { and the like) cannot be judged without a
 * shell and is accepted.  Returns 0, or -1 with a one-line message in err
 * that does not name the flag (the caller prefixes it), e.g. "cannot run
 * 'frob': not found in PATH".  Reads the file system, never runs anything.
 */
int shellcmd_check(const char *cmd, char **envp, char *err, size_t errlen);

/*
 * Check only the placeholders of cmd, as shellcmd_check() does.  Returns
 * 0, or -1 with "unknown placeholder {x} (...)" in err.
 */
int shellcmd_check_placeholders(const char *cmd, char *err, size_t errlen);

/* 1 if cmd holds the placeholder name ("{output}"), else 0. */
int shellcmd_has_placeholder(const char *cmd, const char *name);

/*
 * Return a malloc'd copy of cmd with every {db} replaced by db and every
 * {output} by output, each single-quoted for /bin/sh (a ' inside is
 * written '\'').  A NULL db or output leaves its placeholder as it is.
 * Placeholders are found as shellcmd_check() finds them, so "${db}" is
 * the shell's, not ours.  Write placeholders bare, not inside quotes: the
 * value brings its own.  Returns NULL with errno ENOMEM on failure; the
 * caller frees the result.
 */
char *shellcmd_expand(const char *cmd, const char *db, const char *output);

#endif
