/* \summary: reads capture files and Zeek's logs for the decoder tests */
#ifndef PIDCAP_TESTS_TRACE_H
#define PIDCAP_TESTS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capfile/capfile.h"
#include "decode/decode.h"

/* path under the source tree ($SRCDIR, else the configure-time one). */
const char *trace_path(const char *rel);

/* Calls fn for every packet of the file; false when it cannot be read. */
typedef void (*trace_fn)(void *ctx, uint32_t linktype, const struct cap_packet *pkt);
bool trace_each(const char *path, trace_fn fn, void *ctx);

/* A connection as Zeek names it, endpoints unordered: "6 a:p b:q" with the
 * smaller endpoint (address bytes, then port) first. */
#define TUPLE_BYTES 192
void tuple_key(char *out, uint8_t version, uint8_t proto, const uint8_t *a, uint16_t ap,
	       const uint8_t *b, uint16_t bp);
/* The same from text addresses; false when an address does not parse. */
bool tuple_key_text(char *out, uint8_t proto, const char *a, uint16_t ap, const char *b, uint16_t bp);
/* The key of a decoded packet's innermost flow (ICMP ports as Zeek keys them). */
void tuple_of(char *out, const struct ip_endpoints *ep);

/* A set of strings (small, linear). */
struct strset {
	char **s;
	size_t n, cap;
};
bool strset_add(struct strset *set, const char *s);    /* false if present */
bool strset_has(const struct strset *set, const char *s);
void strset_free(struct strset *set);

/* Reads the tuples of a Zeek log (conn.log, dns.log, ...) into set. */
bool zeek_log_tuples(const char *path, struct strset *set);

/* A "[orig_h=..., orig_p=N/tcp, resp_h=..., resp_p=M/tcp, proto=P, ...]"
 * conn_id as Zeek prints it; *rest points after the closing bracket. */
struct zeek_conn_id {
	char orig_h[64], resp_h[64];
	uint16_t orig_p, resp_p;
	uint8_t proto;
};
bool zeek_conn_id_parse(const char *line, struct zeek_conn_id *id, const char **rest);

/* The whole file as a NUL-terminated string; free() it. */
char *trace_slurp(const char *path);

#endif
