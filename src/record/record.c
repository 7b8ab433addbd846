/* \summary: `pidcap record`: command line, set-up order, main loop */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capfile/capfile.h"
#include "capfile/pcapng_const.h"
#include "decode/decode.h"
#include "record/attr.h"
#include "record/bpf_attr.h"
#include "record/capture.h"
#include "record/output.h"
#include "record/poller.h"
#include "record/record.h"
#include "record/records.h"
#include "record/reorder.h"
#include "record/snapshot.h"
#include "sandbox/sandbox.h"
#include "util/units.h"

#define MAX_FILTERS 32
#define REORDER_WINDOW_NS (20 * NS_PER_MSEC)   /* events arrive within microseconds; 20 ms is ample */
#define REORDER_PACKETS 65536u
#define REORDER_BYTES (16ull << 20)          /* 20 ms of 800 MB/s; touched once at start */
#define DISPATCH_BLOCKS 64                  /* ring blocks read per turn of the loop */
#define POLL_MIN_MS 2
#define TURN_MIN_NS (2 * NS_PER_MSEC)         /* at most one turn of the loop per 2 ms */
#define POLL_IDLE_MS 100
#define STATUS_EVERY_NS NS_PER_SEC
#define LIVE_WINDOW_NS (60 * NS_PER_SEC)   /* sockets repeated in a new file if used this recently */
#define COMMENT_BYTES 4096

struct options {
	const char *iface, *wfile, *filter;
	uint32_t snaplen;
	uint64_t count, max_bytes;
	int64_t max_ns;
	uint32_t max_files;
	uint32_t pids[MAX_FILTERS];
	const char *comms[MAX_FILTERS];
	unsigned n_pids, n_comms;
	bool no_bpf, compat_comment, compat_darwin, quiet, verbose, status;
	enum sandbox_mode sandbox;
	char *filter_buf;
};

struct rec {
	struct options o;
	struct capture *cap;
	struct output *out;
	struct attr *attr;
	struct bpf_attr *bpf;
	struct poller *poller;       /* --no-bpf: the /proc poller process (poller.h) */
	struct usertab *users;
	struct decoder *dec;
	struct reorder *q;
	int linktype;
	int64_t batch_ns;          /* arrival time of the packets being read */
	uint64_t captured, written, attributed, filtered_out;
	bool failed, queue_full_warned;
	char err[512];
};

static volatile sig_atomic_t stop_requested, rotate_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	rotate_requested = 1;
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static void record_usage(FILE *out)
{
	fprintf(out,
		"Usage: pidcap record -i IFACE|any -w FILE.pcapng [-s SNAPLEN] [-c COUNT]\n"
		"                     [-C MEGABYTES] [-G SECONDS] [-W FILES] [--pid PID]...\n"
		"                     [--comm NAME]... [--no-bpf] [--compat comment|darwin]\n"
		"                     [--sandbox-strict | --no-sandbox] [-q] [-v] [FILTER...]\n"
		"\n"
		"Capture packets into pcapng, each one marked with the process that sent or\n"
		"received it (eBPF socket hooks; /proc polling with --no-bpf). Process and\n"
		"socket records travel in the file as copyable pcapng blocks.\n"
		"\n"
		"  -i IFACE            interface to capture on, or 'any'\n"
		"  -w FILE             output file (written as FILE.part, renamed when complete)\n"
		"  -s SNAPLEN          bytes kept per packet (default 262144)\n"
		"  -c COUNT            stop after COUNT packets\n"
		"  -C MEGABYTES        start a new file before one exceeds this size\n"
		"  -G SECONDS          start a new file every SECONDS\n"
		"  -W FILES            with -C or -G: keep only the newest FILES files\n"
		"      --pid PID       keep only packets of this process (repeatable)\n"
		"      --comm NAME     keep only packets of processes named NAME (repeatable)\n"
		"      --no-bpf        attribute by polling /proc instead of eBPF\n"
		"      --compat comment  also write ptcpdump-style comments on every packet\n"
		"      --compat darwin   also write Apple's process blocks and option 0x8001\n"
		"                      (shown by released Wireshark versions)\n"
		"      --sandbox-strict  refuse to record unless every sandbox layer applies\n"
		"      --no-sandbox    do not sandbox the recorder (debugging)\n"
		"      --no-status     no status line, even on a terminal\n"
		"  -q, --quiet         no summary at the end\n"
		"  -v, --verbose       say how attribution and the sandbox were set up\n"
		"  -h, --help          this text\n"
		"\n"
		"SIGINT and SIGTERM stop cleanly; SIGHUP starts a new file.\n"
		"Exit status: 0 stopped as asked; 1 stopped by an error after recording\n"
		"began (e.g. disk full; the files written are valid); 2 usage or set-up error.\n");
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end != '\0' || v > max || s[0] == '-')
		return false;
	*out = v;
	return true;
}

