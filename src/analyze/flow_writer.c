/* \summary: bounded batch queue from the ingest thread to a SQLite writer thread */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "analyze/flow_writer.h"

#define BATCH_FLOWS 512u
#define BATCHES 8u          /* in flight: 8 x 512 records of 336 bytes = ~1.3 MiB */

struct batch {
	uint32_t n;
	struct flow_record recs[BATCH_FLOWS];
};

struct flow_writer {
	struct store *s;
	int64_t capture_id;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	pthread_mutex_t db;             /* whoever holds it may use the connection */
	struct batch *slots[BATCHES];   /* ring of full batches */
	uint32_t head, count;
	struct batch *free_list[BATCHES];
	uint32_t n_free;
	struct batch *filling;          /* owned by the pushing thread */
	bool stopping;
	bool failed;                    /* written by the writer, read under lock */
	struct batch *all;              /* the BATCHES + 1 batches, one allocation */
};

static void *writer_main(void *arg)
{
	struct flow_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct batch *b;
		bool failed;

		while (w->count == 0 && !w->stopping)
			pthread_cond_wait(&w->changed, &w->lock);
		if (w->count == 0)
			break;
		b = w->slots[w->head];
		w->head = (w->head + 1) % BATCHES;
		w->count--;
		failed = w->failed;
		pthread_mutex_unlock(&w->lock);
		for (uint32_t i = 0; i < b->n && !failed; i++) {
			/* per row, so the reader never waits longer than one insert */
			pthread_mutex_lock(&w->db);
			failed = store_flow(w->s, w->capture_id, &b->recs[i]) != STORE_OK;
			pthread_mutex_unlock(&w->db);
		}
		pthread_mutex_lock(&w->lock);
		w->failed |= failed;
		b->n = 0;
		w->free_list[w->n_free++] = b;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct flow_writer *flow_writer_start(struct store *s, int64_t capture_id)
{
	struct flow_writer *w;

	/* the connection has no mutex of its own (store_open): w->db is it */
	if (sqlite3_threadsafe() == 0)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->all = calloc(BATCHES + 1, sizeof(struct batch));
	if (w->all == NULL) {
		free(w);
		return NULL;
	}
	w->s = s;
	w->capture_id = capture_id;
	for (uint32_t i = 0; i < BATCHES; i++)
		w->free_list[w->n_free++] = &w->all[i];
	w->filling = &w->all[BATCHES];
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->db, NULL);
	pthread_cond_init(&w->changed, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_mutex_destroy(&w->lock);
		pthread_mutex_destroy(&w->db);
		pthread_cond_destroy(&w->changed);
		free(w->all);
		free(w);
		return NULL;
	}
	return w;
}

/* Hands the filling batch to the writer and takes an empty one. */
static void hand_over(struct flow_writer *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->n_free == 0)
		pthread_cond_wait(&w->changed, &w->lock);
	w->slots[(w->head + w->count) % BATCHES] = w->filling;
	w->count++;
	w->filling = w->free_list[--w->n_free];
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

struct flow_record *flow_writer_slot(struct flow_writer *w)
{
	return &w->filling->recs[w->filling->n];
}

void flow_writer_commit(struct flow_writer *w)
{
	if (++w->filling->n == BATCH_FLOWS)
		hand_over(w);
}

void flow_writer_lock_db(struct flow_writer *w)
{
	pthread_mutex_lock(&w->db);
}

void flow_writer_unlock_db(struct flow_writer *w)
{
	pthread_mutex_unlock(&w->db);
}

bool flow_writer_failed(struct flow_writer *w)
{
	bool failed;

	pthread_mutex_lock(&w->lock);
	failed = w->failed;
	pthread_mutex_unlock(&w->lock);
	return failed;
}

int flow_writer_finish(struct flow_writer *w)
{
	bool failed;

	if (w->filling->n > 0)
		hand_over(w);
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	failed = w->failed;
	pthread_mutex_destroy(&w->lock);
	pthread_mutex_destroy(&w->db);
	pthread_cond_destroy(&w->changed);
	free(w->all);
	free(w);
	return failed ? STORE_ERROR : STORE_OK;
}
