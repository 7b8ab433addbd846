/* \summary: pidcap socket records: copyable Custom Blocks that describe sockets */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "capfile/pcapng_const.h"
#include "capfile/sockrec.h"
#include "util/wbuf.h"

#define MAGIC_BYTES 4u
#define ADDR_BYTES  16u
#define PAD_BYTES   3u
#define FAMILY_V4   4u
#define FAMILY_V6   6u

/* ---------------------------------------------------------------- encoding */

bool sockrec_encode(const struct sock_record *r, uint8_t out[SOCKREC_BYTES])
{
	struct wbuf o;
	uint8_t flags = (uint8_t)((r->listener ? SOCKREC_F_LISTENER : 0) |
				  (r->final ? SOCKREC_F_FINAL : 0));

	if (r->family != FAMILY_V4 && r->family != FAMILY_V6)
		return false;
	wbuf_init_fixed(&o, out, SOCKREC_BYTES);
	wbuf_put_bytes(&o, SOCKREC_MAGIC, MAGIC_BYTES);
	wbuf_put_u8(&o, SOCKREC_VERSION);
	wbuf_put_u8(&o, r->family);
	wbuf_put_u8(&o, r->ip_proto);
	wbuf_put_u8(&o, flags);
	wbuf_put_le16(&o, r->lport);
	wbuf_put_le16(&o, r->rport);
	wbuf_put_bytes(&o, r->laddr, ADDR_BYTES);
	wbuf_put_bytes(&o, r->raddr, ADDR_BYTES);
	wbuf_put_le64(&o, r->cookie);
	wbuf_put_le32(&o, r->pid);
	wbuf_put_le32(&o, r->tid);
	wbuf_put_le64(&o, (uint64_t)r->proc_start_ns);
	wbuf_put_le64(&o, (uint64_t)r->first_ns);
	wbuf_put_le64(&o, (uint64_t)r->last_ns);
	wbuf_put_u8(&o, r->how);
	wbuf_put_zeros(&o, PAD_BYTES);
	return !wbuf_failed(&o) && wbuf_len(&o) == SOCKREC_BYTES;
}

int pcapng_write_socket(struct pcapng_writer *w, const struct sock_record *r)
{
	uint8_t buf[SOCKREC_BYTES];

	if (r == NULL || !sockrec_encode(r, buf)) {
		errno = EINVAL;
		return -1;
	}
	return pcapng_write_custom(w, true, PIDCAP_PEN, buf, sizeof(buf));
}

/* ---------------------------------------------------------------- decoding */

bool sockrec_is_socket(const struct cap_record *rec)
{
	struct cur c;
	const uint8_t *magic;

	if (rec->kind != CAP_REC_CUSTOM || rec->u.custom.pen != PIDCAP_PEN)
		return false;
	c = rec->u.custom.data;
	return cur_bytes(&c, MAGIC_BYTES, &magic) && memcmp(magic, SOCKREC_MAGIC, MAGIC_BYTES) == 0;
}

static bool get_i64(struct cur *c, int64_t *out)
{
	uint64_t v;

	if (!cur_le64(c, &v))
		return false;
	*out = (int64_t)v;
	return true;
}

bool sockrec_decode(const struct cap_record *rec, struct sock_record *out)
{
	struct cur c;
	uint8_t version, flags;
	struct sock_record r = { 0 };

	if (!sockrec_is_socket(rec))
		return false;
	c = rec->u.custom.data;
	if (cur_left(&c) != SOCKREC_BYTES || !cur_skip(&c, MAGIC_BYTES) ||
	    !cur_u8(&c, &version) || version != SOCKREC_VERSION)
		return false;
	if (!cur_u8(&c, &r.family) || (r.family != FAMILY_V4 && r.family != FAMILY_V6) ||
	    !cur_u8(&c, &r.ip_proto) || !cur_u8(&c, &flags) ||
	    !cur_le16(&c, &r.lport) || !cur_le16(&c, &r.rport) ||
	    !cur_copy(&c, r.laddr, ADDR_BYTES) || !cur_copy(&c, r.raddr, ADDR_BYTES) ||
	    !cur_le64(&c, &r.cookie) || !cur_le32(&c, &r.pid) || !cur_le32(&c, &r.tid) ||
	    !get_i64(&c, &r.proc_start_ns) || !get_i64(&c, &r.first_ns) ||
	    !get_i64(&c, &r.last_ns) || !cur_u8(&c, &r.how) || !cur_skip(&c, PAD_BYTES))
		return false;
	r.listener = (flags & SOCKREC_F_LISTENER) != 0;
	r.final = (flags & SOCKREC_F_FINAL) != 0;
	*out = r;
	return true;
}

const char *sockrec_how_name(uint8_t how)
{
	switch (how) {
	case SOCKREC_HOW_EBPF: return "ebpf";
	case SOCKREC_HOW_SNAPSHOT: return "snapshot";
	case SOCKREC_HOW_PROCFS: return "procfs";
	default: return NULL;
	}
}

/* ---------------------------------------------------------------- process extras */

void pidcap_proc_opts_init(struct pidcap_proc_opts *o)
{
	o->n = 0;
}

bool pidcap_proc_opt_add(struct pidcap_proc_opts *o, const char *key, const char *value)
{
	size_t klen, vlen;
	char *t;

	if (value == NULL || value[0] == '\0')
		return true;
	klen = strlen(key);
	vlen = strlen(value);
	if (o->n >= PIDCAP_PROC_OPTS_MAX || klen > PIDCAP_PROC_KEY_MAX || vlen > PIDCAP_PROC_VALUE_MAX)
		return false;
	t = o->text[o->n];
	memcpy(t, key, klen);
	t[klen] = '=';
	memcpy(t + klen + 1, value, vlen + 1);
	o->opt[o->n] = (struct pcapng_custom_opt){ PCAPNG_OPT_CUSTOM_STR_COPY, PIDCAP_PEN, t,
						   klen + 1 + vlen };
	o->n++;
	return true;
}

size_t pidcap_proc_opts(struct pidcap_proc_opts *o, const char *attribution, const char *cgroup,
			const char *container)
{
	pidcap_proc_opts_init(o);
	if (!pidcap_proc_opt_add(o, PIDCAP_KEY_ATTRIBUTION, attribution) ||
	    !pidcap_proc_opt_add(o, PIDCAP_KEY_CGROUP, cgroup) ||
	    !pidcap_proc_opt_add(o, PIDCAP_KEY_CONTAINER, container)) {
		pidcap_proc_opts_init(o);
		return 0;
	}
	return o->n;
}
