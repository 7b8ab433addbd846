/* \summary: reading a process description from /proc, the uid -> name table, clock conversions */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record/proc_read.h"
#include "util/units.h"
#include "util/array.h"

#define STAT_BYTES 4096u          /* /proc/PID/stat is ~300 bytes; a longer one is cut */
#define STATUS_BYTES 8192u        /* /proc/PID/status is ~1.5 KiB */
#define CGROUP_FILE_BYTES 16384u  /* all lines of /proc/PID/cgroup (v1 hosts list a dozen) */
#define USERNAME_MAX 256u         /* longer passwd names are cut */
#define PROC_STAT_BYTES (256u * 1024u) /* /proc/stat, for btime */
#define STAT_FIELD_PPID 4
#define STAT_FIELD_STARTTIME 22
#define MIN_USERS 64              /* first size of the passwd table */

/* Reads at most cap bytes of dfd/name into buf. Returns the count, or -1 with errno. */
static ssize_t read_file_at(int dfd, const char *name, char *buf, size_t cap)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -1;
	while (got < cap) {
		ssize_t r = read(fd, buf + got, cap - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	return (ssize_t)got;
}

/*
 * Parses the unsigned decimal at the start of [s, s + len): the longest run
 * of digits, as strtoull() would. False when there is no digit first or the
 * value does not fit 64 bits.
 */
static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len && isdigit((unsigned char)s[i]); i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (i == 0)
		return false;
	*out = v;
	return true;
}

/* Content of a /proc text file: it ends at its first NUL, if any. */
static size_t text_len(const char *buf, size_t len)
{
	const char *nul = memchr(buf, '\0', len);

	return nul != NULL ? (size_t)(nul - buf) : len;
}

/* The line starting at buf[*pos], without its '\n'; *pos moves past it. */
static void next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *line_len)
{
	const char *nl = memchr(buf + *pos, '\n', len - *pos);
	size_t n = nl != NULL ? (size_t)(nl - (buf + *pos)) : len - *pos;

	*line = buf + *pos;
	*line_len = n;
	*pos += nl != NULL ? n + 1 : n;
}

/* comm may hold spaces and ')', so fields are counted from the last ')'. */
int proc_parse_stat(const char *buf, size_t len, struct proc_stat_fields *out)
{
	const char *open_paren, *close_paren = NULL;
	size_t comm_len, pos;
	int field = 3;
	uint64_t v;

	memset(out, 0, sizeof(*out));
	len = text_len(buf, len);
	open_paren = memchr(buf, '(', len);
	for (size_t i = len; i > 0; i--)
		if (buf[i - 1] == ')') {
			close_paren = buf + i - 1;
			break;
		}
	if (open_paren == NULL || close_paren == NULL || close_paren < open_paren)
		return -1;
	comm_len = (size_t)(close_paren - open_paren - 1);
	if (comm_len > PROC_READ_COMM_BYTES - 1)
		comm_len = PROC_READ_COMM_BYTES - 1;
	memcpy(out->comm, open_paren + 1, comm_len);
	out->comm[comm_len] = '\0';

	pos = (size_t)(close_paren + 1 - buf);
	while (pos < len && field <= STAT_FIELD_STARTTIME) {
		size_t start;

		while (pos < len && buf[pos] == ' ')
			pos++;
		if (pos == len)
			break;
		start = pos;
		while (pos < len && buf[pos] != ' ')
			pos++;
		if (field == STAT_FIELD_PPID && parse_u64(buf + start, pos - start, &v) &&
		    v <= UINT32_MAX) {
			out->ppid = (uint32_t)v;
			out->has_ppid = true;
		} else if (field == STAT_FIELD_STARTTIME && parse_u64(buf + start, pos - start, &v)) {
			out->starttime_ticks = v;
		}
		field++;
	}
	return 0;
}

/* Length of the run at the start of [s, s + len) made of (in_set) or free of (!in_set) blanks. */
static size_t blank_span(const char *s, size_t len, bool in_set)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t') == in_set)
		i++;
	return i;
}

