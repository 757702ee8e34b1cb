// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Ladders, as ladder.h describes them: collected per flow, then drawn as
 * text (fixed-width lanes) and as hand-written SVG, from the same rows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "ladder.h"
#include "report.h"

#define RS_NOTE_HEAD	160
#define RS_NOTE_TEXT	512
#define RS_LANE		58	/* text: columns between the two lifelines */
#define RS_SVG_MAX	1000	/* ladders drawn in one SVG document */

/* SVG geometry, in pixels. */
#define SVG_W		1500
#define SVG_CLIENT_X	190
#define SVG_SERVER_X	690
#define SVG_ROW		26
#define SVG_LINE	15
#define SVG_HEAD	64
#define SVG_COLS	100	/* characters of a note line */

struct rs_note {
	char head[RS_NOTE_HEAD];	/* labels, Zeek's view */
	char text[RS_NOTE_TEXT];	/* the explanation */
};

struct rs_ladder {
	char client[64], server[64];
	unsigned long skipped;	/* segments of the flow before the first row */
	u32 n, cap;		/* rows */
	u32 after;		/* segments since the last RST */
	u32 nnotes;
	bool cut;		/* written full, the flow going on */
	u32 base[2];		/* relative numbers start here, per direction */
	bool base_known[2];
	struct rs_note *notes;
	struct rs_lseg rows[];
};

bool rs_ladders_init(struct rs_ladders *l, u32 depth, FILE *text, bool svg)
{
	memset(l, 0, sizeof(*l));
	l->depth = depth;
	l->text = text;
	if (svg) {
		l->svg = open_memstream(&l->svg_buf, &l->svg_len);
		if (!l->svg)
			return false;
	}
	return true;
}

struct rs_ring *rs_ring_new(const struct rs_ladders *l)
{
	return calloc(1, sizeof(struct rs_ring) +
			 l->depth * sizeof(struct rs_lseg));
}

static void rs_ring_push(struct rs_ladders *l, struct rs_ring *ring,
			 const struct rs_lseg *seg)
{
	ring->seg[ring->head] = *seg;
	ring->head = (ring->head + 1) % l->depth;
	if (ring->count < l->depth)
		ring->count++;
	ring->seen++;
}

static struct rs_ladder *rs_ladder_open(struct rs_ladders *l,
					const struct rs_flow *f)
{
	const struct rs_ring *ring = f->ring;
	struct rs_ladder *ld;
	u32 cap = 4 * l->depth + 1;

	ld = calloc(1, sizeof(*ld) + cap * sizeof(ld->rows[0]));
	if (!ld)
		return NULL;
	ld->cap = cap;
	rs_endpoint_str(ld->client, sizeof(ld->client), f->family, &f->client);
	rs_endpoint_str(ld->server, sizeof(ld->server), f->family, &f->server);
	ld->skipped = ring->seen - ring->count;
	for (u32 i = 0; i < ring->count; i++) {
		u32 slot = (ring->head + l->depth - ring->count + i) % l->depth;

		ld->rows[ld->n++] = ring->seg[slot];
	}
	return ld;
}

static bool rs_ladder_note(struct rs_ladder *ld, const struct rs_flow *f,
			   const struct sslv_rst_info *info)
{
	struct rs_note *notes, *note;
	int len;

	notes = realloc(ld->notes, (ld->nnotes + 1) * sizeof(*notes));
	if (!notes)
		return false;
	ld->notes = notes;
	note = &notes[ld->nnotes];
	len = snprintf(note->head, sizeof(note->head), "RST %s %s %s %s %s",
		       sslv_rst_sender_label(info->sender),
		       sslv_rst_phase_label(info->phase),
		       sslv_rst_kind_label(info->kind),
		       sslv_rst_ttl_label(info->ttl),
		       sslv_rst_seq_label(info->seq_fit));
	for (unsigned int bit = 0; bit < SSLV_RST_NCAUSES; bit++)
		if (info->causes & 1u << bit && len > 0 &&
		    (size_t)len < sizeof(note->head))
			len += snprintf(note->head + len,
					sizeof(note->head) - len, " %s",
					sslv_rst_cause_label(1u << bit));
	if (len > 0 && (size_t)len < sizeof(note->head))
		snprintf(note->head + len, sizeof(note->head) - len,
			 "; Zeek %s %s", rs_zeek_conn_state(&f->zeek),
			 f->zeek.history);
	rs_explain(note->text, sizeof(note->text), info);
	ld->nnotes++;
	return true;
}

/* Relative numbers start where Zeek's do: a SYN's seq, else seq - 1. */
static void rs_ladder_bases(struct rs_ladder *ld, const struct rs_flow *f)
{
	for (int d = 0; d < 2; d++) {
		if (!f->zeek.e[d].seen)
			continue;
		ld->base[d] = f->zeek.e[d].start_seq;
		ld->base_known[d] = true;
	}
}

