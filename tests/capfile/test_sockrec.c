/* \summary: socket records and process-record extras: encode, write, read back, reject damage */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile/capfile.h"
#include "capfile/pcapng_const.h"
#include "capfile/pcapng_writer.h"
#include "capfile/procinfo.h"
#include "capfile/sockrec.h"
#include "../tap.h"

#define LINKTYPE_ETHERNET 1

static struct sock_record sample(void)
{
	struct sock_record r = {
		.family = 6, .ip_proto = 6, .listener = false, .final = true,
		.lport = 50123, .rport = 443,
		.cookie = 0x0123456789abcdefULL, .pid = 4242, .tid = 4243,
		.proc_start_ns = 1700000000000000001LL, .first_ns = 1700000001000000002LL,
		.last_ns = 1700000009000000003LL, .how = SOCKREC_HOW_EBPF,
	};

	for (int i = 0; i < 16; i++) {
		r.laddr[i] = (uint8_t)(0x20 + i);
		r.raddr[i] = (uint8_t)(0xf0 - i);
	}
	return r;
}

static struct cap_record custom_rec(uint32_t pen, const uint8_t *data, size_t len)
{
	struct cap_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.kind = CAP_REC_CUSTOM;
	rec.block_type = PCAPNG_BT_CB_COPY;
	rec.u.custom.copyable = true;
	rec.u.custom.pen = pen;
	rec.u.custom.data = cur_make(data, len);
	return rec;
}

static void test_encoding(void)
{
	struct sock_record r = sample(), out;
	uint8_t buf[SOCKREC_BYTES], copy[SOCKREC_BYTES];
	struct cap_record rec;
	bool all_rejected = true;

	tap_ok(sockrec_encode(&r, buf), "a valid record encodes");
	tap_ok(memcmp(buf, "PCSK\x01\x06\x06\x02", 8) == 0, "magic, version, family, proto, flags");
	tap_ok(buf[8] == (50123 & 0xff) && buf[9] == 50123 >> 8, "ports are little-endian");
	tap_ok(buf[44] == 0xef && buf[51] == 0x01, "cookie is little-endian");
	tap_ok(buf[84] == SOCKREC_HOW_EBPF && buf[85] == 0 && buf[86] == 0 && buf[87] == 0,
	       "how, then zero padding");
	TAP_EQ_U(SOCKREC_BYTES, 88, "88 bytes of custom data");
	rec = custom_rec(PIDCAP_PEN, buf, sizeof(buf));
	tap_ok(sockrec_is_socket(&rec), "recognised as a socket record");
	tap_ok(sockrec_decode(&rec, &out), "decodes");
	tap_ok((out.family == r.family && out.ip_proto == r.ip_proto && out.listener == r.listener &&
		out.final == r.final && out.lport == r.lport && out.rport == r.rport &&
		memcmp(out.laddr, r.laddr, 16) == 0 && memcmp(out.raddr, r.raddr, 16) == 0 &&
		out.cookie == r.cookie && out.pid == r.pid && out.tid == r.tid &&
		out.proc_start_ns == r.proc_start_ns && out.first_ns == r.first_ns &&
		out.last_ns == r.last_ns && out.how == r.how), "round trip keeps every field");

	/* Every truncation, from a copy of exactly that length (no slack to read past). */
	for (size_t len = 0; len < SOCKREC_BYTES; len++) {
		uint8_t *cut = malloc(len ? len : 1);

		memcpy(cut, buf, len);
		rec = custom_rec(PIDCAP_PEN, cut, len);
		if (sockrec_decode(&rec, &out)) {
			all_rejected = false;
			tap_diag("a record cut to %zu bytes was accepted", len);
		}
		free(cut);
	}
	tap_ok(all_rejected, "every truncation (0..%u bytes) is rejected", SOCKREC_BYTES - 1);
	{
		uint8_t longer[SOCKREC_BYTES + 4] = { 0 };

		memcpy(longer, buf, sizeof(buf));
		rec = custom_rec(PIDCAP_PEN, longer, sizeof(longer));
		tap_ok(!sockrec_decode(&rec, &out), "trailing bytes are rejected");
	}

	memcpy(copy, buf, sizeof(buf));
	copy[0] = 'X';
	rec = custom_rec(PIDCAP_PEN, copy, sizeof(copy));
	tap_ok(!sockrec_is_socket(&rec) && !sockrec_decode(&rec, &out), "wrong magic is rejected");
	memcpy(copy, buf, sizeof(buf));
	copy[4] = 2;
	rec = custom_rec(PIDCAP_PEN, copy, sizeof(copy));
	tap_ok(sockrec_is_socket(&rec) && !sockrec_decode(&rec, &out),
	       "version 2 is rejected (but seen as ours)");
	memcpy(copy, buf, sizeof(buf));
	copy[5] = 5;
	rec = custom_rec(PIDCAP_PEN, copy, sizeof(copy));
	tap_ok(!sockrec_decode(&rec, &out), "family 5 is rejected");
	rec = custom_rec(PCAPNG_PEN_WIRESHARK, buf, sizeof(buf));
	tap_ok(!sockrec_is_socket(&rec) && !sockrec_decode(&rec, &out), "another PEN is not ours");
	rec = custom_rec(PIDCAP_PEN, buf, sizeof(buf));
	rec.kind = CAP_REC_PACKET;
	tap_ok(!sockrec_decode(&rec, &out), "a record that is not a custom block is not ours");

	r.family = 5;
	tap_ok(!sockrec_encode(&r, buf), "family 5 does not encode");
}