/* The "Uid:\treal\teffective\t..." line: only the first one counts. */
bool proc_parse_status_uid(const char *buf, size_t len, uint32_t *euid)
{
	size_t pos = 0, line_len, i;
	const char *line;
	uint64_t v;

	len = text_len(buf, len);
	while (pos < len) {
		next_line(buf, len, &pos, &line, &line_len);
		if (line_len < 4 || memcmp(line, "Uid:", 4) != 0)
			continue;
		i = 4;
		i += blank_span(line + i, line_len - i, true);    /* real uid */
		i += blank_span(line + i, line_len - i, false);
		i += blank_span(line + i, line_len - i, true);    /* effective uid */
		if (parse_u64(line + i, line_len - i, &v) && v <= UINT32_MAX) {
			*euid = (uint32_t)v;
			return true;
		}
		return false;
	}
	return false;
}

static bool is_hex_id(const char *s, size_t len)
{
	if (len != PROC_CONTAINER_ID_CHARS)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return true;
}

/* proc_container_id() on the path [path, path + path_len). */
static bool container_id_n(const char *path, size_t path_len, char out[PROC_CONTAINER_ID_CHARS + 1])
{
	static const char *const prefixes[] = { "docker-", "cri-containerd-", "crio-", "libpod-" };
	static const char scope[] = ".scope";
	size_t pos = 0;
	bool found = false;

	out[0] = '\0';
	while (pos < path_len) {
		const char *s = path + pos, *slash = memchr(s, '/', path_len - pos);
		size_t len = slash != NULL ? (size_t)(slash - s) : path_len - pos;

		pos += slash != NULL ? len + 1 : len;
		if (len > sizeof(scope) - 1 &&
		    memcmp(s + len - (sizeof(scope) - 1), scope, sizeof(scope) - 1) == 0)
			len -= sizeof(scope) - 1;
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			size_t pl = strlen(prefixes[i]);

			if (len > pl && memcmp(s, prefixes[i], pl) == 0) {
				s += pl;
				len -= pl;
				break;
			}
		}
		if (is_hex_id(s, len)) {
			memcpy(out, s, len);
			out[len] = '\0';
			found = true;
		}
	}
	return found;
}

bool proc_container_id(const char *cgroup_path, char out[PROC_CONTAINER_ID_CHARS + 1])
{
	return container_id_n(cgroup_path, strlen(cgroup_path), out);
}

/*
 * The v2 path is the "0::PATH" line. The container id is taken from it,
 * else (cgroup v1 hosts) from the first line that has one.
 */
int proc_parse_cgroup(const char *buf, size_t len, char **cgroup, char **container)
{
	char id[PROC_CONTAINER_ID_CHARS + 1], v1_id[PROC_CONTAINER_ID_CHARS + 1] = "";
	size_t pos = 0, line_len;
	const char *line;

	*cgroup = *container = NULL;
	len = text_len(buf, len);
	while (pos < len) {
		next_line(buf, len, &pos, &line, &line_len);
		if (line_len >= 3 && memcmp(line, "0::", 3) == 0) {
			const char *path = line + 3;
			size_t path_len = line_len - 3;

			if (*cgroup == NULL &&
			    (*cgroup = strndup(path, path_len < PROC_READ_STRING_MAX ?
						     path_len : PROC_READ_STRING_MAX)) == NULL)
				goto oom;
			if (*container == NULL && container_id_n(path, path_len, id) &&
			    (*container = strdup(id)) == NULL)
				goto oom;
		} else if (v1_id[0] == '\0') {
			/* "N:controllers:PATH" */
			const char *c = memchr(line, ':', line_len), *c2 = NULL;

			if (c != NULL)
				c2 = memchr(c + 1, ':', line_len - (size_t)(c + 1 - line));
			if (c2 != NULL)
				container_id_n(c2 + 1, line_len - (size_t)(c2 + 1 - line), v1_id);
		}
	}
	if (*container == NULL && v1_id[0] != '\0' && (*container = strdup(v1_id)) == NULL)
		goto oom;
	return 0;
oom:
	free(*cgroup);
	free(*container);
	*cgroup = *container = NULL;
	return -1;
}