static void rs_flags_str(char *buf, u8 flags)
{
	char *p = buf;

	if (flags & SSLV_TH_SYN)
		*p++ = 'S';
	if (flags & SSLV_TH_FIN)
		*p++ = 'F';
	if (flags & SSLV_TH_RST)
		*p++ = 'R';
	if (flags & SSLV_TH_PSH)
		*p++ = 'P';
	if (flags & SSLV_TH_ACK)
		*p++ = '.';
	if (p == buf)
		*p++ = 'x';	/* tcpdump's "none" */
	*p = '\0';
}

/* "[S.] seq 0 ack 1 len 0": tcpdump's flags, Wireshark's relative numbers */
static void rs_arrow_label(char *buf, size_t size, const struct rs_ladder *ld,
			   const struct rs_lseg *s)
{
	char flags[8];
	int len;

	rs_flags_str(flags, s->flags);
	len = snprintf(buf, size, "[%s] seq %u", flags,
		       ld->base_known[s->dir] ? s->seq - ld->base[s->dir] :
						s->seq);
	if (s->flags & SSLV_TH_ACK && len > 0 && (size_t)len < size)
		len += snprintf(buf + len, size - len, " ack %u",
				ld->base_known[!s->dir] ?
				s->ack - ld->base[!s->dir] : s->ack);
	if (len > 0 && (size_t)len < size)
		snprintf(buf + len, size - len, " len %u", s->len);
}

static void rs_time_rel(char *buf, size_t size, long long us)
{
	snprintf(buf, size, "%s%lld.%06lld", us < 0 ? "-" : "",
		 (us < 0 ? -us : us) / 1000000, (us < 0 ? -us : us) % 1000000);
}

static void rs_ladder_text(struct rs_ladders *l, const struct rs_ladder *ld)
{
	FILE *out = l->text;
	char label[96], when[32];
	const char *sep = "";

	fprintf(out, "\nladder %s -> %s, %s", ld->client, ld->server,
		ld->nnotes > 1 ? "RSTs at frames" : "RST at frame");
	for (u32 i = 0; i < ld->n; i++) {
		if (ld->rows[i].note < 0)
			continue;
		fprintf(out, "%s %lu", sep, ld->rows[i].frame);
		sep = ",";
	}
	fprintf(out, "\n%6s %10s  %-*s%s\n", "frame", "time", RS_LANE + 1,
		"client", "server");
	fprintf(out, "%6s %10s  %-*s%s\n", "", "", RS_LANE + 1, ld->client,
		ld->server);
	if (ld->skipped)
		fprintf(out, "%6s %10s  (%lu earlier segments)\n", "...", "",
			ld->skipped);
	for (u32 i = 0; i < ld->n; i++) {
		const struct rs_lseg *s = &ld->rows[i];
		char fill = s->note >= 0 ? '=' : '-';
		int llen, left, right;

		rs_arrow_label(label, sizeof(label), ld, s);
		llen = (int)strlen(label) + 2;
		left = (RS_LANE - 2 - llen) / 2;
		right = RS_LANE - 2 - llen - left;
		rs_time_rel(when, sizeof(when), s->ts_us - l->first_us);
		fprintf(out, "%6lu %10s  |", s->frame, when);
		if (s->dir == SSLV_DIR_REPLY)
			fputc('<', out);
		else
			fputc(fill, out);
		for (int k = 0; k < left; k++)
			fputc(fill, out);
		fprintf(out, " %s ", label);
		for (int k = 0; k < right; k++)
			fputc(fill, out);
		fputc(s->dir == SSLV_DIR_ORIG ? '>' : fill, out);
		fputc('|', out);
		if (s->note >= 0)
			fprintf(out, "  %s\n%*s%s", ld->notes[s->note].head,
				6 + 1 + 10 + 2 + RS_LANE + 2 + 2, "",
				ld->notes[s->note].text);
		fputc('\n', out);
	}
	if (ld->cut)
		fprintf(out, "%6s %10s  (the flow goes on)\n", "...", "");
}

