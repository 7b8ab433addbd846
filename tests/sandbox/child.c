/* \summary: run a test step in a forked child (the sandbox cannot be undone) */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

struct child_end child_run(int (*fn)(void *arg), void *arg)
{
	struct child_end e = { -1, 0 };
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return e;
	if (pid == 0) {
		int rc = fn(arg);

		fflush(NULL);
		_exit(rc);
	}
	if (waitpid(pid, &status, 0) != pid)
		return e;
	if (WIFSIGNALED(status))
		e.signal = WTERMSIG(status);
	else
		e.code = WEXITSTATUS(status);
	if (e.signal != 0)
		printf("# child killed by signal %d\n", e.signal);
	else if (e.code != 0)
		printf("# child exit code %d\n", e.code);
	return e;
}

bool child_exited(struct child_end e, int code)
{
	return e.signal == 0 && e.code == code;
}

bool child_killed(struct child_end e, int sig)
{
	return e.signal == sig;
}

void child_status_field(const char *key, char *out, unsigned len)
{
	char line[256];
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");

	out[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			snprintf(out, len, "%s", line + klen + 1 + strspn(line + klen + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}
