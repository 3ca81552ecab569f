/* SPDX-License-Identifier: MIT */
/*
 * fault: parses the fault-injection spec ("w0:crash@500ms,validator:hang@1s")
 * into a list of struct fault, strictly: no spaces, no signs or leading
 * zeros in worker numbers, no empty items, every item checked against the
 * number of workers, and the first bad item named in a one-line error that
 * says what was expected.  It also turns a fault's TIME into an absolute
 * CLOCK_MONOTONIC instant.  It deliberately does not fire anything (child.c
 * does), keep any state beyond the list, or prefix errors with the flag or
 * variable name (config.c knows which one it was).
 */
#include "autoconf.h"
#include "fault.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "duration.h"
#include "util.h"

#define FAULT_ACTIONS \
	"crash, abort, exit, exit=N, hang, error=CODE, garbage, droprow"
#define FAULT_TIMES \
	"a duration from the start like 500ms, or deadline, deadline+D, " \
	"deadline-D"

/* One item being parsed, cut into NUL-terminated parts. */
struct fault_item {
	const char *text;      /* the whole item, for messages */
	char       *child;
	char       *action;
	char       *modifier;  /* after '/', or NULL */
	char       *time;
};

static const struct {
	const char        *name;
	enum fault_action  action;
} fault_names[] = {
	{ "crash",   FAULT_CRASH },
	{ "abort",   FAULT_ABORT },
	{ "exit",    FAULT_EXIT },
	{ "hang",    FAULT_HANG },
	{ "error",   FAULT_ERROR },
	{ "garbage", FAULT_GARBAGE },
	{ "droprow", FAULT_DROPROW },
};

const char *
fault_action_name(enum fault_action a)
{
	size_t i;

	for (i = 0; i < sizeof fault_names / sizeof fault_names[0]; i++)
		if (fault_names[i].action == a)
			return fault_names[i].name;
	return "unknown";
}

