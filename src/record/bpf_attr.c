/* \summary: loading the eBPF attribution programs and reading their events */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifdef HAVE_BPF

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

/* <linux/bpf.h> has a `union bpf_attr`, which would clash with our struct
 * tag: rename the kernel's while its headers are read (it is not used here). */
#define bpf_attr bpf_attr_uapi
#include <bpf/libbpf.h>
#include "record/pidcap.skel.h"
#undef bpf_attr

#include "../../bpf/events.h"
#endif

#include "record/bpf_attr.h"
#include "util/units.h"

#ifdef HAVE_BPF

#define ATTR_MAX_LINKS	32
#define TRACEFS_DIR	"/sys/kernel/tracing"

_Static_assert(sizeof(((struct pidcap_event *)0)->comm) == sizeof(((struct attr_event *)0)->comm),
	       "comm sizes differ");
_Static_assert(sizeof(((struct pidcap_event *)0)->filename) ==
	       sizeof(((struct attr_event *)0)->filename), "filename sizes differ");
_Static_assert(PIDCAP_HOOK_FENTRY_ACCEPT == (int)ATTR_HOOK_FENTRY_ACCEPT &&
	       PIDCAP_EV_EXIT == (int)ATTR_EV_EXIT && PIDCAP_EV_ARGV == (int)ATTR_EV_ARGV,
	       "events.h and bpf_attr.h disagree");

struct bpf_attr {
	struct pidcap_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[ATTR_MAX_LINKS];
	int nlinks;
	int cgroup_fd;
	attr_event_fn fn;
	void *fn_ctx;
	int64_t mono_to_real_ns;	/* add to bpf_ktime_get_ns() for CLOCK_REALTIME */
	int delivered;			/* by the current bpf_attr_poll() */
	char fentry_note[96];		/* why fentry is off, "" if loaded */
	char exec_note[96];		/* why EXEC has no ppid, "" if it has */
	char hooks[512];
};

/* Groups of programs, as bpf_attr_hooks() names them. */
enum prog_group { G_SOCK, G_SOCKOPS, G_SKB, G_TP, G_FENTRY, G_COUNT };
static const char *const group_names[G_COUNT] = {
	"cgroup sock", "sockops", "cgroup_skb", "tracepoints", "fentry"
};

struct attach_spec {
	struct bpf_program *prog;
	enum prog_group group;
	int cgroup;			/* attach to the cgroup root, else by SEC() */
};

/* ------------------------------------------------------------ libbpf messages */

/* libbpf's warnings while loading, kept to explain failures (it would print). */
static char libbpf_log[2048];
static size_t libbpf_log_len;

static int libbpf_capture(enum libbpf_print_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static int libbpf_capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || libbpf_log_len >= sizeof(libbpf_log) - 1)
		return 0;
	n = vsnprintf(libbpf_log + libbpf_log_len, sizeof(libbpf_log) - libbpf_log_len, fmt, ap);
	if (n > 0)
		libbpf_log_len += (size_t)n;
	if (libbpf_log_len > sizeof(libbpf_log) - 1)
		libbpf_log_len = sizeof(libbpf_log) - 1;
	return 0;
}

/* The program libbpf blamed ("prog 'NAME': ..."), or "" . */
static void log_failed_prog(char *name, size_t len)
{
	const char *p = strstr(libbpf_log, "prog '"), *q;

	name[0] = '\0';
	if (!p)
		return;
	p += strlen("prog '");
	q = strchr(p, '\'');
	if (q && (size_t)(q - p) < len)
		snprintf(name, len, "%.*s", (int)(q - p), p);
}

/* ------------------------------------------------------------ environment */

static int64_t ts_to_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NS_PER_SEC + ts->tv_nsec;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, the monotonic read between two realtime reads. */
static int64_t mono_to_real_offset(void)
{
	struct timespec r1, m, r2;

	clock_gettime(CLOCK_REALTIME, &r1);
	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r2);
	return ts_to_ns(&r1) + (ts_to_ns(&r2) - ts_to_ns(&r1)) / 2 - ts_to_ns(&m);
}

/* Tracepoints are found through tracefs; mount it where libbpf looks. A
 * failure shows up later as tracepoints that did not attach. */
