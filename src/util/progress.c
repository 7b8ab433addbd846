/* \summary: terminal progress bar (bytes, packets/s, ETA) */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/progress.h"
#include "util/termsafe.h"
#include "util/units.h"

#define CHECK_EVERY_CALLS 4096u
#define REDRAW_NS (200ull * 1000 * 1000)
#define QUIET_START_NS (1000ull * 1000 * 1000)
#define BAR_WIDTH 30
#define LABEL_BYTES 24      /* the file name shown, escaped and cut */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * (uint64_t)NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

void progress_begin(struct progress *pg, const char *label, uint64_t total_bytes, bool allowed)
{
	const char *slash = label ? strrchr(label, '/') : NULL;

	pg->enabled = allowed && isatty(STDERR_FILENO);
	pg->drawn = false;
	pg->label = slash ? slash + 1 : label;   /* the file name, not its directory */
	pg->total_bytes = total_bytes;
	pg->start_ns = pg->last_ns = pg->enabled ? now_ns() : 0;
	pg->calls = 0;
}

static void draw(struct progress *pg, uint64_t done, uint64_t packets, uint64_t t)
{
	double secs = (double)(t - pg->start_ns) / (double)NS_PER_SEC;
	double rate = secs > 0 ? (double)packets / secs : 0;
	char bar[BAR_WIDTH + 1], label[LABEL_BYTES];

	if (pg->total_bytes > 0 && done <= pg->total_bytes) {
		double frac = (double)done / (double)pg->total_bytes;
		int fill = (int)(frac * BAR_WIDTH);
		double eta = frac > 0 ? secs / frac - secs : 0;

		for (int i = 0; i < BAR_WIDTH; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[BAR_WIDTH] = '\0';
		fprintf(stderr, "\r%s [%s] %3.0f%% %.1f/%.1f MB %.0f pkt/s ETA %.0fs  ",
			termsafe_format(label, sizeof(label), pg->label), bar, frac * 100, done / 1e6, pg->total_bytes / 1e6, rate, eta);
	} else {
		fprintf(stderr, "\r%s %.1f MB %llu packets %.0f pkt/s  ",
			termsafe_format(label, sizeof(label), pg->label), done / 1e6,
			(unsigned long long)packets, rate);
	}
	pg->drawn = true;
}

void progress_update(struct progress *pg, uint64_t done_bytes, uint64_t packets)
{
	if (!pg->enabled || ++pg->calls % CHECK_EVERY_CALLS != 0)
		return;
	progress_update_now(pg, done_bytes, packets);
}

void progress_update_now(struct progress *pg, uint64_t done_bytes, uint64_t packets)
{
	uint64_t t;

	if (!pg->enabled)
		return;
	t = now_ns();
	if (t - pg->start_ns < QUIET_START_NS || t - pg->last_ns < REDRAW_NS)
		return;
	pg->last_ns = t;
	draw(pg, done_bytes, packets, t);
}

void progress_step(struct progress *pg, uint64_t done, uint64_t total, const char *what)
{
	char bar[BAR_WIDTH + 1], label[LABEL_BYTES];
	uint64_t t;
	int fill;

	if (!pg->enabled)
		return;
	t = now_ns();
	if (t - pg->start_ns < QUIET_START_NS || t - pg->last_ns < REDRAW_NS)
		return;
	pg->last_ns = t;
	fill = total ? (int)(done * BAR_WIDTH / total) : 0;
	for (int i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r%s [%s] %llu/%llu %.24s %.0fs  ",
		termsafe_format(label, sizeof(label), pg->label), bar,
		(unsigned long long)done, (unsigned long long)total, what ? what : "",
		(double)(t - pg->start_ns) / 1e9);
	pg->drawn = true;
}

void progress_end(struct progress *pg)
{
	if (pg->drawn)
		fprintf(stderr, "\r%*s\r", 100, "");
	pg->drawn = false;
}
