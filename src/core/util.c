/* SPDX-License-Identifier: MIT */
/*
 * util: monotonic clock, EINTR-safe I/O loops, close-on-exec pipes, a
 * deadline-aware poll() wait and a directory remover.  See util.h.
 */
#include "autoconf.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t
util_now_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid clock id and pointer. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * UTIL_NS_PER_S + ts.tv_nsec;
}

int
util_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t
util_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

void
util_close(int *fd)
{
	int saved = errno;

	if (*fd >= 0) {
		/* Never retry close(): on Linux the fd is gone even on EINTR. */
		(void)close(*fd);
		*fd = -1;
	}
	errno = saved;
}

int
util_set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

int
util_set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

int
util_pipe(int fds[2])
{
	if (pipe(fds) < 0)
		return -1;
	/*
	 * pipe2(O_CLOEXEC) is not everywhere; the window between pipe() and
	 * fcntl() only matters if another thread forks, and we have none.
	 */
	if (util_set_cloexec(fds[0]) < 0 || util_set_cloexec(fds[1]) < 0) {
		util_close(&fds[0]);
		util_close(&fds[1]);
		return -1;
	}
	return 0;
}

int
util_poll_timeout(int64_t deadline_ns, int64_t now_ns)
{
	int64_t left = deadline_ns - now_ns;

	if (left <= 0)
		return 0;
	left = (left + UTIL_NS_PER_MS - 1) / UTIL_NS_PER_MS;
	return left > INT_MAX ? INT_MAX : (int)left;
}

int
util_wait_readable(int fd, int64_t deadline_ns)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int timeout = -1, n;

		if (deadline_ns >= 0)
			timeout = util_poll_timeout(deadline_ns, util_now_ns());
		n = poll(&pfd, 1, timeout);
		if (n > 0)
			return 1;
		if (n == 0) {
			/* poll() may wake a little early: check the clock. */
			if (deadline_ns >= 0 && util_now_ns() >= deadline_ns)
				return 0;
			continue;
		}
		if (errno != EINTR)
			return -1;
	}
}

void
util_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t n = strlen(src);

	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
util_grow(void *v, size_t *cap, size_t n, size_t elem, size_t first_cap)
{
	void **pp = v;
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap == 0 ? first_cap : *cap * 2;
	if (c > SIZE_MAX / elem || (p = realloc(*pp, c * elem)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	*pp = p;
	*cap = c;
	return 0;
}

int
util_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		/* Stop as soon as it is too big, before it can overflow. */
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

int
util_rmtree(const char *path)
{
	DIR *d = NULL;
	struct dirent *de;
	int rc = 0;

	d = opendir(path);
	if (d == NULL)
		return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		char sub[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(sub, sizeof sub, "%s/%s", path, de->d_name) >=
		    (int)sizeof sub) {
			rc = -1;
			continue;
		}
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			rc |= util_rmtree(sub);
		else if (unlink(sub) < 0 && errno != ENOENT)
			rc = -1;
	}
	closedir(d);
	if (rmdir(path) < 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

const char *
util_show(const char *s, char *buf, size_t cap)
{
	size_t i, n = 0;

	if (cap == 0)
		return buf;
	for (i = 0; s[i] != '\0' && n + 4 < cap && i < UTIL_SHOW_MAX; i++)
		buf[n++] = iscntrl((unsigned char)s[i]) ? '?' : s[i];
	if (s[i] != '\0' && n + 4 <= cap) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

void
util_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

uint64_t
util_rand64(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}