static void tracefs_ensure(void)
{
	if (access(TRACEFS_DIR "/events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return;
	(void)mount("tracefs", TRACEFS_DIR, "tracefs", 0, NULL);
}

/* Undoes mountinfo's octal escapes (\040 for space) in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* Mount point of the first cgroup2 file system in /proc/self/mountinfo.
 * Returns 0, or -1 when there is none. */
static int cgroup2_mount(char *path, size_t len)
{
	char line[4096], mnt[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		/* fields: id parent major:minor root mount-point ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		unescape_octal(mnt);
		if (strlen(mnt) < len) {
			snprintf(path, len, "%s", mnt);
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

/* ------------------------------------------------------------ loading */

static int prog_is_fentry(const struct pidcap_bpf *s, const struct bpf_program *p)
{
	return p == s->progs.fentry_tcp_sendmsg || p == s->progs.fentry_udp_sendmsg ||
	       p == s->progs.fentry_tcp_connect || p == s->progs.fexit_inet_csk_accept;
}

static void set_optional_autoload(struct pidcap_bpf *s, int fentry, int task_btf)
{
	bpf_program__set_autoload(s->progs.fentry_tcp_sendmsg, fentry);
	bpf_program__set_autoload(s->progs.fentry_udp_sendmsg, fentry);
	bpf_program__set_autoload(s->progs.fentry_tcp_connect, fentry);
	bpf_program__set_autoload(s->progs.fexit_inet_csk_accept, fentry);
	/* sched_exec (no parent) always loads: it replaces sched_exec_btf
	 * when that one is refused at load or at attach time */
	bpf_program__set_autoload(s->progs.sched_exec_btf, task_btf);
}

/* Finds the failed program by name in the skeleton (NULL if unknown). */
static struct bpf_program *find_prog(struct pidcap_bpf *s, const char *name)
{
	struct bpf_program *p;

	if (!name[0])
		return NULL;
	bpf_object__for_each_program(p, s->obj)
		if (strcmp(bpf_program__name(p), name) == 0)
			return p;
	return NULL;
}

/*
 * Opens and loads the skeleton, first with the optional programs (fentry,
 * EXEC with the parent through a BTF task pointer), dropping the group the
 * kernel refuses and trying again. Returns 0 with b->skel loaded, or -1.
 */
static int attr_load(struct bpf_attr *b, char *err, size_t errlen)
{
	int fentry = 1, task_btf = 1, attempt, rc = 0;
	char failed[64];

	for (attempt = 0; attempt < 3; attempt++) {
		struct bpf_program *p;
		int is_fentry, is_btf;

		b->skel = pidcap_bpf__open();
		if (!b->skel) {
			snprintf(err, errlen, "opening the BPF object: %s", strerror(errno));
			return -1;
		}
		set_optional_autoload(b->skel, fentry, task_btf);
		libbpf_log_len = 0;
		libbpf_log[0] = '\0';
		rc = pidcap_bpf__load(b->skel);
		if (rc == 0)
			return 0;
		log_failed_prog(failed, sizeof(failed));
		p = find_prog(b->skel, failed);
		/* unknown culprit: blame the optional groups, fentry first */
		is_fentry = p ? prog_is_fentry(b->skel, p) : fentry;
		is_btf = p ? p == b->skel->progs.sched_exec_btf : !fentry && task_btf;
		pidcap_bpf__destroy(b->skel);
		b->skel = NULL;
		if (fentry && is_fentry) {
			fentry = 0;
			snprintf(b->fentry_note, sizeof(b->fentry_note), "fentry refused: %s",
				 strerror(-rc));
		} else if (task_btf && is_btf) {
			task_btf = 0;
			snprintf(b->exec_note, sizeof(b->exec_note), "exec parent unreadable: %s",
				 strerror(-rc));
		} else {
			break;
		}
	}
	snprintf(err, errlen, "loading BPF program '%s': %s", failed[0] ? failed : "?",
		 strerror(-rc));
	return -1;
}

/* ------------------------------------------------------------ attaching */

static int attach_specs(const struct pidcap_bpf *s, struct attach_spec *a)
{
	const struct attach_spec all[] = {
		{ s->progs.sock_create, G_SOCK, 1 },	{ s->progs.connect4, G_SOCK, 1 },
		{ s->progs.connect6, G_SOCK, 1 },	{ s->progs.sendmsg4, G_SOCK, 1 },
		{ s->progs.sendmsg6, G_SOCK, 1 },	{ s->progs.recvmsg4, G_SOCK, 1 },
		{ s->progs.recvmsg6, G_SOCK, 1 },	{ s->progs.post_bind4, G_SOCK, 1 },
		{ s->progs.post_bind6, G_SOCK, 1 },
		{ s->progs.sockops_established, G_SOCKOPS, 1 },
		{ s->progs.skb_egress, G_SKB, 1 },	{ s->progs.skb_ingress, G_SKB, 1 },
		{ s->progs.exit_accept4, G_TP, 0 },	{ s->progs.exit_accept, G_TP, 0 },
		{ s->progs.enter_execve, G_TP, 0 },	{ s->progs.enter_execveat, G_TP, 0 },
		{ s->progs.sched_exec_btf, G_TP, 0 },	{ s->progs.sched_exec, G_TP, 0 },
		{ s->progs.task_newtask, G_TP, 0 },	{ s->progs.sched_fork, G_TP, 0 },
		{ s->progs.sched_exit, G_TP, 0 },
		{ s->progs.fentry_tcp_sendmsg, G_FENTRY, 0 },
		{ s->progs.fentry_udp_sendmsg, G_FENTRY, 0 },
		{ s->progs.fentry_tcp_connect, G_FENTRY, 0 },
		{ s->progs.fexit_inet_csk_accept, G_FENTRY, 0 },
	};
	int n = (int)(sizeof(all) / sizeof(all[0]));

	_Static_assert(sizeof(all) / sizeof(all[0]) <= ATTR_MAX_LINKS, "too many programs");
	memcpy(a, all, sizeof(all));
	return n;
}

static void append(char *dst, size_t len, const char *sep, const char *s)
{
	size_t used = strlen(dst);

	if (used < len)
		snprintf(dst + used, len - used, "%s%s", used ? sep : "", s);
}

/* Attaches every loaded program; the ones that fail are named in the hooks
 * string. Returns 0 when at least one socket hook is attached. */
static int attr_attach(struct bpf_attr *b, char *err, size_t errlen)
{
	struct attach_spec specs[ATTR_MAX_LINKS];
	int n = attach_specs(b->skel, specs), i, attached[G_COUNT] = { 0 };
	char missing[256] = "", notes[384] = "";
	int exec_btf_attached = 0;

	for (i = 0; i < n; i++) {
		struct bpf_link *link;

		if (!bpf_program__autoload(specs[i].prog))
			continue;
		if (specs[i].prog == b->skel->progs.sched_exec && exec_btf_attached)
			continue;	/* the better variant is in place */
		link = specs[i].cgroup ? bpf_program__attach_cgroup(specs[i].prog, b->cgroup_fd)
				       : bpf_program__attach(specs[i].prog);
		if (!link && specs[i].prog == b->skel->progs.sched_exec_btf) {
			/* loads but may not attach (EACCES under lockdown) */
			snprintf(b->exec_note, sizeof(b->exec_note), "exec parent unreadable: %s",
				 strerror(errno));
			continue;
		}
		if (!link) {
			append(missing, sizeof(missing), ", ", bpf_program__name(specs[i].prog));
			continue;
		}
		b->links[b->nlinks++] = link;
		attached[specs[i].group]++;
		exec_btf_attached |= specs[i].prog == b->skel->progs.sched_exec_btf;
	}
	if (!attached[G_SOCK] && !attached[G_SKB] && !attached[G_SOCKOPS]) {
		snprintf(err, errlen, "no socket hook could be attached (%s)", missing);
		return -1;
	}
	for (i = 0; i < G_COUNT; i++)
		if (attached[i])
			append(b->hooks, sizeof(b->hooks), "+", group_names[i]);
	if (b->fentry_note[0])
		append(notes, sizeof(notes), "; ", b->fentry_note);
	if (b->exec_note[0])
		append(notes, sizeof(notes), "; ", b->exec_note);
	if (missing[0]) {
		append(notes, sizeof(notes), "; ", "not attached: ");
		append(notes, sizeof(notes), "", missing);
	}
	if (notes[0]) {
		append(b->hooks, sizeof(b->hooks), " ", "(");
		append(b->hooks, sizeof(b->hooks), "", notes);
		append(b->hooks, sizeof(b->hooks), "", ")");
	}
	return 0;
}

/* ------------------------------------------------------------ events */

static void event_convert(const struct bpf_attr *b, const struct pidcap_event *in,
			  struct attr_event *out)
{
	size_t n;

	memset(out, 0, sizeof(*out));
	out->type = (enum attr_ev_type)in->type;
	out->hook = (enum attr_hook)in->hook;
	out->ts_ns = (int64_t)in->ts_ns + b->mono_to_real_ns;
	out->pid = in->pid;
	out->tid = in->tid;
	out->uid = in->uid;
	out->ppid = in->ppid;
	out->child_pid = in->child_pid;
	out->ctx_pid = in->ctx_pid;
	out->fd = in->fd;
	memcpy(out->comm, in->comm, sizeof(out->comm) - 1);
	out->cookie = in->cookie;
	out->family = in->family;
	out->ip_proto = in->ip_proto;
	out->listener = in->listener != 0;
	memcpy(out->laddr, in->laddr, sizeof(out->laddr));
	memcpy(out->raddr, in->raddr, sizeof(out->raddr));
	out->lport = in->lport;
	out->rport = in->rport;
	/* the kernel copies a fixed size: keep only the string */
	n = strnlen(in->filename, sizeof(in->filename) - 1);
	memcpy(out->filename, in->filename, n);
}

/* The arguments of an exec (their own record layout, 1 KiB of argv). */
static int on_argv(struct bpf_attr *b, const struct pidcap_argv_event *in)
{
	struct attr_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = ATTR_EV_ARGV;
	ev.hook = ATTR_HOOK_EXEC;
	ev.ts_ns = (int64_t)in->ts_ns + b->mono_to_real_ns;
	ev.pid = in->pid;
	ev.argv = in->argv;
	ev.argv_len = in->len <= sizeof(in->argv) ? in->len : 0;
	ev.argv_truncated = in->truncated != 0;
	b->delivered++;
	b->fn(b->fn_ctx, &ev);
	return 0;
}

static int on_ring_event(void *ctx, void *data, size_t size)
{
	struct bpf_attr *b = ctx;
	const struct pidcap_event *in = data;
	struct attr_event ev;

	if (size >= sizeof(struct pidcap_argv_event) && in->type == PIDCAP_EV_ARGV)
		return on_argv(b, data);
	if (size < sizeof(*in) || in->type < ATTR_EV_SOCK_OWNER || in->type > ATTR_EV_EXIT)
		return 0;
	event_convert(b, in, &ev);
	b->delivered++;
	b->fn(b->fn_ctx, &ev);
	return 0;
}

/* ------------------------------------------------------------ public */

struct bpf_attr *bpf_attr_open(attr_event_fn fn, void *ctx, char *err, size_t errlen)
{
	struct bpf_attr *b;
	libbpf_print_fn_t old_print;
	char cgpath[4096];

	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->fn = fn;
	b->fn_ctx = ctx;
	b->cgroup_fd = -1;
	if (cgroup2_mount(cgpath, sizeof(cgpath)) < 0) {
		snprintf(err, errlen, "no cgroup v2 file system in /proc/self/mountinfo");
		goto fail;
	}
	b->cgroup_fd = open(cgpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->cgroup_fd < 0) {
		snprintf(err, errlen, "%s: %s", cgpath, strerror(errno));
		goto fail;
	}
	tracefs_ensure();
	old_print = libbpf_set_print(libbpf_capture);
	if (attr_load(b, err, errlen) < 0 || attr_attach(b, err, errlen) < 0) {
		libbpf_set_print(old_print);
		goto fail;
	}
	libbpf_set_print(old_print);
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_ring_event, b, NULL);
	if (!b->rb) {
		snprintf(err, errlen, "ring buffer: %s", strerror(errno));
		goto fail;
	}
	b->mono_to_real_ns = mono_to_real_offset();
	return b;
fail:
	bpf_attr_close(b);
	return NULL;
}

int bpf_attr_fd(const struct bpf_attr *b)
{
	return ring_buffer__epoll_fd(b->rb);
}

int bpf_attr_poll(struct bpf_attr *b, int timeout_ms)
{
	int rc;

	b->delivered = 0;
	/* not waiting: read the shared ring directly, without a system call */
	rc = timeout_ms == 0 ? ring_buffer__consume(b->rb) : ring_buffer__poll(b->rb, timeout_ms);
	if (rc == -EINTR)
		return b->delivered;
	if (rc < 0)
		return -1;
	return b->delivered;
}

uint64_t bpf_attr_lost(const struct bpf_attr *b)
{
	return __atomic_load_n(&b->skel->bss->lost_events, __ATOMIC_RELAXED);
}

const char *bpf_attr_hooks(const struct bpf_attr *b)
{
	return b->hooks;
}

void bpf_attr_close(struct bpf_attr *b)
{
	int i;

	if (!b)
		return;
	ring_buffer__free(b->rb);
	for (i = 0; i < b->nlinks; i++)
		bpf_link__destroy(b->links[i]);
	pidcap_bpf__destroy(b->skel);
	if (b->cgroup_fd >= 0)
		close(b->cgroup_fd);
	free(b);
}

#else /* !HAVE_BPF */

struct bpf_attr *bpf_attr_open(attr_event_fn fn, void *ctx, char *err, size_t errlen)
{
	(void)fn;
	(void)ctx;
	snprintf(err, errlen, "built without eBPF support");
	return NULL;
}

int bpf_attr_fd(const struct bpf_attr *b)
{
	(void)b;
	return -1;
}

int bpf_attr_poll(struct bpf_attr *b, int timeout_ms)
{
	(void)b;
	(void)timeout_ms;
	errno = ENOSYS;
	return -1;
}

uint64_t bpf_attr_lost(const struct bpf_attr *b)
{
	(void)b;
	return 0;
}

const char *bpf_attr_hooks(const struct bpf_attr *b)
{
	(void)b;
	return "none (built without eBPF support)";
}

void bpf_attr_close(struct bpf_attr *b)
{
	(void)b;
}

#endif /* HAVE_BPF */
