/* \summary: pidcap sandbox-check: apply the sandbox, try what it must deny */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sandbox_int.h"

/*
 * A supervisor (this process) prepares what the attempts need while it still
 * may: the output directory, a TCP listener on 127.0.0.1 and an abstract UNIX
 * listener, so that a refusal can only come from the sandbox. A child applies
 * the sandbox and prints the table; each attempt runs in a grandchild,
 * because seccomp kills the process on exec, ptrace and bpf. The supervisor
 * removes the directory afterwards (the sandboxed child could not).
 */

#define CONTROL_NAME "control"
#define CONTROL_TEXT "pidcap sandbox-check\n"
#define INPUT_NAME "input"       /* parse: the parser's input, kept open */
#define STALE_NAME "stale"       /* parse: open before the sandbox, closed by the parser */
#define CREATED_NAME "created"   /* parse: what it must not create */
#define EXIT_NO_SANDBOX 200      /* an attempt's process could not apply its sandbox */

struct fixtures {
	char dir[64];                  /* the output directory (parse: only a scratch directory) */
	int dir_fd;                    /* O_PATH */
	/* parse profile: the descriptor the parser keeps (its input) and one
	 * opened before the sandbox that it must have closed */
	int input_fd, stale_fd;
	enum sandbox_mode parse_mode;
	char outside[80];              /* a file name beside, not inside, the directory */
	int tcp_listen, tcp_client;
	struct sockaddr_in tcp_addr;
	int unix_listen, unix_client;
	struct sockaddr_un unix_addr;
	socklen_t unix_len;
};

struct check_opts {
	enum sandbox_profile profile;
	bool strict, verbose;
};

struct attempt {
	const char *what;
	int (*run)(const struct fixtures *fx);   /* 0 when it worked, else errno */
	bool refused_reached;                     /* ECONNREFUSED means the network was reached */
};

static int try_read_passwd(const struct fixtures *fx)
{
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);

	(void)fx;
	return fd >= 0 ? 0 : errno;
}

static int try_create_outside(const struct fixtures *fx)
{
	int fd = open(fx->outside, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno;
	close(fd);
	(void)unlink(fx->outside);
	return 0;
}

static int try_connect_tcp(const struct fixtures *fx)
{
	return connect(fx->tcp_client, (const struct sockaddr *)&fx->tcp_addr,
		       sizeof(fx->tcp_addr)) == 0 ? 0 : errno;
}

static int try_connect_abstract(const struct fixtures *fx)
{
	return connect(fx->unix_client, (const struct sockaddr *)&fx->unix_addr,
		       fx->unix_len) == 0 ? 0 : errno;
}

static int try_signal_init(const struct fixtures *fx)
{
	(void)fx;
	return kill(1, 0) == 0 ? 0 : errno;
}

static int try_exec(const struct fixtures *fx)
{
	char *const argv[] = { (char *)"true", NULL };
	char *const envp[] = { NULL };

	(void)fx;
	execve("/bin/true", argv, envp);
	return errno;
}

static int try_ptrace(const struct fixtures *fx)
{
	(void)fx;
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : errno;
}

static int try_bpf(const struct fixtures *fx)
{
	union bpf_attr attr;
	long fd;

	(void)fx;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	return fd >= 0 ? 0 : errno;
}

static const struct attempt attempts[] = {
	{ "read /etc/passwd", try_read_passwd, false },
	{ "create a file outside the output dir", try_create_outside, false },
	{ "connect to 127.0.0.1 over TCP", try_connect_tcp, true },
	{ "connect to an abstract UNIX socket", try_connect_abstract, true },
	{ "signal pid 1 (kill 1, 0)", try_signal_init, false },
	{ "exec /bin/true", try_exec, false },
	{ "ptrace (PTRACE_TRACEME)", try_ptrace, false },
	{ "bpf(BPF_MAP_CREATE)", try_bpf, false },
};
#define N_ATTEMPTS (sizeof(attempts) / sizeof(attempts[0]))

static int try_create_in_dir(const struct fixtures *fx)
{
	char path[sizeof(fx->dir) + sizeof(CREATED_NAME) + 1];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fx->dir, CREATED_NAME);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_fchmod_input(const struct fixtures *fx)
{
	return fchmod(fx->input_fd, 0666) == 0 ? 0 : errno;
}

static int try_fork(const struct fixtures *fx)
{
	pid_t pid = fork();

	(void)fx;
	if (pid == 0)
		_exit(0);
	return pid > 0 ? 0 : errno;
}

static int try_read_stale(const struct fixtures *fx)
{
	char c;

	return read(fx->stale_fd, &c, 1) >= 0 ? 0 : errno;
}

/* The parse profile: each in a process that closes what a parser closes and
 * applies the parser's sandbox (it could not fork an attempt afterwards). */
static const struct attempt parse_attempts[] = {
	{ "read /etc/passwd", try_read_passwd, false },
	{ "create a file in the scratch dir", try_create_in_dir, false },
	{ "fchmod its input descriptor", try_fchmod_input, false },
	{ "fork", try_fork, false },
	{ "exec /bin/true", try_exec, false },
	{ "connect to 127.0.0.1 over TCP", try_connect_tcp, true },
	{ "ptrace (PTRACE_TRACEME)", try_ptrace, false },
	{ "read a descriptor open before, not kept", try_read_stale, false },
};
#define N_PARSE_ATTEMPTS (sizeof(parse_attempts) / sizeof(parse_attempts[0]))

/* Runs one attempt in a grandchild, after prepare (when not NULL: it
 * applies the sandbox there, EXIT_NO_SANDBOX when it cannot); true when it
 * was denied. */
static bool run_attempt(const struct attempt *a, const struct fixtures *fx,
			int (*prepare)(const struct fixtures *fx), char *detail, size_t len)
{
	int status, e;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(detail, len, "cannot fork: %s", strerrorname_np(errno));
		return false;
	}
	if (pid == 0) {
		if (prepare != NULL && prepare(fx) != 0)
			_exit(EXIT_NO_SANDBOX);
		e = a->run(fx);
		_exit(e > 0 && e < 256 ? e : (e == 0 ? 0 : 255));
	}
	if (waitpid(pid, &status, 0) != pid) {
		snprintf(detail, len, "lost the child: %s", strerrorname_np(errno));
		return false;
	}
	if (WIFSIGNALED(status)) {
		snprintf(detail, len, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ?
			 sigabbrev_np(WTERMSIG(status)) : "?");
		return true;
	}
	e = WEXITSTATUS(status);
	if (prepare != NULL && e == EXIT_NO_SANDBOX) {
		snprintf(detail, len, "the sandbox could not be applied");
		return false;
	}
	if (e == 0) {
		snprintf(detail, len, "succeeded");
		return false;
	}
	snprintf(detail, len, "%s", strerrorname_np(e) ? strerrorname_np(e) : "error");
	return !(a->refused_reached && e == ECONNREFUSED);
}

