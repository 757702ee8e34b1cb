/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Ladders: the sequence diagram of a flow around its RSTs, client on the
 * left, server on the right, one arrow per segment (flags, relative seq and
 * ack, payload length), each RST marked with its labels and explanation.
 *
 * Each flow keeps its last N segments (struct rs_ring). An RST opens a
 * ladder for its flow with them; the segments that follow are added until
 * N have come after the flow's last RST, or the flow ends (a new
 * connection on its ports, eviction, the end of the capture); then the
 * ladder is written, as text and/or as SVG. An RST while a ladder is open
 * joins it: one ladder shows a flow's RSTs that come close together. A
 * ladder holds at most 4N + 1 segments; past that it is written and the
 * next RST opens another.
 */
#ifndef RSTSCOPE_LADDER_H
#define RSTSCOPE_LADDER_H

#include <stdio.h>

#include "rst.h"
#include "flows.h"

#define RS_LADDER_DEPTH_DEFAULT	8
#define RS_LADDER_DEPTH_MAX	1000

struct rs_lseg {
	unsigned long frame;
	long long ts_us;
	u32 seq, ack, len;
	u8 flags;		/* SSLV_TH_* */
	u8 dir;			/* SSLV_DIR_* */
	int16_t note;		/* index of its RST note, -1 for none */
};

/* A flow's last segments; allocated with the flow when ladders are on. */
struct rs_ring {
	u32 head;		/* next slot */
	u32 count;		/* slots in use, at most the depth */
	unsigned long seen;	/* segments of the flow so far */
	struct rs_lseg seg[];
};

struct rs_ladders {
	u32 depth;		/* N */
	FILE *text;		/* ladders as text here, or NULL */
	FILE *svg;		/* SVG body (memory stream), or NULL */
	char *svg_buf;
	size_t svg_len;
	u32 svg_y;		/* height of the SVG body so far */
	unsigned long written, svg_written, svg_dropped;
	long long first_us;	/* capture start: times are relative to it */
};

/* Ladders of @depth segments, as text on @text and/or as SVG; false: ENOMEM */
bool rs_ladders_init(struct rs_ladders *l, u32 depth, FILE *text, bool svg);

/* The ring a flow needs (free() it), or NULL when out of memory. */
struct rs_ring *rs_ring_new(const struct rs_ladders *l);

/*
 * Account one segment of @f sent by @dir, after the flow's Zeek view has
 * seen it; @info is the classifier's verdict when it is an RST, else NULL.
 * false when out of memory.
 */
bool rs_ladders_segment(struct rs_ladders *l, struct rs_flow *f,
			const struct rs_pkt *pkt, int dir, unsigned long frame,
			long long ts_us, const struct sslv_rst_info *info);

/* The frame of the first RST of @f's open ladder; 0 when none is open. */
unsigned long rs_ladder_frame(const struct rs_flow *f);

/* @f ends (new connection, eviction, end of capture): write its ladder. */
void rs_ladders_flow_end(struct rs_ladders *l, struct rs_flow *f);

/* Write the SVG document to @path; false (errno set) when it cannot. */
bool rs_ladders_write_svg(struct rs_ladders *l, const char *path);

void rs_ladders_free(struct rs_ladders *l);

#endif /* RSTSCOPE_LADDER_H */