/* Joins the remaining arguments into one filter expression, as tcpdump does. */
static int join_filter(struct options *o, int argc, char **argv)
{
	size_t len = 1;

	if (optind >= argc)
		return 0;
	for (int i = optind; i < argc; i++)
		len += strlen(argv[i]) + 1;
	o->filter_buf = calloc(1, len);
	if (o->filter_buf == NULL)
		return -1;
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			strcat(o->filter_buf, " ");
		strcat(o->filter_buf, argv[i]);
	}
	o->filter = o->filter_buf;
	return 0;
}

static int bad(const char *msg, const char *arg)
{
	fprintf(stderr, "pidcap record: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "Try 'pidcap record --help'.\n");
	return 2;
}

/* Parses argv into o; -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'P' },
		{ "comm", required_argument, NULL, 'N' },
		{ "no-bpf", no_argument, NULL, 'B' },
		{ "compat", required_argument, NULL, 'K' },
		{ "sandbox-strict", no_argument, NULL, 'S' },
		{ "no-sandbox", no_argument, NULL, 'U' },
		{ "no-status", no_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+i:w:s:c:C:G:W:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->iface = optarg; break;
		case 'w': o->wfile = optarg; break;
		case 's':
			if (!parse_u64(optarg, CAP_MAX_PACKET_BYTES, &v))
				return bad("-s wants a snap length up to 262144", optarg);
			o->snaplen = (uint32_t)v;
			break;
		case 'c':
			if (!parse_u64(optarg, UINT64_MAX, &o->count) || o->count == 0)
				return bad("-c wants a packet count of at least 1", optarg);
			break;
		case 'C':
			if (!parse_u64(optarg, 1u << 30, &v) || v == 0)
				return bad("-C wants a size in megabytes (1 or more)", optarg);
			o->max_bytes = v * 1000000ull;
			break;
		case 'G':
			if (!parse_u64(optarg, 1u << 30, &v) || v == 0)
				return bad("-G wants a number of seconds (1 or more)", optarg);
			o->max_ns = (int64_t)v * NS_PER_SEC;
			break;
		case 'W':
			if (!parse_u64(optarg, 1u << 20, &v) || v == 0)
				return bad("-W wants a number of files (1 or more)", optarg);
			o->max_files = (uint32_t)v;
			break;
		case 'P':
			if (o->n_pids == MAX_FILTERS || !parse_u64(optarg, UINT32_MAX, &v))
				return bad("--pid wants a process id (at most 32 of them)", optarg);
			o->pids[o->n_pids++] = (uint32_t)v;
			break;
		case 'N':
			if (o->n_comms == MAX_FILTERS)
				return bad("at most 32 --comm", NULL);
			o->comms[o->n_comms++] = optarg;
			break;
		case 'B': o->no_bpf = true; break;
		case 'K':
			if (strcmp(optarg, "comment") == 0)
				o->compat_comment = true;
			else if (strcmp(optarg, "darwin") == 0)
				o->compat_darwin = true;
			else
				return bad("--compat knows 'comment' and 'darwin'", optarg);
			break;
		case 'S': o->sandbox = SANDBOX_STRICT; break;
		case 'U': o->sandbox = SANDBOX_OFF; break;
		case 'T': o->status = false; break;
		case 'q': o->quiet = true; break;
		case 'v': o->verbose = true; break;
		case 'h': record_usage(stdout); return 0;
		default: return bad("unknown option", NULL);
		}
	}
	if (o->iface == NULL)
		return bad("no interface given (-i IFACE, or -i any)", NULL);
	if (o->wfile == NULL)
		return bad("no output file given (-w FILE.pcapng)", NULL);
	if (o->max_files && !o->max_bytes && !o->max_ns)
		return bad("-W needs -C or -G", NULL);
	if (join_filter(o, argc, argv) != 0)
		return bad("out of memory", NULL);
	return -1;
}

/* ------------------------------------------------------------ packets */

static bool wanted(const struct options *o, const struct attr_proc *p)
{
	if (o->n_pids == 0 && o->n_comms == 0)
		return true;
	if (p == NULL)
		return false;
	for (unsigned i = 0; i < o->n_pids; i++)
		if (o->pids[i] == p->pid)
			return true;
	for (unsigned i = 0; i < o->n_comms; i++)
		if (strcmp(o->comms[i], p->d.comm) == 0)
			return true;
	return false;
}

/* Attributes and writes the oldest queued packet. */
static int release_one(struct rec *r, const struct reorder_pkt *pk)
{
	struct pcapng_epb_opts eo = { 0 };
	struct attr_result res = { 0 };
	struct decoded d;
	char comment[COMMENT_BYTES];
	const char *comments[1] = { comment };
	struct pcapng_writer *w;
	uint64_t seq;

	if (decode_packet(r->dec, (uint32_t)r->linktype, pk->data, pk->caplen, pk->origlen,
			  pk->ts_ns, &d) && !d.fragment &&
	    !attr_lookup(r->attr, &d.ip, pk->ts_ns, &res) && d.tunnel != TUNNEL_NONE)
		/* a tunnel a local process carries (VXLAN, Teredo in user space) */
		attr_lookup(r->attr, &d.outer, pk->ts_ns, &res);
	if (!wanted(&r->o, res.proc)) {
		r->filtered_out++;
		return 0;
	}
	if (res.sock != NULL) {
		eo.has_flags = true;
		eo.flags = res.outbound ? PCAPNG_EPB_DIR_OUT : PCAPNG_EPB_DIR_IN;
	}
	if (res.proc != NULL) {
		/* a rotation due now happens first, so the records land in the packet's file */
		if (output_prepare_packet(r->out, pk->ts_ns, pk->caplen, &eo) != 0)
			return -1;
		w = output_writer(r->out);
		seq = output_file_seq(r->out);
		if (records_write_sock(w, seq, res.sock) != 0)
			return -1;
		eo.has_pid = true;
		eo.pid = res.proc->pid;
		eo.tid = res.proc->tid;
		if (r->o.compat_darwin) {
			if (records_write_darwin(w, seq, res.proc) != 0)
				return -1;
			eo.has_darwin_pib = true;
			eo.darwin_pib_index = res.proc->darwin_index;
		}
		if (r->o.compat_comment) {
			records_comment(res.proc, comment, sizeof(comment));
			eo.comments = comments;
			eo.n_comments = 1;
		}
	}
	if (output_packet(r->out, pk->ts_ns, pk->data, pk->caplen, pk->origlen, &eo) != 0)
		return -1;
	r->written++;
	if (eo.has_pid)
		r->attributed++;
	return 0;
}

/* Writes every queued packet that arrived before not_after_ns. */
static int release(struct rec *r, int64_t not_after_ns)
{
	const struct reorder_pkt *pk;

	while ((pk = reorder_peek(r->q, not_after_ns)) != NULL) {
		int rc = release_one(r, pk);

		reorder_pop(r->q);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static void poll_events(struct rec *r)
{
	if (r->bpf != NULL)
		bpf_attr_poll(r->bpf, 0);
}

static void on_packet(void *ctx, int64_t ts_ns, const uint8_t *data, uint32_t caplen,
		      uint32_t origlen)
{
	struct rec *r = ctx;
	int64_t now = r->batch_ns;

	if (r->failed || (r->o.count && r->captured >= r->o.count))
		return;
	r->captured++;
	while (!reorder_push(r->q, ts_ns, now, data, caplen, origlen)) {
		/* full: read the events so far, then let the oldest go early */
		poll_events(r);
		if (reorder_count(r->q) == 0 || release_one(r, reorder_peek(r->q, INT64_MAX)) != 0) {
			r->failed = true;
			return;
		}
		reorder_pop(r->q);
	}
}

static void on_event(void *ctx, const struct attr_event *ev)
{
	struct rec *r = ctx;

	attr_event(r->attr, ev);
}

/* ------------------------------------------------------------ files */

static void fill_isb(void *ctx, struct pcapng_isb *isb)
{
	struct rec *r = ctx;
	struct capture_stats cs;

	if (capture_stats(r->cap, &cs) != 0)
		return;
	isb->has_ifrecv = true;
	isb->ifrecv = cs.recv;
	isb->has_osdrop = true;
	isb->osdrop = cs.drop;
	isb->has_ifdrop = true;
	isb->ifdrop = cs.ifdrop;
}

struct repeat_ctx {
	struct pcapng_writer *w;
	uint64_t seq;
	int rc;
};

static void repeat_sock(void *ctx, struct attr_sock *s)
{
	struct repeat_ctx *rc = ctx;

	if (rc->rc == 0)
		rc->rc = records_write_sock(rc->w, rc->seq, s);
}

/* A new file repeats the records of the processes and sockets still in use. */
static int on_new_file(void *ctx, struct output *o)
{
	struct rec *r = ctx;
	struct repeat_ctx rc = { output_writer(o), output_file_seq(o), 0 };

	attr_each_live_sock(r->attr, real_ns(), LIVE_WINDOW_NS, repeat_sock, &rc);
	return rc.rc;
}

/* "dir/name" -> an O_DIRECTORY descriptor of dir and name. */
static int open_out_dir(const char *path, const char **name, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int fd;

	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
		*name = path;
	} else {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		if (dir[0] == '\0')
			snprintf(dir, sizeof(dir), "/");
		*name = slash + 1;
	}
	if ((*name)[0] == '\0') {
		snprintf(err, errlen, "%s: no file name", path);
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		snprintf(err, errlen, "%.300s: %s", dir, strerror(errno));
	return fd;
}

/* ------------------------------------------------------------ set-up */

static void take_snapshot(struct rec *r)
{
	struct snap_sock *socks = NULL;
	size_t n = 0;
	unsigned skipped = 0;
	char err[256];
	int rc = snapshot_sockets_all(&socks, &n, &skipped, err, sizeof(err));

	if (rc < 0) {
		fprintf(stderr, "pidcap record: warning: no snapshot of the sockets open before the "
			"start (%s): their packets stay unattributed until they make a new event\n", err);
		return;
	}
	if (rc > 0)   /* the cap cut the list: use what was read */
		fprintf(stderr, "pidcap record: warning: %s\n", err);
	if (skipped > 0)
		fprintf(stderr, "pidcap record: warning: %u network namespaces could not be entered "
			"for the socket snapshot\n", skipped);
	attr_snapshot(r->attr, socks, n, ATTR_HOW_SNAPSHOT, real_ns());
	free(socks);
}

/* ---- --no-bpf: attribution by /proc polling, in a separate process (poller.h) */

/* Forks the poller, before the sandbox and the output file, and says once,
 * whatever -q, what this attribution means. With --no-bpf it runs before the
 * capture handle is opened, so the poller does not even inherit its ring. */
static int start_poller(struct rec *r)
{
	char err[512];

	r->poller = poller_start(err, sizeof(err));
	if (r->poller == NULL) {
		fprintf(stderr, "pidcap record: %s\n", err);
		return -1;
	}
	fprintf(stderr, "pidcap record: attribution by /proc polling every %lld ms: processes that "
		"live shorter than that are missed; a separate poller process (pid %ld) keeps "
		"capabilities %s to read other processes' /proc and network namespaces\n",
		(long long)(POLLER_INTERVAL_NS / NS_PER_MSEC), (long)poller_pid(r->poller), poller_caps(r->poller));
	return 0;
}

static void on_polled_sockets(void *ctx, const struct snap_sock *s, size_t n)
{
	struct rec *r = ctx;

	attr_snapshot(r->attr, s, n, ATTR_HOW_PROCFS, real_ns());
}

/* Takes what the poller sent; when it is gone, says so once and goes on without it. */
static void read_poller(struct rec *r, struct pollfd *pfd)
{
	char err[512];
	int rc;

	if (r->poller == NULL || poller_fd(r->poller) < 0)
		return;
	rc = poller_read(r->poller, on_polled_sockets, r, err, sizeof(err));
	if (rc == 0)
		return;
	pfd->fd = -1;   /* poll() ignores it from now on */
	if (rc < 0)
		fprintf(stderr, "pidcap record: %s; no more /proc polling\n", err);
	else if (!stop_requested)
		fprintf(stderr, "pidcap record: the /proc poller (pid %ld) exited; new sockets are "
			"no longer attributed\n", (long)poller_pid(r->poller));
}

static void poller_summary(struct rec *r)
{
	struct poller_stats ps;

	poller_get_stats(r->poller, &ps);
	fprintf(stderr, "pidcap record: attribution by /proc polling (poller pid %ld, capabilities %s): "
		"%llu rounds, %llu sockets read, %llu rounds capped, %u namespaces not entered\n",
		(long)poller_pid(r->poller), poller_caps(r->poller), (unsigned long long)ps.rounds,
		(unsigned long long)ps.sockets, (unsigned long long)ps.capped_rounds, ps.skipped_ns);
}

/* Everything that needs privileges, before the sandbox: the capture handle,
 * the eBPF programs, the snapshot of existing sockets, the first file. */
static int set_up(struct rec *r, int dirfd, const char *name)
{
	struct output_config oc = { 0 };
	char err[512];

	if (r->o.no_bpf && start_poller(r) != 0)
		return -1;
	r->cap = capture_open(r->o.iface, r->o.snaplen, r->o.filter, err, sizeof(err));
	if (r->cap == NULL) {
		fprintf(stderr, "pidcap record: %s\n", err);
		return -1;
	}
	r->linktype = capture_linktype(r->cap);
	r->users = usertab_load();
	r->attr = attr_new(r->users);
	r->dec = decoder_new(NULL);
	r->q = reorder_new(REORDER_PACKETS, REORDER_BYTES);
	if (r->attr == NULL || r->dec == NULL || r->q == NULL) {
		fprintf(stderr, "pidcap record: out of memory\n");
		return -1;
	}
	if (!r->o.no_bpf) {
		r->bpf = bpf_attr_open(on_event, r, err, sizeof(err));
		if (r->bpf == NULL)
			fprintf(stderr, "pidcap record: eBPF attribution unavailable (%s)\n", err);
		else if (r->o.verbose)
			fprintf(stderr, "pidcap record: eBPF hooks: %s\n", bpf_attr_hooks(r->bpf));
	}
	/* after the hooks are attached, so no socket falls between the two */
	take_snapshot(r);
	if (r->bpf == NULL && r->poller == NULL && start_poller(r) != 0)
		return -1;   /* eBPF failed: the fallback */
	oc.dirfd = dirfd;
	oc.name = name;
	oc.max_bytes = r->o.max_bytes;
	oc.max_ns = r->o.max_ns;
	oc.max_files = r->o.max_files;
	oc.linktype = (uint16_t)r->linktype;
	oc.snaplen = capture_snaplen(r->cap);
	oc.if_name = r->o.iface;
	oc.if_filter = r->o.filter;
	oc.if_os = "Linux";
	oc.userappl = "pidcap " PACKAGE_VERSION;
	oc.stats_fn = fill_isb;
	oc.new_file_fn = on_new_file;
	oc.ctx = r;
	r->out = output_open(&oc, err, sizeof(err));
	if (r->out == NULL) {
		fprintf(stderr, "pidcap record: %s\n", err);
		return -1;
	}
	return 0;
}

/* Test hook (test-hook build only): PIDCAP_RECORD_TEST_PROBE=PATH makes the
 * sandboxed recorder try to create PATH (outside its output directory) and
 * say what happened, so a test can see Landlock in force from outside. */
static void test_probe(void)
{
#ifdef PIDCAP_TEST_HOOKS
	const char *path = getenv("PIDCAP_RECORD_TEST_PROBE");
	int fd;

	if (path == NULL)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		fprintf(stderr, "pidcap record: landlock probe: ALLOWED\n");
		close(fd);
		unlink(path);
	} else {
		fprintf(stderr, "pidcap record: landlock probe: denied (%s)\n", strerror(errno));
	}
#endif
}

static int apply_sandbox(struct rec *r, int dirfd)
{
	static const char *const read_paths[] = { "/proc" };
	struct sandbox_policy p = {
		.profile = SANDBOX_PROFILE_RECORD,
		.mode = r->o.sandbox,
		.write_dir_fd = dirfd,
		.read_paths = read_paths,
		.n_read_paths = 1,
	};
	struct sandbox_report rep;
	char err[512];

	if (sandbox_apply(&p, &rep, err, sizeof(err)) != 0) {
		fprintf(stderr, "pidcap record: sandbox: %s\n", err);
		return -1;
	}
	if (r->o.verbose)
		fprintf(stderr, "pidcap record: sandbox: %s\n", rep.summary);
	test_probe();
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = on_stop_signal;   /* no SA_RESTART: poll() returns at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* ------------------------------------------------------------ main loop */

static void status_line(struct rec *r, bool final)
{
	struct capture_stats cs = { 0 };
	struct attr_stats as;

	capture_stats(r->cap, &cs);
	attr_get_stats(r->attr, &as);
	fprintf(stderr, "\r%llu packets, %llu dropped, %llu attributed, %llu processes, "
		"%llu events lost%s", (unsigned long long)r->written, (unsigned long long)cs.drop,
		(unsigned long long)r->attributed, (unsigned long long)as.procs_seen,
		(unsigned long long)(r->bpf ? bpf_attr_lost(r->bpf) : 0), final ? "\n" : "  ");
}

static int poll_timeout_ms(struct rec *r)
{
	const struct reorder_pkt *pk = reorder_peek(r->q, INT64_MAX);
	int64_t ms;

	if (pk == NULL)
		return POLL_IDLE_MS;
	ms = (pk->arrival_ns + REORDER_WINDOW_NS - mono_ns()) / NS_PER_MSEC + 1;
	return ms < POLL_MIN_MS ? POLL_MIN_MS : (ms > POLL_IDLE_MS ? POLL_IDLE_MS : (int)ms);
}

/* Takes everything the kernel has captured so far (a bounded number of ring
 * blocks, so the loop still turns under any load). */
static int read_capture(struct rec *r)
{
	for (int i = 0; i < DISPATCH_BLOCKS && !r->failed; i++) {
		int n;

		r->batch_ns = mono_ns();   /* one arrival time per ring block */
		n = capture_dispatch(r->cap, -1, on_packet, r);

		if (n < 0) {
			snprintf(r->err, sizeof(r->err), "capture: %s", capture_error(r->cap));
			return -1;
		}
		if (n == 0)
			break;
	}
	return 0;
}

static int loop(struct rec *r, bool show_status)
{
	int64_t next_status = mono_ns() + STATUS_EVERY_NS, last_turn = 0;
	struct pollfd fds[3];
	struct pollfd *poller_pfd = NULL;
	nfds_t nfds = 1;

	fds[0].fd = capture_fd(r->cap);
	fds[0].events = POLLIN;
	if (r->bpf != NULL) {
		fds[1].fd = bpf_attr_fd(r->bpf);
		fds[1].events = POLLIN;
		nfds = 2;
	}
	if (r->poller != NULL) {
		poller_pfd = &fds[nfds++];
		poller_pfd->fd = poller_fd(r->poller);
		poller_pfd->events = POLLIN;
	}
	while (!stop_requested && !r->failed) {
		int64_t now = mono_ns();

		if (now - last_turn < TURN_MIN_NS) {
			/* busy: let the kernel's rings fill a little, then take it all at
			 * once (a wake-up per packet block would cost more than the packets) */
			struct timespec ts = { 0, (long)(TURN_MIN_NS - (now - last_turn)) };

			nanosleep(&ts, NULL);
		} else if (poll(fds, nfds, poll_timeout_ms(r)) < 0 && errno != EINTR) {
			snprintf(r->err, sizeof(r->err), "poll: %s", strerror(errno));
			return -1;
		}
		last_turn = mono_ns();
		if (read_capture(r) != 0)
			return -1;
		poll_events(r);
		now = mono_ns();
		if (poller_pfd != NULL)
			read_poller(r, poller_pfd);
		if (release(r, now - REORDER_WINDOW_NS) != 0)
			return -1;
		if (rotate_requested) {
			rotate_requested = 0;
			if (output_rotate(r->out, real_ns()) != 0)
				return -1;
		}
		if (r->o.count && r->captured >= r->o.count)
			break;
		if (now >= next_status) {
			/* libpcap's counters are 32 bits: read them often enough to see each wrap */
			if (show_status)
				status_line(r, false);
			else
				capture_stats(r->cap, &(struct capture_stats){ 0 });
			next_status = now + STATUS_EVERY_NS;
		}
	}
	return r->failed ? -1 : 0;
}

/* After a stop: what the kernel still holds, then every queued packet. */
static int drain(struct rec *r)
{
	if (read_capture(r) != 0)
		return -1;
	poll_events(r);
	return r->failed ? -1 : release(r, INT64_MAX);
}

static void summary(struct rec *r, uint64_t files)
{
	struct capture_stats cs = { 0 };
	struct attr_stats as;

	capture_stats(r->cap, &cs);
	attr_get_stats(r->attr, &as);
	fprintf(stderr, "pidcap record: %llu packets captured, %llu written (%llu attributed), "
		"%llu dropped by the kernel, %llu processes, %llu files, %llu eBPF events, "
		"%llu eBPF events lost\n",
		(unsigned long long)r->captured, (unsigned long long)r->written,
		(unsigned long long)r->attributed, (unsigned long long)cs.drop,
		(unsigned long long)as.procs_seen, (unsigned long long)files,
		(unsigned long long)as.events, (unsigned long long)(r->bpf ? bpf_attr_lost(r->bpf) : 0));
	if (r->o.n_pids || r->o.n_comms)
		fprintf(stderr, "pidcap record: %llu packets left out by --pid/--comm\n",
			(unsigned long long)r->filtered_out);
	if (r->o.verbose)
		fprintf(stderr, "pidcap record: %llu sockets seen, %llu processes whose /proc entry was "
			"gone (described from the kernel's events), %llu sockets and %llu processes "
			"evicted by the table caps\n", (unsigned long long)as.socks_seen,
			(unsigned long long)as.proc_read_failed, (unsigned long long)as.socks_evicted,
			(unsigned long long)as.procs_evicted);
}

static void tear_down(struct rec *r)
{
	poller_free(r->poller);   /* closes its pipe, then reaps it */
	reorder_free(r->q);
	decoder_free(r->dec);
	bpf_attr_close(r->bpf);
	attr_free(r->attr);
	usertab_free(r->users);
	capture_close(r->cap);
	free(r->o.filter_buf);
}

int record_main(int argc, char **argv)
{
	struct rec r = { .o = { .sandbox = SANDBOX_BEST_EFFORT, .status = true } };
	const char *name;
	char err[512];
	int dirfd, rc = parse_options(argc, argv, &r.o);
	uint64_t files;
	bool show_status;

	if (rc >= 0)
		return rc;
	dirfd = open_out_dir(r.o.wfile, &name, err, sizeof(err));
	if (dirfd < 0) {
		fprintf(stderr, "pidcap record: %s\n", err);
		free(r.o.filter_buf);
		return 2;
	}
	if (set_up(&r, dirfd, name) != 0 || apply_sandbox(&r, dirfd) != 0) {
		if (r.out != NULL)
			output_close(r.out, err, sizeof(err));
		tear_down(&r);
		close(dirfd);
		return 2;
	}
	install_signals();
	if (!r.o.quiet)
		fprintf(stderr, "pidcap record: recording on %s, link type %d, snaplen %u, attribution %s\n",
			r.o.iface, r.linktype, capture_snaplen(r.cap), r.bpf ? "eBPF" : "/proc polling");
	show_status = r.o.status && !r.o.quiet && isatty(STDERR_FILENO);
	rc = loop(&r, show_status) == 0 && drain(&r) == 0 ? 0 : 1;
	if (rc != 0 && r.err[0] == '\0')
		snprintf(r.err, sizeof(r.err), "%s", output_error(r.out));
	if (show_status)
		status_line(&r, true);
	files = output_files_written(r.out) + 1;   /* the current one is published by the close */
	if (output_close(r.out, err, sizeof(err)) != 0) {
		if (rc == 0)
			snprintf(r.err, sizeof(r.err), "%s", err);
		rc = 1;
	}
	if (rc != 0)
		fprintf(stderr, "pidcap record: stopped: %s\n", r.err);
	if (!r.o.quiet)
		summary(&r, files);
	if (r.poller != NULL && (r.o.verbose || !r.o.quiet))
		poller_summary(&r);
	tear_down(&r);
	close(dirfd);
	return rc;
}
