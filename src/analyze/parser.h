/* \summary: the parser process's work: one capture -> decoder -> flows -> attribution -> messages */
#ifndef PIDCAP_PARSER_H
#define PIDCAP_PARSER_H

#include <stdbool.h>
#include <stdint.h>

struct parser_options {
	uint32_t max_flows;        /* flow table cap (0 = default) */
	/* Test only (PIDCAP_TEST_CRASH_AT_PACKET, test-hook build): abort() at
	 * this packet number, as a crashing dissector would; 0 = never. */
	uint64_t crash_at_packet;
	/* Test only (PIDCAP_TEST_SPIN_AT_PACKET): loop without end at this packet,
	 * as a dissector stuck in a loop would; 0 = never. */
	uint64_t spin_at_packet;
	/* Where the packet being read is published for the supervisor's crash
	 * report (a shared page: the one thing besides the pipe that the parser
	 * writes, a number only); may be NULL. */
	uint64_t *packet_counter;
	const char *sandbox;       /* the level the process reached (HELLO) */
	bool sandbox_complete;
};

/*
 * Reads the capture on in_fd (closed here) and reports everything it finds
 * as messages on out_fd (msg.h): HELLO, META, then processes, flows,
 * anomalies as they come, progress every few thousand records, and at the
 * end the process counts, sockets, interfaces and END; or FAIL when in_fd
 * holds no capture. Opens nothing and writes nothing else: it runs in the
 * parser sandbox (SANDBOX_PROFILE_PARSE). Returns 0 when every message was
 * written, -1 when the pipe broke (the writer went away).
 */
int parser_run(int in_fd, int out_fd, const struct parser_options *o);

/* Sends the frames of a parser that could not start (its sandbox failed):
 * HELLO with the level reached, then FAIL with text. */
void parser_fail(int out_fd, const char *sandbox, const char *text);

#endif
