// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * policy.c - apply a parsed config to the live maps.
 *
 * Ordering is what makes a reload lossless: a guest's policy and info are
 * written before its bf_guests entry becomes visible, an existing entry is
 * overwritten in place (BPF map updates are atomic per element), and guests
 * that left the config are deleted only after every configured guest is in.
 * Guest ids stay stable across reloads (matched by name), so counters and
 * XSKMAP slots keep their meaning.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bfctl.h"

static int read_infos(int fd, struct bf_guest_info *info)
{
	__u32 id;

	for (id = 0; id < BF_MAX_GUESTS; id++)
		if (bpf_map_lookup_elem(fd, &id, &info[id]))
			return -errno;
	return 0;
}

/* Pick ids: same name keeps its id; new guests take never-used ids first. */
static int assign_ids(const struct bf_config *cfg,
		      const struct bf_guest_info *info, int *ids)
{
	bool taken[BF_MAX_GUESTS] = { false };
	unsigned int i;
	__u32 id;
	int pass;

	for (i = 0; i < cfg->n; i++) {
		ids[i] = -1;
		for (id = 0; id < BF_MAX_GUESTS; id++) {
			if (info[id].in_use &&
			    !strncmp(info[id].name, cfg->g[i].name, BF_NAME_LEN)) {
				ids[i] = id;
				taken[id] = true;
				break;
			}
		}
	}
	for (i = 0; i < cfg->n; i++) {
		for (pass = 0; pass < 2 && ids[i] < 0; pass++) {
			for (id = 0; id < BF_MAX_GUESTS; id++) {
				if (taken[id] || (pass == 0 && info[id].in_use))
					continue;
				ids[i] = id;
				taken[id] = true;
				break;
			}
		}
		if (ids[i] < 0)
			return -ENOSPC;
	}
	return 0;
}

/* Zero a per-CPU stats slot and the backend slots of a newly used id. */
static int reset_counters(const struct bf_maps *m, __u32 id)
{
	int ncpu = libbpf_num_possible_cpus();
	struct bf_backend_stats zero_be = { 0 };
	struct bf_guest_stats *zero;
	__u32 q, slot;
	int err = 0;

	if (ncpu <= 0)
		return ncpu;
	zero = calloc(ncpu, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(m->gstats, &id, zero, BPF_ANY))
		err = -errno;
	free(zero);
	for (q = 0; !err && q < BF_MAX_QUEUES; q++) {
		slot = BF_XSK_SLOT(id, q);
		if (bpf_map_update_elem(m->backend, &slot, &zero_be, BPF_ANY))
			err = -errno;
	}
	return err;
}

static bool mac_configured(const struct bf_config *cfg, const __u8 *mac)
{
	unsigned int i;

	for (i = 0; i < cfg->n; i++)
		if (!memcmp(cfg->g[i].mac, mac, 6))
			return true;
	return false;
}

static int remove_stale(const struct bf_maps *m, const struct bf_config *cfg,
			const int *ids, struct bf_guest_info *info)
{
	struct bf_mac_key key, next, stale[BF_MAX_GUESTS];
	unsigned int i, nstale = 0;
	bool keep;
	__u32 id;
	void *prev = NULL;

	while (bpf_map_get_next_key(m->guests, prev, &next) == 0) {
		if (!mac_configured(cfg, next.addr) && nstale < BF_MAX_GUESTS)
			stale[nstale++] = next;
		key = next;
		prev = &key;
	}
	for (i = 0; i < nstale; i++)
		if (bpf_map_delete_elem(m->guests, &stale[i]) && errno != ENOENT)
			return -errno;
	for (id = 0; id < BF_MAX_GUESTS; id++) {
		if (!info[id].in_use)
			continue;
		keep = false;
		for (i = 0; i < cfg->n; i++)
			if (ids[i] == (int)id)
				keep = true;
		if (keep)
			continue;
		info[id].in_use = 0;
		if (bpf_map_update_elem(m->guest_info, &id, &info[id], BPF_ANY))
			return -errno;
	}
	return 0;
}

int64_t bf_policy_apply(const struct bf_maps *m, const struct bf_config *cfg)
{
	struct bf_guest_info info[BF_MAX_GUESTS], gi;
	int ids[BF_MAX_GUESTS];
	struct bf_ctl ctl;
	unsigned int i;
	__u32 zero = 0, id;
	int err;

	if (bpf_map_lookup_elem(m->ctl, &zero, &ctl))
		return -errno;
	ctl.generation++;
	err = read_infos(m->guest_info, info);
	if (!err)
		err = assign_ids(cfg, info, ids);
	if (err)
		return err;

	for (i = 0; i < cfg->n; i++) {
		const struct bf_guest_cfg *g = &cfg->g[i];
		struct bf_policy pol = g->pol;
		struct bf_guest val = {
			.guest_id = ids[i],
			.nqueues = g->nqueues,
			.flags = BF_GUEST_F_ENABLED,
		};
		struct bf_mac_key key = { 0 };

		id = ids[i];
		if (!info[id].in_use) {
			err = reset_counters(m, id);
			if (err)
				return err;
		}
		pol.generation = (__u32)ctl.generation;
		if (bpf_map_update_elem(m->policy, &id, &pol, BPF_ANY))
			return -errno;
		memset(&gi, 0, sizeof(gi));
		memcpy(gi.name, g->name, sizeof(gi.name));
		memcpy(gi.mac, g->mac, 6);
		gi.in_use = 1;
		if (bpf_map_update_elem(m->guest_info, &id, &gi, BPF_ANY))
			return -errno;
		memcpy(key.addr, g->mac, 6);
		if (bpf_map_update_elem(m->guests, &key, &val, BPF_ANY))
			return -errno;
		info[id] = gi;
	}
	err = remove_stale(m, cfg, ids, info);
	if (err)
		return err;
	if (bpf_map_update_elem(m->ctl, &zero, &ctl, BPF_ANY))
		return -errno;
	return (int64_t)ctl.generation;
}