static void test_proc_opts(void)
{
	struct pidcap_proc_opts o;
	char big[PIDCAP_PROC_VALUE_MAX + 2];

	tap_ok(pidcap_proc_opts(&o, "ebpf", "/system.slice/nginx.service", NULL) == 2,
	       "two extras given, two options");
	tap_ok(o.opt[0].code == PCAPNG_OPT_CUSTOM_STR_COPY && o.opt[0].pen == PIDCAP_PEN,
	       "copyable string option under pidcap's PEN");
	tap_ok(o.opt[0].value_len == strlen("pidcap.attribution=ebpf") &&
	       memcmp(o.opt[0].value, "pidcap.attribution=ebpf", o.opt[0].value_len) == 0,
	       "key=value text");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	tap_ok(pidcap_proc_opts(&o, "ebpf", big, NULL) == 0 && o.n == 0,
	       "an over-long value refuses the set");
	pidcap_proc_opts_init(&o);
	for (unsigned i = 0; i < PIDCAP_PROC_OPTS_MAX; i++)
		pidcap_proc_opt_add(&o, PIDCAP_KEY_TID, "1");
	tap_ok(!pidcap_proc_opt_add(&o, PIDCAP_KEY_TID, "1") && o.n == PIDCAP_PROC_OPTS_MAX,
	       "a full builder refuses more");
}

/* Writes a file with a process record (pidcap extras plus noise) and two
 * socket records, reads it back with the capture reader. */
