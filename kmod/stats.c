// SPDX-License-Identifier: GPL-2.0
/*
 * Per-cpu counters and /proc/net/sslv_stats: one "name value" line each, in
 * SSLV_STATS order, then the gauges. Packet-path increments are a single
 * this_cpu_inc; readers sum over the possible CPUs.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "sslv.h"

const char *const sslv_stat_names[SSLV_ST_MAX] = {
#define SSLV_STAT_NAME(name) [SSLV_ST_##name] = #name,
	SSLV_STATS(SSLV_STAT_NAME)
#undef SSLV_STAT_NAME
};

u64 sslv_stat_read(const struct sslv_net *sn, enum sslv_stat i)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(sn->stats, cpu)->v[i]);
	return sum;
}

void sslv_stats_reset(struct sslv_net *sn)
{
	int cpu, i;

	for_each_possible_cpu(cpu)
		for (i = 0; i < SSLV_ST_MAX; i++)
			WRITE_ONCE(per_cpu_ptr(sn->stats, cpu)->v[i], 0);
}

static int sslv_stats_show(struct seq_file *m, void *v)
{
	struct sslv_net *sn = sslv_pernet(seq_file_single_net(m));
	int i;

	for (i = 0; i < SSLV_ST_MAX; i++)
		seq_printf(m, "%s %llu\n", sslv_stat_names[i],
			   sslv_stat_read(sn, i));
	seq_printf(m, "flows_current %u\n", atomic_read(&sn->ft.count));
	seq_printf(m, "flows_max %u\n", READ_ONCE(sn->ft.max_flows));
	seq_printf(m, "flows_buckets %u\n", sslv_flow_nbuckets(sn));
	return 0;
}

int sslv_stats_init(struct net *net, struct sslv_net *sn)
{
	sn->stats = alloc_percpu(struct sslv_stats);
	if (!sn->stats)
		return -ENOMEM;
	if (!proc_create_net_single("sslv_stats", 0444, net->proc_net,
				    sslv_stats_show, NULL)) {
		free_percpu(sn->stats);
		return -ENOMEM;
	}
	return 0;
}

void sslv_stats_exit(struct net *net, struct sslv_net *sn)
{
	remove_proc_entry("sslv_stats", net->proc_net);
	free_percpu(sn->stats);
}