void
fault_free(struct fault_list *list)
{
	if (list == NULL)
		return;
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

static int
fault_parse_child(const struct fault_item *it, int nworkers, struct fault *f,
    char *err, size_t errlen)
{
	const char *num = it->child + 1;
	unsigned long idx;

	if (strcmp(it->child, "validator") == 0) {
		f->child = FAULT_CHILD_VALIDATOR;
		return 0;
	}
	/* "w01" and "w+1" would name the same worker as "w1": refuse them. */
	if (it->child[0] != 'w' || num[0] == '\0' ||
	    strspn(num, "0123456789") != strlen(num) ||
	    (num[0] == '0' && num[1] != '\0')) {
		snprintf(err, errlen, "fault '%s': unknown child '%s' "
		    "(expected wN or validator)", it->text, it->child);
		return -1;
	}
	if (util_parse_uint(num, INT_MAX, &idx) < 0 ||
	    idx >= (unsigned long)(nworkers > 0 ? nworkers : 0)) {
		if (nworkers <= 0)
			snprintf(err, errlen, "fault '%s': no worker %s (there "
			    "are no workers)", it->text, it->child);
		else
			snprintf(err, errlen, "fault '%s': no worker %s "
			    "(workers are w0..w%d)", it->text, it->child,
			    nworkers - 1);
		return -1;
	}
	f->child = (int)idx;
	return 0;
}

static int
fault_parse_exit(const struct fault_item *it, const char *arg,
    struct fault *f, char *err, size_t errlen)
{
	unsigned long code;

	if (util_parse_uint(arg, 255, &code) < 0) {
		snprintf(err, errlen, "fault '%s': bad exit code '%s' "
		    "(expected 0..255)", it->text, arg);
		return -1;
	}
	f->arg = (int)code;
	return 0;
}

static int
fault_parse_code(const struct fault_item *it, const char *arg,
    struct fault *f, char *err, size_t errlen)
{
	int code = classify_code_from_name(arg);

	if (code < 0 || code > 255) {
		snprintf(err, errlen, "fault '%s': unknown error code '%s' "
		    "(expected a SQLite primary result code such as BUSY, "
		    "SQLITE_IOERR or 5)", it->text, arg);
		return -1;
	}
	/* OK, ROW and DONE are not errors: the child could not report them. */
	if (code == 0 || code == 100 || code == 101) {
		snprintf(err, errlen, "fault '%s': '%s' is not an error code "
		    "(OK, ROW and DONE are success codes)", it->text, arg);
		return -1;
	}
	f->arg = code;
	return 0;
}

static int
fault_parse_action(const struct fault_item *it, struct fault *f, char *err,
    size_t errlen)
{
	char *eq = strchr(it->action, '=');
	const char *arg = NULL;
	size_t i;

	if (eq != NULL) {
		*eq = '\0';
		arg = eq + 1;
	}
	for (i = 0; i < sizeof fault_names / sizeof fault_names[0]; i++)
		if (strcmp(it->action, fault_names[i].name) == 0)
			break;
	if (arg == NULL && i < sizeof fault_names / sizeof fault_names[0] &&
	    fault_names[i].action == FAULT_ERROR) {
		snprintf(err, errlen, "fault '%s': error needs a code "
		    "(error=CODE, e.g. error=BUSY)", it->text);
		return -1;
	}
	if (i == sizeof fault_names / sizeof fault_names[0] ||
	    (arg != NULL && fault_names[i].action != FAULT_ERROR &&
	    fault_names[i].action != FAULT_EXIT)) {
		if (eq != NULL)
			*eq = '=';
		snprintf(err, errlen, "fault '%s': unknown action '%s' (%s)",
		    it->text, it->action, FAULT_ACTIONS);
		return -1;
	}
	f->action = fault_names[i].action;
	if (f->action == FAULT_EXIT && arg != NULL)
		return fault_parse_exit(it, arg, f, err, errlen);
	if (f->action == FAULT_ERROR)
		return fault_parse_code(it, arg, f, err, errlen);
	return 0;
}

static int
fault_parse_time(const struct fault_item *it, struct fault *f, char *err,
    size_t errlen)
{
	const char *d = it->time;
	int64_t ns;
	int sign = 1;

	if (strncmp(d, "deadline", 8) == 0) {
		f->from_deadline = 1;
		d += 8;
		if (*d == '\0') {
			f->offset_ns = 0;
			return 0;
		}
		if (*d != '+' && *d != '-')
			goto bad;
		sign = *d == '-' ? -1 : 1;
		d++;
	}
	/* A sign before the duration is only meaningful after "deadline". */
	if (*d < '0' || *d > '9' || duration_parse(d, &ns) < 0 ||
	    ns < 0)
		goto bad;
	f->offset_ns = sign * ns;
	return 0;

bad:
	snprintf(err, errlen, "fault '%s': bad time '%s' (expected %s)",
	    it->text, it->time, FAULT_TIMES);
	return -1;
}

/*
 * Cut item (modified in place) into its parts.  text is an unmodified
 * copy of it for messages.
 */
static int
fault_split(char *item, const char *text, struct fault_item *it, char *err,
    size_t errlen)
{
	char *colon, *at, *slash;

	memset(it, 0, sizeof *it);
	it->text = text;
	if (strpbrk(item, " \t\n\r\v\f") != NULL) {
		snprintf(err, errlen, "fault '%s': spaces are not allowed "
		    "(expected CHILD:ACTION@TIME)", text);
		return -1;
	}
	colon = strchr(item, ':');
	at = colon == NULL ? NULL : strchr(colon + 1, '@');
	if (colon == NULL || at == NULL || colon == item || at == colon + 1 ||
	    at[1] == '\0') {
		snprintf(err, errlen, "fault '%s': expected CHILD:ACTION@TIME "
		    "(e.g. w0:crash@500ms)", text);
		return -1;
	}
	*colon = '\0';
	*at = '\0';
	it->child = item;
	it->action = colon + 1;
	it->time = at + 1;
	slash = strchr(it->action, '/');
	if (slash != NULL) {
		*slash = '\0';
		it->modifier = slash + 1;
	}
	return 0;
}

static int
fault_parse_item(char *item, const char *text, int nworkers,
    struct fault *f, char *err, size_t errlen)
{
	struct fault_item it;

	memset(f, 0, sizeof *f);
	if (fault_split(item, text, &it, err, errlen) < 0 ||
	    fault_parse_child(&it, nworkers, f, err, errlen) < 0 ||
	    fault_parse_action(&it, f, err, errlen) < 0)
		return -1;
	if (it.modifier != NULL && strcmp(it.modifier, "deferred") != 0) {
		snprintf(err, errlen, "fault '%s': unknown modifier '/%s' "
		    "(only /deferred, after error=CODE)", text, it.modifier);
		return -1;
	}
	if (it.modifier != NULL && f->action != FAULT_ERROR) {
		snprintf(err, errlen, "fault '%s': /deferred only applies to "
		    "error=CODE", text);
		return -1;
	}
	f->deferred = it.modifier != NULL;
	if (f->action == FAULT_DROPROW && f->child == FAULT_CHILD_VALIDATOR) {
		snprintf(err, errlen, "fault '%s': droprow applies to workers "
		    "only (wN)", text);
		return -1;
	}
	if (fault_parse_time(&it, f, err, errlen) < 0)
		return -1;
	/* The canary deletes while the worker still runs: before shutdown. */
	if (f->action == FAULT_DROPROW && f->from_deadline && f->offset_ns >= 0) {
		snprintf(err, errlen, "fault '%s': droprow must happen before "
		    "the deadline (e.g. deadline-100ms)", text);
		return -1;
	}
	return 0;
}

/* Number of comma-separated items in s. */
static size_t
fault_count(const char *s)
{
	size_t n = 1;

	for (; *s != '\0'; s++)
		if (*s == ',')
			n++;
	return n;
}

int
fault_parse(const char *spec, int nworkers, struct fault_list *out,
    char *err, size_t errlen)
{
	struct fault *v = NULL;
	char *work = NULL, *text = NULL, *item, *next;
	size_t len, n = 0, max;

	out->v = NULL;
	out->n = 0;
	if (spec == NULL || *spec == '\0')
		return 0;
	len = strlen(spec);
	max = fault_count(spec);
	v = calloc(max, sizeof *v);
	work = malloc(len + 1);
	text = malloc(len + 1);
	if (v == NULL || work == NULL || text == NULL) {
		snprintf(err, errlen, "fault spec: %s", strerror(ENOMEM));
		goto fail;
	}
	memcpy(work, spec, len + 1);
	memcpy(text, spec, len + 1);
	for (item = work; item != NULL; item = next, n++) {
		next = strchr(item, ',');
		if (next != NULL)
			*next++ = '\0';
		/* text mirrors work at the same offsets, for messages. */
		text[item - work + strlen(item)] = '\0';
		if (*item == '\0') {
			snprintf(err, errlen, "fault spec '%s': item %zu is "
			    "empty (a stray comma?)", spec, n + 1);
			goto fail;
		}
		if (fault_parse_item(item, text + (item - work), nworkers,
		    &v[n], err, errlen) < 0)
			goto fail;
	}
	free(work);
	free(text);
	out->v = v;
	out->n = n;
	return 0;

fail:
	free(v);
	free(work);
	free(text);
	return -1;
}

int64_t
fault_when(const struct fault *f, int64_t start_ns, int64_t deadline_ns)
{
	int64_t base = f->from_deadline ? deadline_ns : start_ns;

	/* Saturate: a fault at "2562047h" must not wrap into the past. */
	if (f->offset_ns > 0 && base > INT64_MAX - f->offset_ns)
		return INT64_MAX;
	if (f->offset_ns < 0 && base < INT64_MIN - f->offset_ns)
		return INT64_MIN;
	return base + f->offset_ns;
}
