/* \summary: libFuzzer target: the /proc/PID/stat, status and cgroup parsers of pidcap record */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record/proc_read.h"

/*
 * Every parser of src/record/proc_read.c runs on the whole input: the
 * process being described writes part of these files itself (comm, argv,
 * cgroup names under delegation), so each must take any bytes. The input is
 * copied into a heap buffer of exactly its size, without a NUL after it, so
 * AddressSanitizer sees a parser that relies on one. proc_container_id()
 * gets a NUL-terminated copy. Results are checked against the contracts in
 * proc_read.h; a broken one aborts.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_procfs: broken contract: %s (line %d)\n", #cond, __LINE__); \
	abort(); } } while (0)

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The content the parsers see: up to the first NUL. */
static size_t text_len(const char *buf, size_t size)
{
	const char *nul = memchr(buf, '\0', size);

	return nul != NULL ? (size_t)(nul - buf) : size;
}

static void check_stat(const char *buf, size_t size)
{
	struct proc_stat_fields f;
	size_t len = text_len(buf, size), comm_len;
	const char *open_paren = memchr(buf, '(', len), *close_paren = NULL;

	for (size_t i = 0; i < len; i++)
		if (buf[i] == ')')
			close_paren = buf + i;
	if (proc_parse_stat(buf, size, &f) < 0) {
		CHECK(open_paren == NULL || close_paren == NULL || close_paren < open_paren);
		CHECK(f.comm[0] == '\0' && !f.has_ppid && f.starttime_ticks == 0);
		return;
	}
	/* comm: what lies between the first '(' and the last ')', cut to 15 bytes */
	CHECK(open_paren != NULL && close_paren != NULL && close_paren > open_paren);
	CHECK(memchr(f.comm, '\0', sizeof(f.comm)) != NULL);
	comm_len = strlen(f.comm);
	CHECK(comm_len == (size_t)(close_paren - open_paren - 1) || comm_len == PROC_READ_COMM_BYTES - 1);
	CHECK(memcmp(f.comm, open_paren + 1, comm_len) == 0);
	CHECK(f.has_ppid || f.ppid == 0);
	sink += comm_len + f.ppid + (size_t)f.starttime_ticks;
}

static void check_cgroup(const char *buf, size_t size)
{
	char *cgroup = (char *)1, *container = (char *)1;

	if (proc_parse_cgroup(buf, size, &cgroup, &container) < 0) {
		CHECK(cgroup == NULL && container == NULL);
		return;
	}
	if (cgroup != NULL) {
		CHECK(strlen(cgroup) <= PROC_READ_STRING_MAX);
		CHECK(memmem(buf, size, cgroup, strlen(cgroup)) != NULL);
		sink += strlen(cgroup);
	}
	if (container != NULL) {
		CHECK(strlen(container) == PROC_CONTAINER_ID_CHARS);
		CHECK(all_hex(container, PROC_CONTAINER_ID_CHARS));
		CHECK(memmem(buf, size, container, PROC_CONTAINER_ID_CHARS) != NULL);
	}
	free(cgroup);
	free(container);
}

static void check_container_id(const char *buf, size_t size)
{
	char *s = malloc(size + 1), id[PROC_CONTAINER_ID_CHARS + 1];

	if (s == NULL)
		return;
	memcpy(s, buf, size);
	s[size] = '\0';
	if (proc_container_id(s, id)) {
		CHECK(strlen(id) == PROC_CONTAINER_ID_CHARS && all_hex(id, PROC_CONTAINER_ID_CHARS));
		CHECK(strstr(s, id) != NULL);
	} else {
		CHECK(id[0] == '\0');
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	uint32_t euid = 0xdeadbeefu;

	if (buf == NULL)
		return 0;
	if (size)
		memcpy(buf, data, size);
	check_stat(buf, size);
	if (!proc_parse_status_uid(buf, size, &euid))
		CHECK(euid == 0xdeadbeefu);
	else
		CHECK(memmem(buf, size, "Uid:", 4) != NULL);
	check_cgroup(buf, size);
	check_container_id(buf, size);
	free(buf);
	return 0;
}
