/* SPDX-License-Identifier: MIT */
/*
 * check_command: the guardian behind --store-cmd and --restore-cmd.  The
 * command's status is passed on exactly; it starts with default signal
 * dispositions and an empty mask; nothing it started outlives it, nor
 * its parent (SIGKILLed); SIGTERM to the group lets the shell finish its
 * output; its log is rotated and bounded, and the tail reads the newest
 * lines across the rotation.  Every file lives in a fresh mkdtemp
 * directory under $TMPDIR.
 */
#include "autoconf.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command.h"
#include "util.h"

/* Generous: the machine running the tests may be loaded. */
#define GONE_WITHIN_NS (5 * UTIL_NS_PER_S)
#define LONG_NS        (60 * UTIL_NS_PER_S)

static char tmpdir[PATH_MAX];

static void
setup(void)
{
	const char *base = getenv("TMPDIR");

	if (base == NULL || *base == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s/check_command.XXXXXX", base);
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	util_rmtree(tmpdir);
}

static const char *
tpath(char *buf, size_t cap, const char *name)
{
	if (snprintf(buf, cap, "%s/%s", tmpdir, name) >= (int)cap)
		ck_abort_msg("path too long: %s/%s", tmpdir, name);
	return buf;
}

/* The whole (small) file at path, "" if absent. */
static const char *
slurp(const char *path, char *buf, size_t cap)
{
	ssize_t n = 0;
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		n = util_read(fd, buf, cap - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* The pid written (by the command) into tmpdir/name; waits for it. */
static pid_t
read_pid(const char *name)
{
	char path[PATH_MAX], buf[32];
	int64_t until = util_now_ns() + LONG_NS / 6;

	tpath(path, sizeof path, name);
	while (util_now_ns() < until) {
		slurp(path, buf, sizeof buf);
		if (strchr(buf, '\n') != NULL)
			return (pid_t)atol(buf);
		(void)poll(NULL, 0, 20);
	}
	ck_abort_msg("no pid in %s", path);
	return -1;
}

/* Gone, or a zombie nobody has reaped yet (it holds no resource). */
static int
pid_gone(pid_t pid)
{
	char path[64], buf[512], *close_paren;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	slurp(path, buf, sizeof buf);
	close_paren = strrchr(buf, ')');
	return close_paren != NULL && close_paren[1] == ' ' &&
	    close_paren[2] == 'Z';
}

static void
assert_gone(pid_t pid, const char *what)
{
	int64_t until = util_now_ns() + GONE_WITHIN_NS;

	while (!pid_gone(pid) && util_now_ns() < until)
		(void)poll(NULL, 0, 20);
	if (!pid_gone(pid)) {
		(void)kill(pid, SIGKILL);
		ck_abort_msg("%s (pid %ld) still alive 5 s later", what,
		    (long)pid);
	}
}

static enum command_result
run(const char *cmd, int64_t timeout_ns, int *status)
{
	char log[PATH_MAX];

	tpath(log, sizeof log, "cmd.log");
	return command_run(cmd, log, NULL, tmpdir, timeout_ns, NULL, NULL,
	    status);
}

/* ---------------------------------------------------------------- run */

START_TEST(test_command_output_logged)
{
	char log[PATH_MAX], tail[160];
	int status = -1;

	ck_assert_int_eq(run("echo hello; echo \"in $SQLSTORM_RUN_DIR\" >&2",
	    LONG_NS, &status), COMMAND_OK);
	ck_assert_int_eq(status, 0);
	command_tail(tpath(log, sizeof log, "cmd.log"), 1, tail, sizeof tail);
	ck_assert_int_eq(strncmp(tail, "in ", 3), 0);
	ck_assert_str_eq(tail + 3, tmpdir);
	command_tail(log, 2, tail, sizeof tail);
	ck_assert_int_eq(strncmp(tail, "hello | in ", 11), 0);
}
END_TEST

/* The guardian exits as the shell did: same code, same signal. */
START_TEST(test_command_status_passed_on)
{
	int status = -1;

	ck_assert_int_eq(run("exit 3", LONG_NS, &status), COMMAND_FAILED);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 3);
	ck_assert_int_eq(run("kill -USR1 $$", LONG_NS, &status),
	    COMMAND_FAILED);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGUSR1);
}
END_TEST

/*
 * sqlstorm ignores SIGPIPE and a caller may block signals: the command
 * must not inherit either.  `yes | head -1` ends yes by SIGPIPE (141).
 */
START_TEST(test_command_default_signals)
{
	char path[PATH_MAX], buf[256];
	struct sigaction sa;
	sigset_t set;
	int status = -1;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGPIPE, &sa, NULL), 0);
	ck_assert_int_eq(sigaction(SIGUSR2, &sa, NULL), 0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGALRM);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, NULL), 0);
	ck_assert_int_eq(run("{ yes; echo $? > \"$SQLSTORM_RUN_DIR/yes\"; } |"
	    " head -1 >/dev/null", LONG_NS, &status), COMMAND_OK);
	ck_assert_str_eq(slurp(tpath(path, sizeof path, "yes"), buf,
	    sizeof buf), "141\n");
