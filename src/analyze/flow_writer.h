/* \summary: writing finished flows to the store on a second thread */
#ifndef PIDCAP_FLOW_WRITER_H
#define PIDCAP_FLOW_WRITER_H

#include <stdbool.h>

#include "flow/flow.h"
#include "store/store.h"

/*
 * Decoding and flow tracking run on the calling thread; inserting rows into
 * SQLite runs on a writer thread, so the two cores work at once. The flow
 * table builds each record directly in a slot of the batch being filled
 * (flow_table_set_record_slot), so a flow is written once and never
 * copied; a bounded number of batches is in flight, so a slow
 * disk makes the reader wait instead of growing memory. Rows are written in
 * the order flows were pushed. The store's other calls stay on the calling
 * thread, between flow_writer_lock_db and flow_writer_unlock_db: the
 * connection is opened without SQLite's own per-call mutex, which costs
 * more than the inserts' bookkeeping; the writer takes this lock once per
 * row instead.
 */
struct flow_writer;

/* Starts the thread. NULL when threads or memory are short: the caller then
 * writes synchronously. */
struct flow_writer *flow_writer_start(struct store *s, int64_t capture_id);

/* The slot the next record is to be built in (a flow_record_slot_fn): it
 * stays the same until flow_writer_commit. */
struct flow_record *flow_writer_slot(struct flow_writer *w);

/* Queues the record built in the slot; blocks while the queue is full. */
void flow_writer_commit(struct flow_writer *w);

/* Take and give back the connection around any other store call made while
 * the writer runs. */
void flow_writer_lock_db(struct flow_writer *w);
void flow_writer_unlock_db(struct flow_writer *w);

/* True once an insert has failed (later pushes are dropped). */
bool flow_writer_failed(struct flow_writer *w);

/* Writes what is queued, stops the thread and frees it. Returns STORE_OK or
 * STORE_ERROR if any insert failed. */
int flow_writer_finish(struct flow_writer *w);

#endif
