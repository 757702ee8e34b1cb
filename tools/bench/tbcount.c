// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin: how many guest instructions each translation block of
 * the guest kernel's text ran. Written at QEMU's exit as lines of
 * "PC INSNS COUNT" (hex, decimal, decimal) to the file of its argument
 * out=PATH; tools/bench/tbcount.py turns them into instructions per frame
 * for each kernel or module function. Under -icount the guest's clock
 * counts the same instructions, so this is the profile of the rates the
 * benchmark measures, exactly, where perf (which hangs under -icount) can
 * only sample the host's time.
 *
 * Debian's QEMU 7.2 runs plugins but ships no qemu-plugin.h: the few calls
 * used are declared below as version 1 of its plugin API has them, and
 * QEMU refuses a plugin whose qemu_plugin_version it does not support.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
	void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
	void (*cb)(qemu_plugin_id_t, void *), void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define KERNEL_TEXT	0xffff800000000000ULL
#define SLOTS		(1U << 22)	/* open addressing, never resized */

struct block {
	uint64_t pc, insns, count;
};

static struct block *blocks;
static unsigned int used;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *out_path = "tbcount.txt";

/* The block of (@pc, @insns): a retranslation adds to the same count. */
static struct block *block_get(uint64_t pc, uint64_t insns)
{
	uint64_t i = ((pc ^ insns << 56) * 0x9e3779b97f4a7c15ULL) >> 42;

	for (;; i = (i + 1) & (SLOTS - 1)) {
		struct block *b = &blocks[i];

		if (b->pc == pc && b->insns == insns)
			return b;
		if (!b->pc) {
			if (used >= SLOTS / 2)
				return NULL;
			used++;
			b->pc = pc;
			b->insns = insns;
			return b;
		}
	}
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t pc = qemu_plugin_tb_vaddr(tb);
	struct block *b;

	if (pc < KERNEL_TEXT)
		return;
	pthread_mutex_lock(&lock);
	b = block_get(pc, qemu_plugin_tb_n_insns(tb));
	pthread_mutex_unlock(&lock);
	if (b)
		qemu_plugin_register_vcpu_tb_exec_inline(tb,
			QEMU_PLUGIN_INLINE_ADD_U64, &b->count, 1);
}

static void write_out(qemu_plugin_id_t id, void *userdata)
{
	FILE *f = fopen(out_path, "w");
	unsigned int i;

	if (!f) {
		perror(out_path);
		return;
	}
	for (i = 0; i < SLOTS; i++)
		if (blocks[i].count)
			fprintf(f, "%llx %llu %llu\n",
				(unsigned long long)blocks[i].pc,
				(unsigned long long)blocks[i].insns,
				(unsigned long long)blocks[i].count);
	if (used >= SLOTS / 2)
		fprintf(stderr, "tbcount: table full, some blocks not counted\n");
	fclose(f);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "out=", 4)) {
			fprintf(stderr, "tbcount: unknown argument %s\n", argv[i]);
			return -1;
		}
		out_path = argv[i] + 4;
	}
	blocks = calloc(SLOTS, sizeof(*blocks));
	if (!blocks)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	qemu_plugin_register_atexit_cb(id, write_out, NULL);
	return 0;
}