static void rs_xml(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

/* One line of text at (@x, @y), in the notes' colour. */
static void rs_svg_note_line(FILE *out, int x, u32 y, const char *s, size_t n)
{
	char buf[RS_NOTE_TEXT];

	snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
	fprintf(out, "<text x=\"%d\" y=\"%u\" fill=\"#900\">", x, y);
	rs_xml(out, buf);
	fputs("</text>\n", out);
}

/*
 * The explanation, one clause ("; "-separated) a line, lines longer than
 * SVG_COLS broken at a space: SVG text does not wrap by itself.
 */
static u32 rs_svg_clauses(FILE *out, const char *text, int x, u32 y)
{
	char buf[RS_NOTE_TEXT], *clause, *save = NULL;
	u32 lines = 0;

	snprintf(buf, sizeof(buf), "%s", text);
	for (clause = strtok_r(buf, ";", &save); clause;
	     clause = strtok_r(NULL, ";", &save)) {
		size_t len;

		while (*clause == ' ')
			clause++;
		len = strlen(clause);
		while (len > SVG_COLS) {
			size_t cut = SVG_COLS;

			while (cut > SVG_COLS / 2 && clause[cut] != ' ')
				cut--;
			if (clause[cut] != ' ')
				cut = SVG_COLS;
			rs_svg_note_line(out, x, y + lines++ * SVG_LINE, clause,
					 cut);
			clause += cut;
			len -= cut;
			while (*clause == ' ') {
				clause++;
				len--;
			}
		}
		rs_svg_note_line(out, x, y + lines++ * SVG_LINE, clause, len);
	}
	return lines;
}

static void rs_ladder_svg(struct rs_ladders *l, const struct rs_ladder *ld)
{
	FILE *out = l->svg;
	u32 top = l->svg_y, y = top + SVG_HEAD;
	char label[96], when[32];

	if (l->svg_written >= RS_SVG_MAX) {
		l->svg_dropped++;
		return;
	}
	l->svg_written++;
	fprintf(out, "<g class=\"ladder\">\n<text x=\"10\" y=\"%u\" "
		"font-weight=\"bold\" font-size=\"14\">", top + 22);
	rs_xml(out, ld->client);
	fputs(" -&gt; ", out);
	rs_xml(out, ld->server);
	fputs("</text>\n", out);
	fprintf(out, "<text x=\"%d\" y=\"%u\" text-anchor=\"middle\">client ",
		SVG_CLIENT_X, top + 44);
	rs_xml(out, ld->client);
	fprintf(out, "</text>\n<text x=\"%d\" y=\"%u\" text-anchor=\"middle\">"
		"server ", SVG_SERVER_X, top + 44);
	rs_xml(out, ld->server);
	fputs("</text>\n", out);
	if (ld->skipped) {
		fprintf(out, "<text x=\"10\" y=\"%u\" fill=\"#666\">"
			"(%lu earlier segments)</text>\n", y, ld->skipped);
		y += SVG_ROW;
	}
	for (u32 i = 0; i < ld->n; i++) {
		const struct rs_lseg *s = &ld->rows[i];
		bool rst = s->note >= 0;
		int x1 = s->dir == SSLV_DIR_ORIG ? SVG_CLIENT_X : SVG_SERVER_X;
		u32 lines = 1;

		rs_arrow_label(label, sizeof(label), ld, s);
		rs_time_rel(when, sizeof(when), s->ts_us - l->first_us);
		fprintf(out, "<text x=\"10\" y=\"%u\" fill=\"#666\">%lu</text>"
			"<text x=\"70\" y=\"%u\" fill=\"#666\">%s</text>\n",
			y + 4, s->frame, y + 4, when);
		fprintf(out, "<line x1=\"%d\" y1=\"%u\" x2=\"%d\" y2=\"%u\" "
			"stroke=\"%s\" stroke-width=\"%s\" "
			"marker-end=\"url(#%s)\"/>\n", x1, y + 6,
			x1 == SVG_CLIENT_X ? SVG_SERVER_X - 2 : SVG_CLIENT_X + 2,
			y + 6, rst ? "#c00" : "#333", rst ? "2.5" : "1.2",
			rst ? "rst" : "seg");
		fprintf(out, "<text x=\"%d\" y=\"%u\" text-anchor=\"middle\"%s>",
			(SVG_CLIENT_X + SVG_SERVER_X) / 2, y + 1,
			rst ? " fill=\"#c00\" font-weight=\"bold\"" : "");
		rs_xml(out, label);
		fputs("</text>\n", out);
		if (rst) {
			const struct rs_note *n = &ld->notes[s->note];

			fprintf(out, "<text x=\"%d\" y=\"%u\" fill=\"#c00\" "
				"font-weight=\"bold\">", SVG_SERVER_X + 20, y + 4);
			rs_xml(out, n->head);
			fputs("</text>\n", out);
			lines += rs_svg_clauses(out, n->text, SVG_SERVER_X + 20,
						y + 4 + SVG_LINE);
		}
		y += SVG_ROW + (lines - 1) * SVG_LINE;
	}
	if (ld->cut) {
		fprintf(out, "<text x=\"10\" y=\"%u\" fill=\"#666\">"
			"(the flow goes on)</text>\n", y);
		y += SVG_ROW;
	}
	/* The lifelines, under the arrows' ends. */
	fprintf(out, "<line x1=\"%d\" y1=\"%u\" x2=\"%d\" y2=\"%u\" "
		"stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n"
		"<line x1=\"%d\" y1=\"%u\" x2=\"%d\" y2=\"%u\" "
		"stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n</g>\n",
		SVG_CLIENT_X, top + 50, SVG_CLIENT_X, y - SVG_ROW / 2,
		SVG_SERVER_X, top + 50, SVG_SERVER_X, y - SVG_ROW / 2);
	l->svg_y = y + SVG_ROW;
}

unsigned long rs_ladder_frame(const struct rs_flow *f)
{
	const struct rs_ladder *ld = f->ladder;

	if (!ld)
		return 0;
	for (u32 i = 0; i < ld->n; i++)
		if (ld->rows[i].note >= 0)
			return ld->rows[i].frame;
	return 0;
}

void rs_ladders_flow_end(struct rs_ladders *l, struct rs_flow *f)
{
	struct rs_ladder *ld = f->ladder;

	if (!ld)
		return;
	f->ladder = NULL;
	if (l->text)
		rs_ladder_text(l, ld);
	if (l->svg)
		rs_ladder_svg(l, ld);
	l->written++;
	free(ld->notes);
	free(ld);
}

bool rs_ladders_segment(struct rs_ladders *l, struct rs_flow *f,
			const struct rs_pkt *pkt, int dir, unsigned long frame,
			long long ts_us, const struct sslv_rst_info *info)
{
	struct rs_lseg seg = {
		.frame = frame,
		.ts_us = ts_us,
		.seq = pkt->seg.seq,
		.ack = pkt->seg.ack,
		.len = pkt->seg.len,
		.flags = pkt->seg.flags,
		.dir = (u8)dir,
		.note = -1,
	};
	struct rs_ladder *ld = f->ladder;

	if (ld && ld->n == ld->cap) {
		ld->cut = true;
		rs_ladders_flow_end(l, f);
		ld = NULL;
	}
	if (info && !ld) {
		ld = rs_ladder_open(l, f);
		if (!ld)
			return false;
		f->ladder = ld;
	}
	if (ld) {
		if (info) {
			if (!rs_ladder_note(ld, f, info))
				return false;
			seg.note = (int16_t)(ld->nnotes - 1);
			ld->after = 0;
		} else {
			ld->after++;
		}
		ld->rows[ld->n++] = seg;
		rs_ladder_bases(ld, f);
	}
	rs_ring_push(l, f->ring, &seg);
	if (ld && !info && ld->after >= l->depth) {
		ld->cut = true;
		rs_ladders_flow_end(l, f);
	}
	return true;
}

bool rs_ladders_write_svg(struct rs_ladders *l, const char *path)
{
	FILE *out;
	u32 h;

	if (fflush(l->svg))
		return false;
	h = l->svg_y ? l->svg_y : 60;
	if (l->svg_dropped)
		h += SVG_ROW;
	out = fopen(path, "w");
	if (!out)
		return false;
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%u\" viewBox=\"0 0 %d %u\" font-family=\"monospace\" "
		"font-size=\"12\">\n"
		"<title>rstscope ladders</title>\n<defs>\n"
		"<marker id=\"seg\" markerWidth=\"10\" markerHeight=\"8\" "
		"refX=\"10\" refY=\"4\" orient=\"auto\" markerUnits=\"userSpaceOnUse\">"
		"<path d=\"M0,0 L10,4 L0,8 z\" fill=\"#333\"/></marker>\n"
		"<marker id=\"rst\" markerWidth=\"12\" markerHeight=\"10\" "
		"refX=\"12\" refY=\"5\" orient=\"auto\" markerUnits=\"userSpaceOnUse\">"
		"<path d=\"M0,0 L12,5 L0,10 z\" fill=\"#c00\"/></marker>\n"
		"</defs>\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		SVG_W, h, SVG_W, h);
	if (!l->svg_written)
		fputs("<text x=\"10\" y=\"30\">no RST in the capture</text>\n",
		      out);
	fwrite(l->svg_buf, 1, l->svg_len, out);
	if (l->svg_dropped)
		fprintf(out, "<text x=\"10\" y=\"%u\">(%lu more ladders not "
			"drawn: at most %d a document)</text>\n", h - 10,
			l->svg_dropped, RS_SVG_MAX);
	fputs("</svg>\n", out);
	if (ferror(out)) {
		fclose(out);
		errno = EIO;
		return false;
	}
	return fclose(out) == 0;
}

void rs_ladders_free(struct rs_ladders *l)
{
	if (l->svg)
		fclose(l->svg);
	free(l->svg_buf);
	memset(l, 0, sizeof(*l));
}
