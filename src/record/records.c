/* \summary: the process and socket records the recorder puts in its files */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "capfile/sockrec.h"
#include "record/records.h"

int records_write_proc(struct pcapng_writer *w, uint64_t seq, struct attr_proc *p)
{
	static struct pidcap_proc_opts o;   /* large; the recorder is single-threaded */
	const struct proc_desc *d = &p->d;
	struct pcapng_process rec = { 0 };
	char tid[16];

	if (p->written_seq == seq)
		return 0;
	snprintf(tid, sizeof(tid), "%u", p->tid);
	/* a cgroup path too long for an option is left out, not the record */
	if (pidcap_proc_opts(&o, attr_how_name(p->how), d->cgroup, d->container) == 0)
		pidcap_proc_opts(&o, attr_how_name(p->how), NULL, d->container);
	pidcap_proc_opt_add(&o, PIDCAP_KEY_TID, tid);
	rec.pid = p->pid;
	rec.name = d->comm[0] ? d->comm : NULL;
	rec.path = d->exe;
	rec.user = d->user;
	rec.cmdline = d->cmdline;
	rec.cmdline_len = d->cmdline ? d->cmdline_len : 0;
	rec.has_ppid = d->has_ppid;
	rec.ppid = d->ppid;
	rec.has_uid = d->has_uid;
	rec.uid = d->uid;
	rec.has_starttime = p->start_ns > 0;
	rec.starttime_ns = (uint64_t)p->start_ns;
	rec.custom = o.opt;
	rec.n_custom = o.n;
	if (pcapng_write_process(w, &rec) != 0)
		return -1;
	p->written_seq = seq;
	return 0;
}

int records_write_sock(struct pcapng_writer *w, uint64_t seq, struct attr_sock *s)
{
	struct sock_record r = { 0 };

	if (s->owner == NULL || s->written_seq == seq)
		return 0;
	if (records_write_proc(w, seq, s->owner) != 0)
		return -1;
	r.family = s->family == AF_INET ? 4 : 6;
	r.ip_proto = s->ip_proto;
	r.listener = s->listener || !s->has_tuple;
	r.lport = s->lport;
	r.rport = s->has_tuple ? s->rport : 0;
	memcpy(r.laddr, s->laddr, 16);
	if (s->has_tuple)
		memcpy(r.raddr, s->raddr, 16);
	r.cookie = s->cookie;
	r.pid = s->owner->pid;
	r.tid = s->owner->tid;
	r.proc_start_ns = s->owner->start_ns;
	r.first_ns = s->first_ns;
	r.last_ns = 0;   /* still open: a reader extends it to its last packet */
	r.how = (uint8_t)s->how;
	if (pcapng_write_socket(w, &r) != 0)
		return -1;
	s->written_seq = seq;
	return 0;
}

int records_write_darwin(struct pcapng_writer *w, uint64_t seq, struct attr_proc *p)
{
	if (p->darwin_seq == seq)
		return 0;
	if (pcapng_write_darwin_process(w, p->pid, p->d.comm, &p->darwin_index) != 0)
		return -1;
	p->darwin_seq = seq;
	return 0;
}

size_t records_comment(const struct attr_proc *p, char *buf, size_t cap)
{
	const struct proc_desc *d = &p->d;
	size_t n;
	int len;

	len = snprintf(buf, cap, "PID: %u\nCmd: %s\nArgs: ", p->pid, d->exe ? d->exe : d->comm);
	if (len < 0 || (size_t)len >= cap)
		return cap ? cap - 1 : 0;
	n = (size_t)len;
	/* argv after the program, joined by spaces as ptcpdump writes it */
	if (d->cmdline != NULL) {
		const char *arg = memchr(d->cmdline, '\0', d->cmdline_len);

		for (size_t i = arg ? (size_t)(arg - d->cmdline) + 1 : d->cmdline_len;
		     i < d->cmdline_len && n + 1 < cap; i++)
			buf[n++] = d->cmdline[i] == '\0' ? ' ' : d->cmdline[i];
	}
	buf[n] = '\0';
	return n;
}
