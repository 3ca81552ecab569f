/* SPDX-License-Identifier: MIT */
/*
 * check_shellcmd: unit tests for shellcmd.c, the checking and expansion
 * of --store-cmd and --restore-cmd without a shell.  Checking is tested
 * against builtins, what only a shell could judge (accepted, never
 * guessed), real files under $TMPDIR (executable, plain, directory) and
 * the PATH of an explicit environment; expansion against quotes, spaces
 * and /bin/sh itself.  The flag-level messages (which knob, which
 * placeholder a knob needs) are config's, tested in check_config.
 */
#include "autoconf.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shellcmd.h"
#include "util.h"

#define ERR_MAX	512

static const char *const empty_path_env[] = { "PATH=/nonexistent", NULL };

/* shellcmd_check() on cmd with envp; returns its result, err kept. */
static int
check_cmd(const char *cmd, const char *const *envp, char *err,
    size_t errlen)
{
	strcpy(err, "(untouched)");
	return shellcmd_check(cmd, (char **)envp, err, errlen);
}

/* ------------------------------------------------------------ check */

START_TEST(test_shellcmd_placeholders)
{
	char err[ERR_MAX];

	ck_assert_int_eq(shellcmd_has_placeholder("cp {db} {output}",
	    "{output}"), 1);
	ck_assert_int_eq(shellcmd_has_placeholder("cp {db} ${output}",
	    "{output}"), 0);
	ck_assert_int_eq(shellcmd_has_placeholder("cp {db} {outputs}",
	    "{output}"), 0);
	ck_assert_int_eq(shellcmd_has_placeholder("", "{db}"), 0);
	ck_assert_int_eq(shellcmd_check_placeholders("cp {db} {output} ${x}"
	    " {} { print }", err, sizeof(err)), 0);
	ck_assert_int_eq(shellcmd_check_placeholders("cp {db} {out}", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown placeholder {out} (the placeholders "
	    "are {db} and {output})");
	/* Only the placeholders: a missing program is not its business. */
	ck_assert_int_eq(shellcmd_check_placeholders("no-such-program-xyz",
	    err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_shellcmd_builtins_accepted)
{
	static const char *const ok[] = {
		"exec frobnicate {db}", "cd / && frobnicate", ":", "true",
		"false", "test -f {db}", "[ -f {db} ]", "set -e; frobnicate",
		"export A=1; frobnicate", "eval frobnicate", ". ./setup.sh",
		"if frobnicate; then :; fi", "for i in 1 2; do :; done",
		"while :; do sleep 1; done", "case x in *) ;; esac",
		"{ frobnicate; }", "! frobnicate", "command -v frobnicate",
		"\texec\tfrobnicate", "A=1 exec frobnicate",
	};
	char err[ERR_MAX];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(check_cmd(ok[i], empty_path_env, err,
		    sizeof(err)) == 0, "'%s': %s", ok[i], err);
}
END_TEST

START_TEST(test_shellcmd_no_guessing)
{
	static const char *const ok[] = {
		"'my prog' {db}", "\"my prog\" {db}", "$HOME/bin/prog {db}",
		"`which prog` {db}", "$(which prog) {db}", "(prog {db})",
		"prog;true", "prog|cat", "prog&", "prog>log", "prog<in",
		"~/bin/prog", "A='a b' prog", "A=$B prog", "# comment",
		"pro*", "pr?g", "pro\\g", "A=1", "A=1 B=2 ",
	};
	char err[ERR_MAX];
	size_t i;

	/* What only a shell can tell is accepted, never guessed at. */
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(check_cmd(ok[i], empty_path_env, err,
		    sizeof(err)) == 0, "'%s': %s", ok[i], err);
}
END_TEST

/*
 * A fresh directory under $TMPDIR for the "commands" test case.  The
 * fixture is unchecked: setup and teardown run in the runner itself, so
 * the directory is removed even when a test in a forked child fails.
 */
static char *cmd_dir;

static void
cmd_dir_setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if ((cmd_dir = malloc(strlen(tmp) + 32)) == NULL)
		abort();
	sprintf(cmd_dir, "%s/check_shellcmd.XXXXXX", tmp);
	if (mkdtemp(cmd_dir) == NULL) {
		perror(cmd_dir);
		abort();
	}
}

static void
cmd_dir_teardown(void)
{
	if (util_rmtree(cmd_dir) == -1)
		perror(cmd_dir);
	free(cmd_dir);
	cmd_dir = NULL;
}

/* Create dir/name with mode; returns the malloc'd path. */
static char *
make_file(const char *dir, const char *name, mode_t mode)
{
	char *path = malloc(strlen(dir) + strlen(name) + 2);
	FILE *fp;

	ck_assert_ptr_nonnull(path);
	sprintf(path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("#!/bin/sh\nexit 0\n", fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

START_TEST(test_shellcmd_paths)
{
	char err[ERR_MAX], cmd[1024];
	const char *dir = cmd_dir;
	char *prog = make_file(dir, "prog", 0755);
	char *plain = make_file(dir, "plain", 0644);

	snprintf(cmd, sizeof(cmd), "%s {db}", prog);
	ck_assert_msg(check_cmd(cmd, empty_path_env, err, sizeof(err)) == 0,
	    "%s", err);
	/* Not executable: refused even for root (no x bit at all). */
	snprintf(cmd, sizeof(cmd), "%s {db}", plain);
	ck_assert_int_eq(check_cmd(cmd, empty_path_env, err, sizeof(err)),
	    -1);
	ck_assert_msg(strncmp(err, "cannot run '", 12) == 0, "%s", err);
	/* A directory passes access(X_OK) but cannot be run. */
	snprintf(cmd, sizeof(cmd), "%s {db}", dir);
	ck_assert_int_eq(check_cmd(cmd, empty_path_env, err, sizeof(err)),
	    -1);
	ck_assert_msg(strncmp(err, "cannot run '", 12) == 0, "%s", err);
	snprintf(cmd, sizeof(cmd), "%s/missing {db}", dir);
	ck_assert_int_eq(check_cmd(cmd, empty_path_env, err, sizeof(err)),
	    -1);
	ck_assert_int_eq(check_cmd("./no-such-program-xyz", empty_path_env,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot run './no-such-program-xyz': No such "
	    "file or directory");
	free(prog);
	free(plain);
}
END_TEST

/* Leading assignments, case and env: what the first word really is. */
START_TEST(test_shellcmd_not_found)
{
	char err[ERR_MAX];

	/* Leading assignments are skipped to find the program. */
	ck_assert_int_eq(check_cmd("A=1 B_2=x frobnicate {db}", NULL, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot run 'frobnicate': not found in PATH");
	/* Builtins are case-sensitive: EXEC is looked for in PATH. */
	ck_assert_int_eq(check_cmd("EXEC true", empty_path_env, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot run 'EXEC': not found in PATH");
	/* env is a program, not a builtin. */
	ck_assert_int_eq(check_cmd("env A=1 true", empty_path_env, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot run 'env': not found in PATH");
}
END_TEST

/* A bare name is looked for in envp's PATH, or in /usr/bin:/bin. */
START_TEST(test_shellcmd_path_lookup)
{
	char err[ERR_MAX], *path_var, *sub;
	const char *dir = cmd_dir;
	char *prog = make_file(dir, "sqlstorm-test-prog", 0755);
	char *plain = make_file(dir, "sqlstorm-test-plain", 0644);
	const char *envp[2] = { NULL, NULL };

	sub = malloc(strlen(dir) + 32);
	ck_assert_ptr_nonnull(sub);
	sprintf(sub, "%s/sqlstorm-test-dir", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	path_var = malloc(strlen(dir) + 32);
	ck_assert_ptr_nonnull(path_var);
	sprintf(path_var, "PATH=/nonexistent:%s", dir);
	envp[0] = path_var;

	ck_assert_msg(check_cmd("sqlstorm-test-prog {db}", envp, err,
	    sizeof(err)) == 0, "%s", err);
	/* A file without x bits, or a directory, is not a program. */
	ck_assert_int_eq(check_cmd("sqlstorm-test-plain", envp, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot run 'sqlstorm-test-plain': not found "
	    "in PATH");
	ck_assert_int_eq(check_cmd("sqlstorm-test-dir", envp, err,
	    sizeof(err)), -1);
	/* Not in this PATH; nor in the fallback when envp has none. */
	ck_assert_int_eq(check_cmd("sqlstorm-test-prog", empty_path_env, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(check_cmd("sqlstorm-test-prog", NULL, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot run 'sqlstorm-test-prog': not found in "
	    "PATH");
	/* The fallback is /usr/bin:/bin, where sh lives everywhere. */
	ck_assert_msg(check_cmd("sh -c true", NULL, err, sizeof(err)) == 0,
	    "%s", err);
	free(path_var);
	free(sub);
	free(prog);
	free(plain);
}
END_TEST

/* ------------------------------------------------------------ expand */

/* Expand and compare; the result is freed here. */
static void
expect_expand(const char *cmd, const char *db, const char *output,
    const char *want)
{
	char *got = shellcmd_expand(cmd, db, output);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_shellcmd_expand_spaces)
{
	expect_expand("cp {db} {output}", "/tmp/a b.db", "/tmp/out dir/x",
	    "cp '/tmp/a b.db' '/tmp/out dir/x'");
	expect_expand("cp {db} {output}", "", "x", "cp '' 'x'");
}
END_TEST

START_TEST(test_shellcmd_expand_quotes)
{
	expect_expand("cat {db}", "/tmp/it's.db", NULL,
	    "cat '/tmp/it'\\''s.db'");
	expect_expand("cat {db}", "''", NULL, "cat ''\\'''\\'''");
	expect_expand("cat {db}", "$HOME `x` \"y\" \\", NULL,
	    "cat '$HOME `x` \"y\" \\'");
}
END_TEST

START_TEST(test_shellcmd_expand_several)
{
	expect_expand("{db} {db}-wal {output}{output} {db}", "d", "o",
	    "'d' 'd'-wal 'o''o' 'd'");
}
END_TEST

START_TEST(test_shellcmd_expand_none)
{
	expect_expand("echo hello", "/x", "/y", "echo hello");
	expect_expand("", "/x", "/y", "");
	/* The shell's own braces are left alone, as the check leaves them. */
	expect_expand("echo ${db} {} { print } {out} {DB} {db", "/x", "/y",
	    "echo ${db} {} { print } {out} {DB} {db");
}
END_TEST

START_TEST(test_shellcmd_expand_null_output)
{
	expect_expand("cp {db} {output}", "/x", NULL, "cp '/x' {output}");
	expect_expand("cp {db} {output}", NULL, "/y", "cp {db} '/y'");
}
END_TEST

START_TEST(test_shellcmd_expand_through_sh)
{
	static const char nasty[] = "a b'c\"d$e`f\\g\nh;*{db}";
	char *cmd, got[128];
	FILE *fp;
	size_t n;

	/* What the shell hands the program is the value, byte for byte. */
	cmd = shellcmd_expand("printf %s {db}", nasty, NULL);
	ck_assert_ptr_nonnull(cmd);
	fp = popen(cmd, "r");
	ck_assert_ptr_nonnull(fp);
	n = fread(got, 1, sizeof(got) - 1, fp);
	got[n] = '\0';
	ck_assert_int_eq(pclose(fp), 0);
	ck_assert_str_eq(got, nasty);
	free(cmd);
}
END_TEST

Suite *shellcmd_suite(void);

Suite *
shellcmd_suite(void)
{
	Suite *s = suite_create("shellcmd");
	TCase *tc;

	tc = tcase_create("check");
	tcase_add_unchecked_fixture(tc, cmd_dir_setup, cmd_dir_teardown);
	tcase_add_test(tc, test_shellcmd_placeholders);
	tcase_add_test(tc, test_shellcmd_builtins_accepted);
	tcase_add_test(tc, test_shellcmd_no_guessing);
	tcase_add_test(tc, test_shellcmd_paths);
	tcase_add_test(tc, test_shellcmd_not_found);
	tcase_add_test(tc, test_shellcmd_path_lookup);
	suite_add_tcase(s, tc);

	tc = tcase_create("expand");
	tcase_add_test(tc, test_shellcmd_expand_spaces);
	tcase_add_test(tc, test_shellcmd_expand_quotes);
	tcase_add_test(tc, test_shellcmd_expand_several);
	tcase_add_test(tc, test_shellcmd_expand_none);
	tcase_add_test(tc, test_shellcmd_expand_null_output);
	tcase_add_test(tc, test_shellcmd_expand_through_sh);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(shellcmd_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
