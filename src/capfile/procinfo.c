/* \summary: decoder of process-information records in pcapng files */
#include "config.h"

#include <string.h>

#include "capfile/pcapng_const.h"
#include "capfile/procinfo.h"
#include "capfile/sockrec.h"

static void copy_str(char *dst, size_t dstlen, const struct cap_opt *o)
{
	cap_opt_str(o, dst, dstlen);
}

/* "key=value" with this key: copies the value into dst. */
static bool extra_value(const struct cur *v, const char *key, char *dst, size_t dstlen)
{
	size_t klen = strlen(key), n;
	struct cur t = *v;
	const uint8_t *k, *val;
	uint8_t eq;

	if (!cur_bytes(&t, klen, &k) || memcmp(k, key, klen) != 0 || !cur_u8(&t, &eq) || eq != '=')
		return false;
	n = cur_left(&t);
	if (!cur_bytes(&t, n, &val))
		return false;
	/* a NUL ends the string, as in every pcapng string */
	for (size_t i = 0; i < n; i++) {
		if (val[i] == '\0') {
			n = i;
			break;
		}
	}
	if (n > dstlen - 1)
		n = dstlen - 1;
	memcpy(dst, val, n);
	dst[n] = '\0';
	return true;
}

/* pidcap's extras in a custom option; those of other PENs are left alone. */
static void pidcap_option(struct proc_record *pr, const struct cap_opt *o)
{
	struct cur data;
	uint32_t pen;

	/* the entry is little-endian, its custom options' PENs included */
	if (o->code != PCAPNG_OPT_CUSTOM_STR_COPY || !cap_opt_custom(o, false, &pen, &data) ||
	    pen != PIDCAP_PEN)
		return;
	if (!extra_value(&data, PIDCAP_KEY_ATTRIBUTION, pr->attribution, sizeof(pr->attribution)) &&
	    !extra_value(&data, PIDCAP_KEY_CGROUP, pr->cgroup, sizeof(pr->cgroup)))
		extra_value(&data, PIDCAP_KEY_CONTAINER, pr->container, sizeof(pr->container));
}

/* Options of Wireshark's process entry; their byte order is always little-endian. */
static void wireshark_option(struct proc_record *pr, const struct cap_opt *o)
{
	struct cur v = o->val;

	switch (o->code) {
	case PCAPNG_OPT_COMMENT: pr->n_comments++; break;
	case PCAPNG_PIB_NAME: copy_str(pr->name, sizeof(pr->name), o); break;
	case PCAPNG_PIB_PATH: copy_str(pr->path, sizeof(pr->path), o); break;
	case PCAPNG_PIB_USER: copy_str(pr->user, sizeof(pr->user), o); break;
	case PCAPNG_PIB_CMDLINE:
		pr->cmdline_len = (uint32_t)(cur_left(&v) < sizeof(pr->cmdline) ? cur_left(&v)
									   : sizeof(pr->cmdline));
		cur_copy(&v, pr->cmdline, pr->cmdline_len);
		break;
	case PCAPNG_PIB_PPID:
		pr->has_ppid = cur_left(&v) == 4 && cur_le32(&v, &pr->ppid);
		pr->bad |= !pr->has_ppid;
		break;
	case PCAPNG_PIB_UID:
		pr->has_uid = cur_left(&v) == 4 && cur_le32(&v, &pr->uid);
		pr->bad |= !pr->has_uid;
		break;
	case PCAPNG_PIB_UUID:
		pr->has_uuid = cur_left(&v) == 16 && cur_copy(&v, pr->uuid, 16);
		pr->bad |= !pr->has_uuid;
		break;
	case PCAPNG_PIB_STARTTIME:
		pr->has_starttime = cur_left(&v) == 8 && cur_le64(&v, &pr->starttime_ns);
		pr->bad |= !pr->has_starttime;
		break;
	case PCAPNG_OPT_CUSTOM_STR_COPY:
		pidcap_option(pr, o);
		pr->n_custom_opts++;
		break;
	case PCAPNG_OPT_CUSTOM_BIN_COPY:
	case PCAPNG_OPT_CUSTOM_STR_NOCOPY:
	case PCAPNG_OPT_CUSTOM_BIN_NOCOPY:
		pr->n_custom_opts++;
		break;
	default:
		break;
	}
}

static bool decode_wireshark(const struct cap_record *rec, struct proc_record *pr)
{
	struct cur c = rec->u.custom.data, entry, opts;
	uint32_t type, len;
	struct cap_opt o;

	if (rec->u.custom.pen != PCAPNG_PEN_WIRESHARK)
		return false;
	if (!cur_le32(&c, &type) || type != PCAPNG_WS_ENTRY_PROCESS || !cur_le32(&c, &len) ||
	    !cur_sub(&c, len, &entry) || !cur_le32(&entry, &pr->pid))
		return false;
	pr->source = PROC_SRC_WIRESHARK;
	opts = entry;
	while (cap_opt_next(&opts, false, &o, &pr->bad))
		wireshark_option(pr, &o);
	return true;
}

static bool decode_darwin(const struct cap_record *rec, struct proc_record *pr)
{
	struct cur opts = rec->options;
	struct cap_opt o;

	pr->source = PROC_SRC_DARWIN;
	pr->pid = rec->u.darwin_pid;
	while (cap_opt_next(&opts, rec->big_endian, &o, &pr->bad)) {
		struct cur v = o.val;

		if (o.code == PCAPNG_DARWIN_PIB_NAME)
			copy_str(pr->name, sizeof(pr->name), &o);
		else if (o.code == PCAPNG_DARWIN_PIB_PATH)
			copy_str(pr->path, sizeof(pr->path), &o);
		else if (o.code == PCAPNG_DARWIN_PIB_UUID)
			pr->has_uuid = cur_left(&v) == 16 && cur_copy(&v, pr->uuid, 16);
		else if (o.code == PCAPNG_OPT_COMMENT)
			pr->n_comments++;
	}
	return true;
}

bool proc_record_decode(const struct cap_record *rec, struct proc_record *out)
{
	memset(out, 0, sizeof(*out));
	if (rec->kind == CAP_REC_CUSTOM)
		return decode_wireshark(rec, out);
	if (rec->kind == CAP_REC_DARWIN_PROCESS)
		return decode_darwin(rec, out);
	return false;
}