/* The positive control: the output directory must stay usable. */
static bool control_works(const struct fixtures *fx, char *detail, size_t len)
{
	char buf[sizeof(CONTROL_TEXT)];
	ssize_t n = -1;
	int fd;

	fd = openat(fx->dir_fd, CONTROL_NAME, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, CONTROL_TEXT, strlen(CONTROL_TEXT)) != (ssize_t)strlen(CONTROL_TEXT)) {
		snprintf(detail, len, "write: %s", strerrorname_np(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	fd = openat(fx->dir_fd, CONTROL_NAME, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	if (n != (ssize_t)strlen(CONTROL_TEXT) || memcmp(buf, CONTROL_TEXT, (size_t)n) != 0) {
		snprintf(detail, len, "read back: %s", fd < 0 ? strerrorname_np(errno) : "wrong bytes");
		return false;
	}
	if (unlinkat(fx->dir_fd, CONTROL_NAME, 0) != 0) {
		snprintf(detail, len, "unlink: %s", strerrorname_np(errno));
		return false;
	}
	snprintf(detail, len, "written, read back, removed");
	return true;
}

/* Prints this process's capability, no-new-privs and seccomp lines from a
 * /proc/self/status fd opened before the sandbox (procfs regenerates it). */
static void print_status(int fd)
{
	static const char *const keys[] = {
		"Uid:", "Gid:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:",
		"NoNewPrivs:", "Seccomp:", "Seccomp_filters:",
	};
	char buf[8192];
	ssize_t n;

	n = fd >= 0 ? pread(fd, buf, sizeof(buf) - 1, 0) : -1;
	if (n <= 0) {
		printf("status: unavailable\n");
		return;
	}
	buf[n] = '\0';
	for (char *line = strtok(buf, "\n"); line != NULL; line = strtok(NULL, "\n"))
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0)
				printf("status: %s\n", line);
}

static void warn_missing(const struct sandbox_report *r)
{
	if (!r->landlock_fs)
		fprintf(stderr, "pidcap sandbox-check: warning: Landlock is not in force; "
			"continuing with the other layers\n");
	if (!r->seccomp)
		fprintf(stderr, "pidcap sandbox-check: warning: seccomp is not in force\n");
	if (!r->caps_dropped || !r->ambient_cleared)
		fprintf(stderr, "pidcap sandbox-check: warning: capabilities were not all dropped\n");
	else if (!r->bounding_cleared && !r->no_new_privs)
		fprintf(stderr, "pidcap sandbox-check: warning: the bounding set was kept (no CAP_SETPCAP)\n");
}

/* The sandboxed child: returns its exit status. */
static int sandboxed_child(const struct check_opts *o, const struct fixtures *fx)
{
	static const char *const record_reads[] = { "/proc" };
	struct sandbox_policy p = {
		.profile = o->profile,
		.mode = o->strict ? SANDBOX_STRICT : SANDBOX_BEST_EFFORT,
		.write_dir_fd = fx->dir_fd,
		.read_paths = o->profile == SANDBOX_PROFILE_RECORD ? record_reads : NULL,
		.n_read_paths = o->profile == SANDBOX_PROFILE_RECORD ? 1 : 0,
	};
	struct sandbox_report r;
	char err[256], detail[64];
	int status_fd = o->verbose ? open("/proc/self/status", O_RDONLY | O_CLOEXEC) : -1;
	unsigned denied = 0;
	bool control;

	if (sandbox_apply(&p, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "pidcap sandbox-check: %s\n", err);
		return 1;
	}
	warn_missing(&r);
	printf("sandbox: %s\n", r.summary);
	printf("output directory: %s\n", fx->dir);
	if (o->verbose)
		print_status(status_fd);
	printf("%-40s %-8s %s\n", "attempt", "result", "detail");
	for (size_t i = 0; i < N_ATTEMPTS; i++) {
		bool no = run_attempt(&attempts[i], fx, NULL, detail, sizeof(detail));

		denied += no;
		printf("%-40s %-8s %s\n", attempts[i].what, no ? "denied" : "ALLOWED", detail);
	}
	control = control_works(fx, detail, sizeof(detail));
	printf("%-40s %-8s %s\n", "control: write inside the output dir", control ? "ok" : "FAILED", detail);
	printf("%u of %zu denied, control %s\n", denied, N_ATTEMPTS, control ? "ok" : "FAILED");
	return denied == N_ATTEMPTS && control ? 0 : 1;
}

/* ---------------------------------------------------------------- parse profile */

static int try_read_input(const struct fixtures *fx)
{
	char buf[sizeof(CONTROL_TEXT)];
	ssize_t n = pread(fx->input_fd, buf, sizeof(buf), 0);

	if (n < 0)
		return errno;
	return n == (ssize_t)strlen(CONTROL_TEXT) && memcmp(buf, CONTROL_TEXT, (size_t)n) == 0 ?
	       0 : EIO;
}

/* Closes every descriptor but keep[0..n) (ascending; -1 entries ignored). */
static void close_all_but(const int *keep, size_t n)
{
	unsigned from = 0;

	for (size_t i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned)keep[i] < from)
			continue;
		if ((unsigned)keep[i] > from)
			(void)close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	(void)close_range(from, ~0u, 0);
}

static struct sandbox_policy parse_policy(const struct fixtures *fx)
{
	struct sandbox_policy p = {
		.profile = SANDBOX_PROFILE_PARSE, .mode = fx->parse_mode, .write_dir_fd = -1,
		.drop_uid = true,
	};

	return p;
}

/* What `pidcap info`'s parser does before it reads (info_parse.c): keeps its
 * input (here also the TCP socket the connect attempt uses, made before, as
 * a parser cannot make one), closes the rest, applies the parse profile. */
static int parse_prepare(const struct fixtures *fx)
{
	struct sandbox_policy p = parse_policy(fx);
	int lo = fx->input_fd < fx->tcp_client ? fx->input_fd : fx->tcp_client;
	int keep[2] = { lo, lo == fx->input_fd ? fx->tcp_client : fx->input_fd };
	struct sandbox_report r;
	char err[256];

	close_all_but(keep, 2);
	return sandbox_apply(&p, &r, err, sizeof(err));
}

/* Prints the level in a process of its own (the sandboxed one cannot fork). */
static int print_parse_level(const struct check_opts *o, const struct fixtures *fx)
{
	struct sandbox_policy p = parse_policy(fx);
	struct sandbox_report r;
	char err[256];
	int status = 0, status_fd;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* opened here: /proc/self is the process that opens it */
		status_fd = o->verbose ? open("/proc/self/status", O_RDONLY | O_CLOEXEC) : -1;
		if (sandbox_apply(&p, &r, err, sizeof(err)) != 0) {
			fprintf(stderr, "pidcap sandbox-check: %s\n", err);
			_exit(1);
		}
		warn_missing(&r);
		printf("sandbox: %s\n", r.summary);
		printf("scratch directory: %s (not writable under this profile)\n", fx->dir);
		if (o->verbose)
			print_status(status_fd);
		fflush(NULL);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

/* The parse profile's table: returns the exit status. */
static int parse_child(const struct check_opts *o, const struct fixtures *fx)
{
	static const struct attempt control_attempt = { "control", try_read_input, false };
	char detail[64];
	unsigned denied = 0;
	bool control;

	if (print_parse_level(o, fx) != 0)
		return 1;
	printf("%-40s %-8s %s\n", "attempt", "result", "detail");
	for (size_t i = 0; i < N_PARSE_ATTEMPTS; i++) {
		bool no = run_attempt(&parse_attempts[i], fx, parse_prepare, detail, sizeof(detail));

		denied += no;
		printf("%-40s %-8s %s\n", parse_attempts[i].what, no ? "denied" : "ALLOWED", detail);
	}
	control = !run_attempt(&control_attempt, fx, parse_prepare, detail, sizeof(detail)) &&
		  strcmp(detail, "succeeded") == 0;
	printf("%-40s %-8s %s\n", "control: read its input", control ? "ok" : "FAILED", detail);
	printf("%u of %zu denied, control %s\n", denied, N_PARSE_ATTEMPTS, control ? "ok" : "FAILED");
	return denied == N_PARSE_ATTEMPTS && control ? 0 : 1;
}

/* The parser's input (CONTROL_TEXT) and a file it must not be able to read. */
static int parse_fixtures_open(struct fixtures *fx, char *err, size_t errlen)
{
	const char *const names[] = { INPUT_NAME, STALE_NAME };
	int *const fds[] = { &fx->input_fd, &fx->stale_fd };

	for (size_t i = 0; i < 2; i++) {
		int fd = openat(fx->dir_fd < 0 ? AT_FDCWD : fx->dir_fd, names[i],
				O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (fd < 0 || write(fd, CONTROL_TEXT, strlen(CONTROL_TEXT)) !=
				      (ssize_t)strlen(CONTROL_TEXT)) {
			snprintf(err, errlen, "%s/%s: %s", fx->dir, names[i], strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		*fds[i] = fd;
	}
	return 0;
}

static int listen_tcp(struct fixtures *fx, char *err, size_t errlen)
{
	socklen_t len = sizeof(fx->tcp_addr);

	fx->tcp_addr.sin_family = AF_INET;
	fx->tcp_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fx->tcp_listen = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	fx->tcp_client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fx->tcp_listen < 0 || fx->tcp_client < 0 ||
	    bind(fx->tcp_listen, (struct sockaddr *)&fx->tcp_addr, sizeof(fx->tcp_addr)) != 0 ||
	    listen(fx->tcp_listen, 4) != 0 ||
	    getsockname(fx->tcp_listen, (struct sockaddr *)&fx->tcp_addr, &len) != 0) {
		snprintf(err, errlen, "TCP listener on 127.0.0.1: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int listen_abstract(struct fixtures *fx, char *err, size_t errlen)
{
	int n;

	fx->unix_addr.sun_family = AF_UNIX;
	/* sun_path[0] stays NUL: the abstract namespace */
	n = snprintf(fx->unix_addr.sun_path + 1, sizeof(fx->unix_addr.sun_path) - 1,
		     "pidcap-sandbox-check-%ld", (long)getpid());
	fx->unix_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	fx->unix_listen = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	fx->unix_client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fx->unix_listen < 0 || fx->unix_client < 0 ||
	    bind(fx->unix_listen, (struct sockaddr *)&fx->unix_addr, fx->unix_len) != 0 ||
	    listen(fx->unix_listen, 4) != 0) {
		snprintf(err, errlen, "abstract UNIX listener: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int fixtures_open(struct fixtures *fx, char *err, size_t errlen)
{
	memset(fx, 0, sizeof(*fx));
	fx->dir_fd = fx->tcp_listen = fx->tcp_client = fx->unix_listen = fx->unix_client = -1;
	fx->input_fd = fx->stale_fd = -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/pidcap-sandbox-check.XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		snprintf(err, errlen, "cannot make a directory in /tmp: %s", strerror(errno));
		fx->dir[0] = '\0';
		return -1;
	}
	fx->dir_fd = open(fx->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fx->dir_fd < 0) {
		snprintf(err, errlen, "%s: %s", fx->dir, strerror(errno));
		return -1;
	}
	snprintf(fx->outside, sizeof(fx->outside), "/tmp/pidcap-sandbox-check-outside-%ld",
		 (long)getpid());
	if (listen_tcp(fx, err, errlen) != 0)
		return -1;
	return listen_abstract(fx, err, errlen);
}

static void fixtures_close(struct fixtures *fx)
{
	const int fds[] = { fx->dir_fd, fx->tcp_listen, fx->tcp_client, fx->unix_listen, fx->unix_client,
			    fx->input_fd, fx->stale_fd };
	const char *const names[] = { CONTROL_NAME, INPUT_NAME, STALE_NAME, CREATED_NAME };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (fx->dir[0] != '\0') {
		char path[sizeof(fx->dir) + sizeof(CONTROL_NAME) + 1];

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", fx->dir, names[i]);
			(void)unlink(path);
		}
		(void)rmdir(fx->dir);
	}
	(void)unlink(fx->outside);   /* only there if the sandbox let it be made and kept */
}

static void check_usage(FILE *out)
{
	fprintf(out,
		"Usage: pidcap sandbox-check [--profile analyze|record|parse] [--sandbox-strict] [-v]\n"
		"\n"
		"Applies pidcap's sandbox, then tries eight things it must deny (read\n"
		"/etc/passwd, create a file outside the output directory, TCP connect to\n"
		"127.0.0.1, connect to an abstract UNIX socket, signal pid 1, exec, ptrace,\n"
		"bpf) and one it must allow (write inside the output directory).\n"
		"The parse profile (pidcap info's parser) has no output directory: each\n"
		"attempt closes what a parser closes and applies the profile itself, then\n"
		"tries to read /etc/passwd, create a file in its scratch directory, fchmod\n"
		"its input, fork, exec, TCP connect to 127.0.0.1, ptrace, and read a\n"
		"descriptor opened before and not kept; the control reads its input.\n"
		"\n"
		"  --profile P       analyze (default), record or parse\n"
		"  --sandbox-strict  fail unless every sandbox layer is in force\n"
		"  -v, --verbose     also print the sandboxed process's /proc status lines\n"
		"  -h, --help        this help\n"
		"\n"
		"Exit status: 0 all denied and the control worked; 1 otherwise; 2 usage.\n");
}

/* Returns -1 to go on, else the exit code. */
static int parse_check_options(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "sandbox-strict", no_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (strcmp(optarg, "analyze") == 0) {
				o->profile = SANDBOX_PROFILE_ANALYZE;
			} else if (strcmp(optarg, "record") == 0) {
				o->profile = SANDBOX_PROFILE_RECORD;
			} else if (strcmp(optarg, "parse") == 0) {
				o->profile = SANDBOX_PROFILE_PARSE;
			} else {
				fprintf(stderr, "pidcap sandbox-check: --profile wants analyze, record or parse\n");
				return 2;
			}
			break;
		case 'S': o->strict = true; break;
		case 'v': o->verbose = true; break;
		case 'h': check_usage(stdout); return 0;
		default:
			fprintf(stderr, "Try 'pidcap sandbox-check --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pidcap sandbox-check: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return -1;
}

int sandbox_check_main(int argc, char **argv)
{
	struct check_opts o = { .profile = SANDBOX_PROFILE_ANALYZE };
	struct fixtures fx;
	char err[256];
	int rc, status;
	pid_t pid;

	rc = parse_check_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (fixtures_open(&fx, err, sizeof(err)) != 0 ||
	    (o.profile == SANDBOX_PROFILE_PARSE && parse_fixtures_open(&fx, err, sizeof(err)) != 0)) {
		fprintf(stderr, "pidcap sandbox-check: %s\n", err);
		fixtures_close(&fx);
		return 1;
	}
	fx.parse_mode = o.strict ? SANDBOX_STRICT : SANDBOX_BEST_EFFORT;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		rc = o.profile == SANDBOX_PROFILE_PARSE ? parse_child(&o, &fx) : sandboxed_child(&o, &fx);
		fflush(NULL);
		_exit(rc == 0 ? 0 : 1);
	}
	rc = 1;
	if (pid < 0) {
		fprintf(stderr, "pidcap sandbox-check: cannot fork: %s\n", strerror(errno));
	} else if (waitpid(pid, &status, 0) != pid) {
		fprintf(stderr, "pidcap sandbox-check: waitpid: %s\n", strerror(errno));
	} else if (WIFSIGNALED(status)) {
		fprintf(stderr, "pidcap sandbox-check: the sandboxed process died of %s\n",
			strsignal(WTERMSIG(status)));
	} else {
		rc = WEXITSTATUS(status);
	}
	fixtures_close(&fx);
	return rc;
}
