/* SPDX-License-Identifier: MIT */
/*
 * util: the small POSIX helpers every other module leans on: a monotonic
 * clock, read/write loops that retry EINTR and short counts, close-on-exec
 * pipes, and a poll() wait with a deadline.  Nothing here knows about
 * SQLite, children or the wire format.
 */
#ifndef SQLSTORM_UTIL_H
#define SQLSTORM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UTIL_NS_PER_MS INT64_C(1000000)
#define UTIL_NS_PER_S  INT64_C(1000000000)

/* CLOCK_MONOTONIC in nanoseconds; comparable across processes on one host. */
int64_t util_now_ns(void);

/*
 * Write all len bytes, retrying EINTR and short counts.  Returns 0, or -1
 * with errno (EPIPE when the reader is gone: SIGPIPE must be ignored).
 */
int util_write_all(int fd, const void *buf, size_t len);

/*
 * One read() that retries EINTR.  Returns the count (0 = EOF) or -1 with
 * errno (EAGAIN on an empty non-blocking fd).
 */
ssize_t util_read(int fd, void *buf, size_t len);

/* Close *fd if it is open and set it to -1; preserves errno. */
void util_close(int *fd);

/* pipe() with FD_CLOEXEC on both ends.  Returns 0 or -1 with errno. */
int util_pipe(int fds[2]);

int util_set_cloexec(int fd);
int util_set_nonblock(int fd);

/*
 * Wait until fd is readable (data, EOF or error) or the monotonic clock
 * reaches deadline_ns (deadline_ns < 0: wait forever).  Retries EINTR with a
 * recomputed timeout.  Returns 1 readable, 0 deadline reached, -1 error.
 */
int util_wait_readable(int fd, int64_t deadline_ns);

/* Milliseconds to pass to poll() for a deadline, rounded up, 0 if past. */
int util_poll_timeout(int64_t deadline_ns, int64_t now_ns);

/* Copy a string with truncation, always NUL-terminated (cap > 0). */
void util_strlcpy(char *dst, const char *src, size_t cap);

/*
 * Make room for one more element in a growable array: if *n == *cap,
 * double *cap (first: first_cap) and realloc *v.  Returns 0, or -1 with
 * errno ENOMEM (then *v and *cap are unchanged).
 */
int util_grow(void *v, size_t *cap, size_t n, size_t elem, size_t first_cap);

/*
 * Parse a decimal made of digits only (no sign, no space, at least one)
 * into *out, refusing anything above max (and so any overflow).  Returns
 * 0 or -1.
 */
int util_parse_uint(const char *s, unsigned long max, unsigned long *out);

/* Remove a directory tree (files and subdirectories).  Returns 0 or -1. */
int util_rmtree(const char *path);

/*
 * splitmix64 (Steele, Lea, Flood): advance the state *s and return the
 * next value.  Seedable and tiny; for payloads, op streams and seeds, not
 * for anything secret.
 */
uint64_t util_rand64(uint64_t *s);

/* Bytes of a user's text quoted in a one-line message by util_show(). */
#define UTIL_SHOW_MAX 48

/*
 * Copy a user's text into buf (cap bytes, at least UTIL_SHOW_MAX + 8 for
 * the whole of it) for quoting in a message: control bytes become '?' (a
 * value may hold a newline, and messages are one line) and text past
 * UTIL_SHOW_MAX bytes is cut with "...".  Returns buf.
 */
const char *util_show(const char *s, char *buf, size_t cap);

/* vsnprintf into err (errlen bytes); nothing if err is NULL or empty. */
void util_set_err(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
