/* SPDX-License-Identifier: MIT */
/*
 * fault: parses the fault-injection spec ("w0:crash@500ms,w1:hang@1s")
 * into a list of struct fault, strictly: no spaces, no signs or leading
 * zeros in worker numbers, no empty items, every item checked against the
 * number of workers, and the first bad item named in a one-line error that
 * says what was expected.  It also turns a fault's TIME into an absolute
 * CLOCK_MONOTONIC instant.  The caller's words (named targets, its own
 * actions, the names of its error codes) come in a struct fault_vocab: no
 * scenario idea is written here.  It deliberately does not fire anything
 * (child.c does), keep any state beyond the list, or prefix errors with
 * the flag or variable name (config.c knows which one it was).
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
	"crash, abort, exit, exit=N, hang, error=CODE, garbage"
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
};

#define FAULT_NNAMES (sizeof fault_names / sizeof fault_names[0])

/* What a parse needs besides the item. */
struct fault_ctx {
	int                        nworkers;
	const struct fault_vocab  *vocab;    /* never NULL here */
};

static const struct fault_vocab fault_no_vocab = {
	NULL, 0, NULL, 0, NULL, "a number", NULL
};

const char *
fault_action_name(const struct fault_vocab *vocab, int action)
{
	size_t i;

	for (i = 0; i < FAULT_NNAMES; i++)
		if ((int)fault_names[i].action == action)
			return fault_names[i].name;
	for (i = 0; vocab != NULL && i < vocab->nextras; i++)
		if (vocab->extras[i].action == action)
			return vocab->extras[i].name;
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

/* The children a spec may name, as "wN or NAME or ..." into buf. */
static void
fault_targets_help(const struct fault_vocab *v, char *buf, size_t cap)
{
	size_t i, len;

	snprintf(buf, cap, "wN");
	for (i = 0; i < v->ntargets; i++) {
		len = strlen(buf);
		snprintf(buf + len, cap - len, " or %s", v->targets[i].name);
	}
}

static int
fault_parse_child(const struct fault_item *it, const struct fault_ctx *ctx,
    struct fault *f, char *err, size_t errlen)
{
	const char *num = it->child + 1;
	int nworkers = ctx->nworkers;
	char help[128];
	unsigned long idx;
	size_t i;

	for (i = 0; i < ctx->vocab->ntargets; i++)
		if (strcmp(it->child, ctx->vocab->targets[i].name) == 0) {
			f->child = ctx->vocab->targets[i].index;
			return 0;
		}
	/* "w01" and "w+1" would name the same worker as "w1": refuse them. */
	if (it->child[0] != 'w' || num[0] == '\0' ||
	    strspn(num, "0123456789") != strlen(num) ||
	    (num[0] == '0' && num[1] != '\0')) {
		fault_targets_help(ctx->vocab, help, sizeof help);
		snprintf(err, errlen, "fault '%s': unknown child '%s' "
		    "(expected %s)", it->text, it->child, help);
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
fault_code_from_name(const struct fault_vocab *v, const char *arg)
{
	unsigned long n;

	if (v->codes != NULL && v->codes->code_from_name != NULL)
		return v->codes->code_from_name(arg);
	return util_parse_uint(arg, 255, &n) == 0 ? (int)n : -1;
}

static int
fault_parse_code(const struct fault_item *it, const char *arg,
    const struct fault_ctx *ctx, struct fault *f, char *err, size_t errlen)
{
	const struct fault_vocab *v = ctx->vocab;
	int code = fault_code_from_name(v, arg);
	const char *why, *name;

	if (code < 0 || code > 255) {
		snprintf(err, errlen, "fault '%s': unknown error code '%s' "
		    "(expected %s)", it->text, arg, v->code_help != NULL ?
		    v->code_help : "a number");
		return -1;
	}
	/* A success code is no error: the child could not report it. */
	if (v->code_refused != NULL && (why = v->code_refused(code)) != NULL) {
		snprintf(err, errlen, "fault '%s': '%s' is not an error code "
		    "(%s)", it->text, arg, why);
		return -1;
	}
	f->arg = code;
	name = classify_policy_name(v->codes, code);
	util_strlcpy(f->arg_name, name != NULL ? name : "?",
	    sizeof f->arg_name);
	return 0;
}

/* The actions, generic then the caller's, as "crash, ..." into buf. */
static void
fault_actions_help(const struct fault_vocab *v, char *buf, size_t cap)
{
	size_t i, len;

	snprintf(buf, cap, "%s", FAULT_ACTIONS);
	for (i = 0; i < v->nextras; i++) {
		len = strlen(buf);
		snprintf(buf + len, cap - len, ", %s", v->extras[i].name);
	}
}

/* The action named name: a generic one, or the caller's; 0 if none. */
static int
fault_lookup_action(const struct fault_vocab *v, const char *name)
{
	size_t i;

	for (i = 0; i < FAULT_NNAMES; i++)
		if (strcmp(name, fault_names[i].name) == 0)
			return (int)fault_names[i].action;
	for (i = 0; i < v->nextras; i++)
		if (strcmp(name, v->extras[i].name) == 0)
			return v->extras[i].action;
	return 0;
}

static int
fault_parse_action(const struct fault_item *it, const struct fault_ctx *ctx,
    struct fault *f, char *err, size_t errlen)
{
	char *eq = strchr(it->action, '=');
	const char *arg = NULL;
	char help[256];
	int action;

	if (eq != NULL) {
		*eq = '\0';
		arg = eq + 1;
	}
	action = fault_lookup_action(ctx->vocab, it->action);
	if (arg == NULL && action == FAULT_ERROR) {
		snprintf(err, errlen, "fault '%s': error needs a code "
		    "(error=CODE, e.g. error=BUSY)", it->text);
		return -1;
	}
	if (action == 0 || (arg != NULL && action != FAULT_ERROR &&
	    action != FAULT_EXIT)) {
		if (eq != NULL)
			*eq = '=';
		fault_actions_help(ctx->vocab, help, sizeof help);
		snprintf(err, errlen, "fault '%s': unknown action '%s' (%s)",
		    it->text, it->action, help);
		return -1;
	}
	f->action = action;
	if (f->action == FAULT_EXIT && arg != NULL)
		return fault_parse_exit(it, arg, f, err, errlen);
	if (f->action == FAULT_ERROR)
		return fault_parse_code(it, arg, ctx, f, err, errlen);
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

static const struct fault_extra *
fault_extra_of(const struct fault_vocab *v, int action)
{
	size_t i;

	for (i = 0; i < v->nextras; i++)
		if (v->extras[i].action == action)
			return &v->extras[i];
	return NULL;
}

/* The caller's limits on its own action: who, and when. */
static int
fault_check_extra(const struct fault_ctx *ctx, const char *text,
    const struct fault *f, int timed, char *err, size_t errlen)
{
	const struct fault_extra *x = fault_extra_of(ctx->vocab, f->action);

	if (x == NULL)
		return 0;
	if (!timed && x->workers_only && f->child < 0) {
		snprintf(err, errlen, "fault '%s': %s applies to workers "
		    "only (wN)", text, x->name);
		return -1;
	}
	/* Such an action runs while the worker still runs: before shutdown. */
	if (timed && x->before_deadline && f->from_deadline &&
	    f->offset_ns >= 0) {
		snprintf(err, errlen, "fault '%s': %s must happen before "
		    "the deadline (e.g. deadline-100ms)", text, x->name);
		return -1;
	}
	return 0;
}

static int
fault_parse_item(char *item, const char *text, const struct fault_ctx *ctx,
    struct fault *f, char *err, size_t errlen)
{
	struct fault_item it;

	memset(f, 0, sizeof *f);
	if (fault_split(item, text, &it, err, errlen) < 0 ||
	    fault_parse_child(&it, ctx, f, err, errlen) < 0 ||
	    fault_parse_action(&it, ctx, f, err, errlen) < 0)
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
	if (fault_check_extra(ctx, text, f, 0, err, errlen) < 0 ||
	    fault_parse_time(&it, f, err, errlen) < 0 ||
	    fault_check_extra(ctx, text, f, 1, err, errlen) < 0)
		return -1;
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
fault_parse(const char *spec, int nworkers, const struct fault_vocab *vocab,
    struct fault_list *out, char *err, size_t errlen)
{
	struct fault_ctx ctx = { nworkers, vocab != NULL ? vocab :
	    &fault_no_vocab };
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
		if (fault_parse_item(item, text + (item - work), &ctx,
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