static void test_file(const char *dir)
{
	static const struct sock_record listener = {
		.family = 4, .ip_proto = 17, .listener = false, .lport = 53,
		.laddr = { 127, 0, 0, 53 }, .pid = 77, .first_ns = 5, .how = SOCKREC_HOW_SNAPSHOT,
	};
	static const char other[] = "pidcap.cgroup=/from-another-pen";
	static const char unknown[] = "pidcap.future=1";
	struct pidcap_proc_opts o;
	struct pcapng_custom_opt custom[PIDCAP_PROC_OPTS_MAX + 2];
	struct pcapng_process p = { .pid = 4242, .name = "curl", .has_starttime = true,
				    .starttime_ns = 1700000000000000001LL };
	struct sock_record r = sample(), got[2];
	struct proc_record *pr = calloc(1, sizeof(*pr));
	struct cap_record rec;
	struct capfile *cf;
	char err[300], path[512];
	unsigned n_sock = 0, n_proc = 0;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	struct pcapng_writer *w = pcapng_writer_open(dfd, "s.pcapng", err, sizeof(err));
	bool not_cap;

	if (!tap_ok(w != NULL && pr != NULL, "writer opens")) {
		free(pr);
		return;
	}
	pidcap_proc_opts(&o, "snapshot", "/user.slice/user-1000.slice", "c0ffee");
	memcpy(custom, o.opt, o.n * sizeof(o.opt[0]));
	/* the same key under another PEN, and an unknown key under ours: ignored */
	custom[o.n] = (struct pcapng_custom_opt){ PCAPNG_OPT_CUSTOM_STR_COPY, PCAPNG_PEN_WIRESHARK,
						  other, strlen(other) };
	custom[o.n + 1] = (struct pcapng_custom_opt){ PCAPNG_OPT_CUSTOM_STR_COPY, PIDCAP_PEN,
						      unknown, strlen(unknown) };
	p.custom = custom;
	p.n_custom = o.n + 2;
	tap_ok(pcapng_write_shb(w, NULL, NULL, "test_sockrec") == 0 &&
	       pcapng_write_idb(w, LINKTYPE_ETHERNET, 0, "eth0", NULL, NULL, NULL) == 0 &&
	       pcapng_write_process(w, &p) == 0 && pcapng_write_socket(w, &r) == 0 &&
	       pcapng_write_socket(w, &listener) == 0, "process and socket records written");
	r.family = 0;
	tap_ok(pcapng_write_socket(w, &r) == -1 && errno == EINVAL, "a bad record is refused");
	r.family = 6;
	tap_ok(pcapng_writer_close(w, err, sizeof(err)) == 0, "file published");
	close(dfd);

	snprintf(path, sizeof(path), "%s/s.pcapng", dir);
	cf = capfile_open(path, err, sizeof(err), &not_cap);
	if (!tap_ok(cf != NULL, "file reads back")) {
		free(pr);
		return;
	}
	while (capfile_next(cf, &rec) == CAP_OK) {
		if (sockrec_is_socket(&rec) && n_sock < 2)
			n_sock += sockrec_decode(&rec, &got[n_sock]);
		else if (proc_record_decode(&rec, pr))
			n_proc++;
	}
	capfile_close(cf);
	TAP_EQ_U(n_sock, 2, "two socket records read back");
	TAP_EQ_U(n_proc, 1, "one process record");
	tap_ok(n_sock == 2 && got[0].cookie == r.cookie && got[0].pid == 4242 && got[0].final &&
	       got[0].last_ns == r.last_ns && memcmp(got[0].raddr, r.raddr, 16) == 0,
	       "the first socket record is intact");
	tap_ok(n_sock == 2 && got[1].family == 4 && got[1].ip_proto == 17 && got[1].rport == 0 &&
	       got[1].laddr[3] == 53 && got[1].how == SOCKREC_HOW_SNAPSHOT && !got[1].final,
	       "the second (unconnected UDP) is intact");
	tap_ok(strcmp(pr->attribution, "snapshot") == 0, "attribution read: '%s'", pr->attribution);
	tap_ok(strcmp(pr->cgroup, "/user.slice/user-1000.slice") == 0,
	       "cgroup read from pidcap's PEN only: '%s'", pr->cgroup);
	tap_ok(strcmp(pr->container, "c0ffee") == 0, "container read: '%s'", pr->container);
	TAP_EQ_U(pr->n_custom_opts, 5, "every custom option is counted");
	tap_ok(!pr->bad && pr->pid == 4242 && strcmp(pr->name, "curl") == 0,
	       "the rest of the process record is unchanged");
	unlink(path);
	free(pr);
}

int main(void)
{
	char dir[] = "/tmp/test_sockrec.XXXXXX";

	test_encoding();
	test_proc_opts();
	if (mkdtemp(dir) != NULL) {
		test_file(dir);
		rmdir(dir);
	} else {
		tap_ok(0, "mkdtemp: %s", strerror(errno));
	}
	return tap_done();
}
