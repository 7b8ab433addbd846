/* \summary: reads capture files and Zeek's logs for the decoder tests */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/community_id.h"
#include "trace.h"

#define PROTO_ICMP    1
#define PROTO_TCP     6
#define PROTO_UDP     17
#define PROTO_ICMPV6  58

const char *trace_path(const char *rel)
{
	static char buf[4096];
	const char *s = getenv("SRCDIR");

	snprintf(buf, sizeof(buf), "%s/%s", s != NULL && s[0] != '\0' ? s : PIDCAP_SRCDIR, rel);
	return buf;
}

bool trace_each(const char *path, trace_fn fn, void *ctx)
{
	char err[256];
	bool notcap;
	struct capfile *cf = capfile_open(path, err, sizeof(err), &notcap);
	struct cap_record rec;
	enum cap_status st;

	if (cf == NULL) {
		printf("# %s: %s\n", path, err);
		return false;
	}
	while ((st = capfile_next(cf, &rec)) == CAP_OK) {
		if (rec.kind != CAP_REC_PACKET)
			continue;
		fn(ctx, capfile_interface(cf, rec.u.pkt.iface)->linktype, &rec.u.pkt);
	}
	capfile_close(cf);
	return st == CAP_END;
}

static void format_addr(char *out, size_t n, uint8_t version, const uint8_t *a)
{
	inet_ntop(version == 6 ? AF_INET6 : AF_INET, a, out, (socklen_t)n);
}

void tuple_key(char *out, uint8_t version, uint8_t proto, const uint8_t *a, uint16_t ap,
	       const uint8_t *b, uint16_t bp)
{
	size_t alen = version == 6 ? 16 : 4;
	int cmp = memcmp(a, b, alen);
	char sa[64], sb[64];

	if (cmp > 0 || (cmp == 0 && ap > bp)) {
		const uint8_t *t = a;
		uint16_t tp = ap;

		a = b;
		b = t;
		ap = bp;
		bp = tp;
	}
	format_addr(sa, sizeof(sa), version, a);
	format_addr(sb, sizeof(sb), version, b);
	snprintf(out, TUPLE_BYTES, "%u %s:%u %s:%u", proto, sa, ap, sb, bp);
}

bool tuple_key_text(char *out, uint8_t proto, const char *a, uint16_t ap, const char *b, uint16_t bp)
{
	uint8_t ab[16] = { 0 }, bb[16] = { 0 };
	uint8_t version = strchr(a, ':') ? 6 : 4;
	int af = version == 6 ? AF_INET6 : AF_INET;

	if (inet_pton(af, a, ab) != 1 || inet_pton(af, b, bb) != 1)
		return false;
	tuple_key(out, version, proto, ab, ap, bb, bp);
	return true;
}

void tuple_of(char *out, const struct ip_endpoints *ep)
{
	uint16_t sp = ep->sport, dp = ep->dport;

	if (ep->proto == PROTO_ICMP || ep->proto == PROTO_ICMPV6)
		community_id_icmp_ports(ep->proto, (uint8_t)sp, (uint8_t)dp, &sp, &dp);
	tuple_key(out, ep->version, ep->proto, ep->src, sp, ep->dst, dp);
}

bool strset_has(const struct strset *set, const char *s)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->s[i], s) == 0)
			return true;
	return false;
}

bool strset_add(struct strset *set, const char *s)
{
	if (strset_has(set, s))
		return false;
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->s = realloc(set->s, set->cap * sizeof(*set->s));
		if (set->s == NULL)
			abort();
	}
	set->s[set->n++] = strdup(s);
	return true;
}

void strset_free(struct strset *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->s[i]);
	free(set->s);
	memset(set, 0, sizeof(*set));
}

char *trace_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		if (f)
			fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Splits a tab-separated line in place; answers the number of fields. */
static int split_tabs(char *line, char **field, int max)
{
	int n = 0;

	while (n < max) {
		field[n++] = line;
		line = strchr(line, '\t');
		if (line == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

static int column(char **names, int n, const char *want)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], want) == 0)
			return i;
	return -1;
}

static uint8_t proto_of(const char *name, const char *addr, const char *ip_proto)
{
	if (ip_proto != NULL && strcmp(ip_proto, "-") != 0)
		return (uint8_t)atoi(ip_proto);
	if (strcmp(name, "tcp") == 0)
		return PROTO_TCP;
	if (strcmp(name, "udp") == 0)
		return PROTO_UDP;
	if (strcmp(name, "icmp") == 0)
		return strchr(addr, ':') ? PROTO_ICMPV6 : PROTO_ICMP;
	return 0;
}

#define ZEEK_MAX_FIELDS 64

bool zeek_log_tuples(const char *path, struct strset *set)
{
	char *text = trace_slurp(path), *line, *next, *names[ZEEK_MAX_FIELDS], *f[ZEEK_MAX_FIELDS];
	char key[TUPLE_BYTES];
	int nn = 0, oh = -1, op = -1, rh = -1, rp = -1, pr = -1, ipp = -1, n;

	if (text == NULL)
		return false;
	for (line = text; line != NULL && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "#fields\t", 8) == 0) {
			nn = split_tabs(line + 8, names, ZEEK_MAX_FIELDS);
			oh = column(names, nn, "id.orig_h");
			op = column(names, nn, "id.orig_p");
			rh = column(names, nn, "id.resp_h");
			rp = column(names, nn, "id.resp_p");
			pr = column(names, nn, "proto");
			ipp = column(names, nn, "ip_proto");
			continue;
		}
		if (line[0] == '#' || oh < 0 || op < 0 || rh < 0 || rp < 0 || pr < 0)
			continue;
		n = split_tabs(line, f, ZEEK_MAX_FIELDS);
		if (n != nn)
			continue;
		if (tuple_key_text(key, proto_of(f[pr], f[oh], ipp >= 0 ? f[ipp] : NULL), f[oh],
				   (uint16_t)atoi(f[op]), f[rh], (uint16_t)atoi(f[rp])))
			strset_add(set, key);
	}
	free(text);
	return true;
}

static bool field_after(const char *line, const char *name, char *out, size_t outlen)
{
	const char *p = strstr(line, name);
	size_t n = 0;

	if (p == NULL)
		return false;
	p += strlen(name);
	while (*p && *p != ',' && *p != '/' && *p != ']' && n + 1 < outlen)
		out[n++] = *p++;
	out[n] = '\0';
	return n > 0;
}

bool zeek_conn_id_parse(const char *line, struct zeek_conn_id *id, const char **rest)
{
	char num[16];
	const char *end;

	if (line[0] != '[' || (end = strstr(line, "ctx=[]]")) == NULL)
		return false;
	if (!field_after(line, "orig_h=", id->orig_h, sizeof(id->orig_h)) ||
	    !field_after(line, "resp_h=", id->resp_h, sizeof(id->resp_h)))
		return false;
	if (!field_after(line, "orig_p=", num, sizeof(num)))
		return false;
	id->orig_p = (uint16_t)atoi(num);
	if (!field_after(line, "resp_p=", num, sizeof(num)))
		return false;
	id->resp_p = (uint16_t)atoi(num);
	if (!field_after(line, "proto=", num, sizeof(num)))
		return false;
	id->proto = (uint8_t)atoi(num);
	*rest = end + strlen("ctx=[]]");
	return true;
}