static int read_exe(int dfd, struct proc_desc *d)
{
	char buf[PROC_READ_STRING_MAX];
	ssize_t n = readlinkat(dfd, "exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return 0;                   /* kernel thread, zombie, or denied */
	buf[n] = '\0';
	d->exe = strdup(buf);
	return d->exe != NULL ? 0 : -1;
}

static int read_cmdline(int dfd, struct proc_desc *d)
{
	char *buf = malloc(PROC_READ_CMDLINE_MAX);
	ssize_t n;

	if (buf == NULL)
		return -1;
	n = read_file_at(dfd, "cmdline", buf, PROC_READ_CMDLINE_MAX);
	if (n > 0 && buf[n - 1] == '\0')
		n--;
	if (n > 0 && (d->cmdline = malloc((size_t)n + 1)) != NULL) {
		memcpy(d->cmdline, buf, (size_t)n);
		d->cmdline[n] = '\0';       /* convenience only: cmdline_len counts the bytes */
		d->cmdline_len = (size_t)n;
	}
	free(buf);
	return n > 0 && d->cmdline == NULL ? -1 : 0;
}

/* The optional parts: a failure here leaves the field empty, except ENOMEM. */
static int read_details(int dfd, const struct usertab *users, struct proc_desc *d)
{
	char status[STATUS_BYTES];
	char *cg;
	ssize_t n;
	int rc = 0;

	n = read_file_at(dfd, "status", status, STATUS_BYTES);
	if (n > 0)
		d->has_uid = proc_parse_status_uid(status, (size_t)n, &d->uid);
	if (d->has_uid && usertab_name(users, d->uid) != NULL &&
	    (d->user = strdup(usertab_name(users, d->uid))) == NULL)
		return -1;
	if (read_exe(dfd, d) < 0 || read_cmdline(dfd, d) < 0)
		return -1;
	if ((cg = malloc(CGROUP_FILE_BYTES)) == NULL)
		return -1;
	n = read_file_at(dfd, "cgroup", cg, CGROUP_FILE_BYTES);
	if (n > 0)
		rc = proc_parse_cgroup(cg, (size_t)n, &d->cgroup, &d->container);
	free(cg);
	return rc;
}

int proc_read(uint32_t pid, const struct usertab *users, struct proc_desc *d)
{
	char path[32], stat[STAT_BYTES];
	struct proc_stat_fields sf;
	ssize_t n;
	int dfd, e;

	memset(d, 0, sizeof(*d));
	d->pid = pid;
	snprintf(path, sizeof(path), "/proc/%" PRIu32, pid);
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	n = read_file_at(dfd, "stat", stat, STAT_BYTES);
	if (n <= 0 || proc_parse_stat(stat, (size_t)n, &sf) < 0) {
		e = n < 0 ? errno : ESRCH;
		goto fail;
	}
	memcpy(d->comm, sf.comm, sizeof(d->comm));
	d->ppid = sf.ppid;
	d->has_ppid = sf.has_ppid;
	if (sf.starttime_ticks != 0)
		d->start_ns = proc_ticks_to_realtime_ns(sf.starttime_ticks);
	if (read_details(dfd, users, d) < 0) {
		e = ENOMEM;
		goto fail;
	}
	close(dfd);
	return 0;
fail:
	close(dfd);
	proc_desc_free(d);
	errno = e;
	return -1;
}

void proc_desc_free(struct proc_desc *d)
{
	if (d == NULL)
		return;
	free(d->exe);
	free(d->cmdline);
	free(d->user);
	free(d->cgroup);
	free(d->container);
	memset(d, 0, sizeof(*d));
}

/* ---- uid -> name */

struct user_entry {
	uint32_t uid;
	uint32_t seq;       /* getpwent order, so the first of duplicate uids wins */
	char *name;
};

struct usertab {
	struct user_entry *e;
	size_t n;
};

static int user_entry_cmp(const void *a, const void *b)
{
	const struct user_entry *x = a, *y = b;

	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts by uid and keeps the first entry of each uid. */
static void usertab_sort(struct usertab *t)
{
	size_t out = 0;

	qsort(t->e, t->n, sizeof(t->e[0]), user_entry_cmp);
	for (size_t i = 0; i < t->n; i++) {
		if (out > 0 && t->e[out - 1].uid == t->e[i].uid) {
			free(t->e[i].name);
			continue;
		}
		t->e[out++] = t->e[i];
	}
	t->n = out;
}

struct usertab *usertab_load(void)
{
	struct usertab *t = calloc(1, sizeof(*t));
	size_t cap = 0;
	struct passwd *pw;

	if (t == NULL)
		return NULL;
	setpwent();
	while (t->n < USERTAB_MAX_ENTRIES && (pw = getpwent()) != NULL) {
		if (pw->pw_name == NULL)
			continue;
		if (!ARRAY_RESERVE(t->e, cap, t->n + 1, MIN_USERS))
			goto oom;
		t->e[t->n].uid = (uint32_t)pw->pw_uid;
		t->e[t->n].seq = (uint32_t)t->n;
		if ((t->e[t->n].name = strndup(pw->pw_name, USERNAME_MAX)) == NULL)
			goto oom;
		t->n++;
	}
	endpwent();
	usertab_sort(t);
	return t;
oom:
	endpwent();
	usertab_free(t);
	return NULL;
}

const char *usertab_name(const struct usertab *t, uint32_t uid)
{
	size_t lo = 0, hi;

	if (t == NULL)
		return NULL;
	hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->e[mid].uid == uid)
			return t->e[mid].name;
		if (t->e[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void usertab_free(struct usertab *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->e[i].name);
	free(t->e);
	free(t);
}

/* ---- clocks */

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NS_PER_SEC + ts->tv_nsec;
}

int64_t proc_clock_offset_ns(clockid_t clk)
{
	int64_t best_gap = INT64_MAX, offset = 0;

	for (int i = 0; i < 5; i++) {
		struct timespec r1, c, r2;
		int64_t gap;

		if (clock_gettime(CLOCK_REALTIME, &r1) < 0 || clock_gettime(clk, &c) < 0 ||
		    clock_gettime(CLOCK_REALTIME, &r2) < 0)
			return 0;
		gap = ts_ns(&r2) - ts_ns(&r1);
		if (gap >= 0 && gap < best_gap) {
			best_gap = gap;
			offset = ts_ns(&r1) + gap / 2 - ts_ns(&c);
		}
	}
	return offset;
}

int64_t proc_clock_to_realtime_ns(clockid_t clk, uint64_t t_ns)
{
	return proc_clock_offset_ns(clk) + (int64_t)t_ns;
}

/* btime of /proc/stat (boot time, whole seconds since 1970), 0 unknown. */
static int64_t boot_time_sec(void)
{
	int dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *buf, *p;
	ssize_t n = -1;
	uint64_t v;
	int64_t sec = 0;

	if (dfd < 0)
		return 0;
	/* btime follows one line per cpu, so it can be far into the file */
	if ((buf = malloc(PROC_STAT_BYTES + 1)) != NULL)
		n = read_file_at(dfd, "stat", buf, PROC_STAT_BYTES);
	close(dfd);
	if (n > 0) {
		buf[n] = '\0';
		p = strstr(buf, "\nbtime ");
		if (p != NULL && parse_u64(p + 7, strlen(p + 7), &v) && v <= INT64_MAX / NS_PER_SEC)
			sec = (int64_t)v;
	}
	free(buf);
	return sec;
}

int64_t proc_ticks_to_realtime_ns(uint64_t ticks)
{
	long hz = sysconf(_SC_CLK_TCK);
	int64_t since_boot, base;
	struct timespec ts;

	if (hz <= 0 || ticks / (uint64_t)hz > (uint64_t)INT64_MAX / NS_PER_SEC)
		return 0;
	since_boot = (int64_t)(ticks / (uint64_t)hz) * NS_PER_SEC +
		     (int64_t)(ticks % (uint64_t)hz) * NS_PER_SEC / hz;
	if (clock_gettime(CLOCK_BOOTTIME, &ts) == 0)
		base = proc_clock_offset_ns(CLOCK_BOOTTIME);
	else
		base = boot_time_sec() * NS_PER_SEC;
	return base != 0 ? base + since_boot : 0;
}
