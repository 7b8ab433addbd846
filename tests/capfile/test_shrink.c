/* \summary: a capture file truncated while it is read: every record before the cut, then "truncated while reading" */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capfile/capfile.h"
#include "tests/tap.h"

/*
 * A file that shrinks under a reader that mapped it raised SIGBUS on the
 * first page past the new end (defect 6); the reader reads instead, and
 * reports the shrink as an error. The file is several times the reader's
 * window, truncated after the first records were returned: at a record
 * boundary (a clean end would hide the loss) and inside a record.
 */

#define PCAP_HEADER_BYTES 24u
#define RECORD_HEADER_BYTES 16u
#define PAYLOAD_BYTES 1000u
#define RECORD_BYTES (RECORD_HEADER_BYTES + PAYLOAD_BYTES)
#define N_RECORDS 8192u                 /* about 8 MB */
#define READ_BEFORE_CUT 10u
#define LINKTYPE_ETHERNET 1u
#define SNAPLEN 65535u

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool write_capture(const char *path)
{
	uint8_t hdr[PCAP_HEADER_BYTES] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
	uint8_t rec[RECORD_BYTES];
	FILE *f = fopen(path, "wb");
	bool ok;

	if (f == NULL)
		return false;
	put_le32(hdr + 16, SNAPLEN);
	put_le32(hdr + 20, LINKTYPE_ETHERNET);
	ok = fwrite(hdr, sizeof(hdr), 1, f) == 1;
	memset(rec, 0xab, sizeof(rec));
	for (uint32_t i = 0; ok && i < N_RECORDS; i++) {
		put_le32(rec, 1700000000u + i);
		put_le32(rec + 4, 0);
		put_le32(rec + 8, PAYLOAD_BYTES);
		put_le32(rec + 12, PAYLOAD_BYTES);
		ok = fwrite(rec, sizeof(rec), 1, f) == 1;
	}
	return fclose(f) == 0 && ok;
}

/* Reads path, truncating it to cut bytes after READ_BEFORE_CUT packets. */
static void run(const char *path, off_t cut, uint32_t want_packets, const char *what)
{
	struct cap_record rec;
	enum cap_status st;
	struct capfile *cf;
	uint32_t packets = 0;
	char err[256];
	bool notcap;

	if (!tap_ok(write_capture(path), "%s: sample written", what))
		return;
	cf = capfile_open(path, err, sizeof(err), &notcap);
	if (!tap_ok(cf != NULL, "%s: opens", what))
		return;
	while ((st = capfile_next(cf, &rec)) == CAP_OK) {
		if (rec.kind == CAP_REC_PACKET && ++packets == READ_BEFORE_CUT &&
		    truncate(path, cut) != 0)
			break;
	}
	TAP_EQ_I(st, CAP_IO_ERROR, "%s: reading ends with an error, not a clean end", what);
	tap_ok(strstr(capfile_error(cf), "truncated while reading") != NULL,
	       "%s: the error says 'truncated while reading' (%s)", what, capfile_error(cf));
	TAP_EQ_U(packets, want_packets, "%s: every packet before the cut was returned", what);
	capfile_close(cf);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	uint32_t half = N_RECORDS / 2;

	snprintf(path, sizeof(path), "%s/pidcap-test-shrink-%ld.pcap", tmp ? tmp : "/tmp",
		 (long)getpid());
	run(path, (off_t)PCAP_HEADER_BYTES + (off_t)half * RECORD_BYTES, half, "cut at a record boundary");
	run(path, (off_t)PCAP_HEADER_BYTES + (off_t)half * RECORD_BYTES + RECORD_BYTES / 2, half,
	    "cut inside a record");
	unlink(path);
	return tap_done();
}