#if defined(__linux__)
	{
		unsigned long long blk = 1, ign = 1;

		ck_assert_int_eq(run("grep -E '^Sig(Blk|Ign)' /proc/self/status"
		    " > \"$SQLSTORM_RUN_DIR/sig\"", LONG_NS, &status),
		    COMMAND_OK);
		slurp(tpath(path, sizeof path, "sig"), buf, sizeof buf);
		ck_assert_int_eq(sscanf(buf, "SigBlk: %llx SigIgn: %llx", &blk,
		    &ign), 2);
		ck_assert_msg(blk == 0, "blocked in the command: %s", buf);
		/*
		 * Signals 32 and 33 are glibc's own: sigaction() refuses
		 * them, and a test harness may have left them ignored.
		 */
		ck_assert_msg((ign & 0x7fffffffULL) == 0,
		    "ignored in the command: %s", buf);
	}
#endif
}
END_TEST

/* What the shell left behind goes when it ends. */
START_TEST(test_command_leftovers_killed)
{
	int status = -1;

	ck_assert_int_eq(run("sleep 1000 & echo $! > \"$SQLSTORM_RUN_DIR/bg\";"
	    " sh -c 'trap \"\" TERM; exec sleep 1000' &"
	    " echo $! > \"$SQLSTORM_RUN_DIR/stubborn\"", LONG_NS, &status),
	    COMMAND_OK);
	ck_assert_int_eq(status, 0);
	assert_gone(read_pid("bg"), "a background sleep");
	assert_gone(read_pid("stubborn"), "a child that ignores SIGTERM");
}
END_TEST

/* A timed-out command is killed with everything it started. */
START_TEST(test_command_timeout_kills_group)
{
	int status = -1;

	ck_assert_int_eq(run("sleep 1000 & echo $! > \"$SQLSTORM_RUN_DIR/bg\";"
	    " sleep 1000", 300 * UTIL_NS_PER_MS, &status), COMMAND_TIMEOUT);
	assert_gone(read_pid("bg"), "a background sleep");
}
END_TEST

static int
give_up_later(void *arg)
{
	return util_now_ns() >= *(int64_t *)arg;
}

/*
 * SIGTERM reaches the whole group, the guardian included: it must keep
 * relaying until the shell is done, so the shell's last words are logged
 * and its own status comes back.
 */
START_TEST(test_command_stop_lets_shell_finish)
{
	char log[PATH_MAX], tail[160];
	int64_t at;
	int status = -1;

	tpath(log, sizeof log, "cmd.log");
	at = util_now_ns() + 300 * UTIL_NS_PER_MS;
	ck_assert_int_eq(command_run("trap 'echo last words; exit 7' TERM;"
	    " echo started; while :; do sleep 0.05; done", log, NULL, tmpdir,
	    LONG_NS, give_up_later, &at, &status), COMMAND_STOPPED);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 7);
	/* The shell may say "Terminated" for its sleep in between. */
	command_tail(log, 3, tail, sizeof tail);
	ck_assert_int_eq(strncmp(tail, "started | ", 10), 0);
	ck_assert_str_eq(tail + strlen(tail) - 10, "last words");
}
END_TEST

/*
 * The caller (the validator, the sidecar's parent) is SIGKILLed mid-
 * command: nothing the command started survives it.
 */
START_TEST(test_command_dies_with_parent)
{
	pid_t caller, pids[4];
	int status, i;

	caller = fork();
	ck_assert_int_ge(caller, 0);
	if (caller == 0) {
		(void)run("sleep 1000 & echo $! > \"$SQLSTORM_RUN_DIR/a\";"
		    " sh -c 'sleep 1000 & echo $! > \"$SQLSTORM_RUN_DIR/b\";"
		    " echo $$ > \"$SQLSTORM_RUN_DIR/c\"; sleep 1000' &"
		    " echo $$ > \"$SQLSTORM_RUN_DIR/d\"; wait", LONG_NS, NULL);
		_exit(0);
	}
	pids[0] = read_pid("a");
	pids[1] = read_pid("b");
	pids[2] = read_pid("c");
	pids[3] = read_pid("d");
	ck_assert_int_eq(kill(caller, SIGKILL), 0);
	ck_assert_int_eq(waitpid(caller, &status, 0), caller);
	for (i = 0; i < 4; i++)
		assert_gone(pids[i], "a process of the command");
}
END_TEST

/*
 * A process that escaped the group (setsid) and keeps writing to the
 * output pipe must not keep the guardian alive once the shell is done:
 * the drain after the shell ends is bounded.
 */
START_TEST(test_command_drain_bounded)
{
	int status = -1;
	enum command_result cr;

	if (access("/usr/bin/setsid", X_OK) < 0 &&
	    access("/bin/setsid", X_OK) < 0)
		return;         /* no setsid(1): nothing escapes here */
	/* The shell ends only once the escapee has left the group. */
	cr = run("cd \"$SQLSTORM_RUN_DIR\" || exit 9; setsid sh -c 'echo $$ > esc.tmp;"
	    " mv esc.tmp esc; exec yes escaped' & while [ ! -f esc ];"
	    " do sleep 0.01; done; exit 3", 20 * UTIL_NS_PER_S, &status);
	(void)kill(read_pid("esc"), SIGKILL);
	ck_assert_int_eq(cr, COMMAND_FAILED);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 3);
}
END_TEST

/* Fork a guardian whose SIGTERM is pending before it starts. */
static pid_t
guard_with_pending(int sig, const char *cmd)
{
	char log[PATH_MAX];
	pid_t pid;

	tpath(log, sizeof log, "cmd.log");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_BLOCK, &set, NULL);
		(void)raise(sig);
		command_guard(cmd, log, NULL, tmpdir, getppid());
	}
	return pid;
}

/*
 * A SIGTERM that reaches the guardian before its shell exists (the run
 * ending just as the command starts) is not lost: the command does not
 * start, and the guardian ends as killed by that signal.
 */
START_TEST(test_command_early_term_not_lost)
{
	char ran[PATH_MAX];
	int status = -1;
	pid_t pid = guard_with_pending(SIGTERM,
	    "echo > \"$SQLSTORM_RUN_DIR/ran\"; exit 0");

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	    "guardian ended with status 0x%x, not by SIGTERM",
	    (unsigned)status);
	ck_assert_int_eq(access(tpath(ran, sizeof ran, "ran"), F_OK), -1);
}
END_TEST

/* ---------------------------------------------------------------- log */

/* A chatty command: the log and its one rotation stay bounded. */
START_TEST(test_command_log_rotates)
{
	char log[PATH_MAX], old[PATH_MAX], tail[160];
	struct stat a, b;
	int status = -1;

	ck_assert_int_eq(run("yes sqlstorm | head -n 555555; echo newest line",
	    LONG_NS, &status), COMMAND_OK);
	ck_assert_int_eq(stat(tpath(log, sizeof log, "cmd.log"), &a), 0);
	ck_assert_int_eq(stat(tpath(old, sizeof old, "cmd.log.1"), &b), 0);
	ck_assert_int_le(a.st_size, COMMAND_LOG_MAX);
	ck_assert_int_le(b.st_size, COMMAND_LOG_MAX);
	command_tail(log, 2, tail, sizeof tail);
	ck_assert_str_eq(tail, "sqlstorm | newest line");
	command_log_remove(log);
	ck_assert_int_eq(access(log, F_OK), -1);
	ck_assert_int_eq(access(old, F_OK), -1);
}
END_TEST

static void
put(const char *name, const char *text)
{
	char path[PATH_MAX];
	int fd;

	fd = open(tpath(path, sizeof path, name), O_WRONLY | O_CREAT | O_TRUNC,
	    0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(util_write_all(fd, text, strlen(text)), 0);
	close(fd);
}

/* Just rotated: the newest lines are split across the two files. */
START_TEST(test_command_tail_spans_rotation)
{
	char log[PATH_MAX], tail[160];

	tpath(log, sizeof log, "r.log");
	put("r.log.1", "one\ntwo\nthree\nfou");
	put("r.log", "r\nfive\n");
	command_tail(log, 3, tail, sizeof tail);
	ck_assert_str_eq(tail, "three | four | five");
	put("r.log", "");
	command_tail(log, 2, tail, sizeof tail);
	ck_assert_str_eq(tail, "three | fou");
	command_log_remove(log);
	command_tail(log, 2, tail, sizeof tail);
	ck_assert_str_eq(tail, "(no output)");
}
END_TEST

/*
 * Under a file-size limit (ulimit -f) the log cannot grow: the log is
 * dropped, the guardian is not killed by SIGXFSZ, and the shell's own
 * status still comes back.
 */
START_TEST(test_command_log_fsize_limit)
{
	char log[PATH_MAX];
	int status = -1;
	pid_t pid;

	tpath(log, sizeof log, "cmd.log");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit lim = { 4096, 4096 };

		(void)setrlimit(RLIMIT_FSIZE, &lim);
		command_guard("yes | head -c 200000; exit 5", log, NULL,
		    tmpdir, getppid());
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "guardian ended with status 0x%x",
	    (unsigned)status);
	ck_assert_int_eq(WEXITSTATUS(status), 5);
}
END_TEST

Suite *command_suite(void);

Suite *
command_suite(void)
{
	Suite *s = suite_create("command");
	TCase *tc;

	tc = tcase_create("run");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_command_output_logged);
	tcase_add_test(tc, test_command_status_passed_on);
	tcase_add_test(tc, test_command_default_signals);
	tcase_add_test(tc, test_command_leftovers_killed);
	tcase_add_test(tc, test_command_timeout_kills_group);
	tcase_add_test(tc, test_command_stop_lets_shell_finish);
	tcase_add_test(tc, test_command_dies_with_parent);
	tcase_add_test(tc, test_command_drain_bounded);
	tcase_add_test(tc, test_command_early_term_not_lost);
	suite_add_tcase(s, tc);

	tc = tcase_create("log");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_command_log_rotates);
	tcase_add_test(tc, test_command_tail_spans_rotation);
	tcase_add_test(tc, test_command_log_fsize_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(command_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
