// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bifrost-host - Bifrost's user-space I/O backend.
 *
 * Synopsis: host_usage() (host_opts.c); bifrost-host(8)
 * (host-afxdp/bifrost-host.8) and docs/operating.md repeat it, and
 * tests/host/t_docs.sh keeps the three equal.
 *
 * --cvm makes the backend treat the guest as a confidential VM: it touches
 * guest buffers only inside the listed shared ranges (guest-physical,
 * e.g. the swiotlb pool) and the ranges the guest registers in band for its
 * ZCED pool (vhost/zced_reg.h); anything else is a counted violation.
 *
 * Guests are looked up by name in the policy bifrostctl attached to IFACE;
 * their queues' AF_XDP sockets go into the pinned XSKMAP. Policy follows
 * `bifrostctl reload` live; counters appear in `bifrostctl stats`.
 *
 * With --config FILE the guests are those of IFACE in FILE that have a
 * port; the pid goes to BF_PIDFILE_FMT and SIGHUP re-reads FILE: guests
 * added are served, removed ones stopped, changed ones restarted, the
 * others left alone; a bad file keeps the guests served (logged, counted);
 * a new or changed guest whose port does not open fails the reload (logged
 * at error level, counted; the others are served, the next reload retries).
 *
 * Under systemd (Type=notify) it says READY=1 once every guest's port (tap,
 * or vhost-user socket listening) is open and the worker runs, RELOADING=1
 * then READY=1 around a SIGHUP reload, and STOPPING=1 on SIGTERM/SIGINT
 * (sd_notify.h).
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel_features.h"
#include "maps.h"
#include "reload_status.h"
#include "host_opts.h"
#include "log.h"
#include "sd_notify.h"
#include "util.h"
#include "vhost/virtq.h"
#include "worker.h"

/* A guest being served: what it was started from, and its runtime. */
struct served {
	struct host_guest opt;
	struct bf_guest_rt rt;
};

struct host {
	struct host_opts o;
	struct bf_worker w;
	struct served *s[BF_MAX_GUESTS];
	unsigned int n;
	struct bf_guest_rt *rt[BF_MAX_GUESTS];	/* the worker's guest list */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* One more of a reload counter the worker reports (bf_worker reloads). */
static void count(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* Fills id, MAC and queue count of guest g->name from the pinned maps;
 * 0, or -errno with err. */
static int lookup_guest(const char *ifname, struct bf_guest_rt *g, char *err, size_t errlen)
{
	struct bf_guest_info info;
	struct bf_mac_key key = { 0 };
	struct bf_guest ge;
	struct bf_maps m;
	__u32 id;
	int found = 0, ret;

	ret = bf_maps_open(ifname, &m);
	if (ret == -EPROTO) {
		bf_maps_strerror(ifname, ret, err, errlen);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "Bifrost is not attached to %s "
			 "(run 'bifrostctl attach %s --config FILE')", ifname, ifname);
		return ret;
	}
	for (id = 0; id < BF_MAX_GUESTS && !found; id++) {
		if (bpf_map_lookup_elem(m.guest_info, &id, &info) || !info.in_use ||
		    strncmp(info.name, g->name, BF_NAME_LEN))
			continue;
		memcpy(key.addr, info.mac, 6);
		if (bpf_map_lookup_elem(m.guests, &key, &ge))
			break;
		g->id = id;
		memcpy(g->mac, info.mac, 6);
		g->nqueues = ge.nqueues ? ge.nqueues : 1;
		found = 1;
	}
	bf_maps_close(&m);
	if (!found)
		snprintf(err, errlen, "guest '%s' is not in the policy attached to %s",
			 g->name, ifname);
	return found ? 0 : -ENOENT;
}

/* The runtime of guest opt (policy looked up, no port yet); NULL with err. */
static struct served *served_new(const char *iface, const struct host_guest *opt,
				 char *err, size_t errlen)
{
	struct served *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->opt = *opt;
	snprintf(s->rt.name, BF_NAME_LEN, "%s", opt->c.name);
	if (lookup_guest(iface, &s->rt, err, errlen))
		goto fail;
	if (opt->c.be.vhost_user[0] && s->rt.nqueues != 1) {
		snprintf(err, errlen, "guest '%s': vhost-user ports have one queue pair; "
			 "set 'queues 1' in the policy", opt->c.name);
		goto fail;
	}
	return s;
fail:
	free(s);
	return NULL;
}

/* The id of user (or group) name: the account database's, else name as a
 * number; 0 or -ENOENT. */
static int account_id(const char *name, bool group, unsigned int *id)
{
	const struct passwd *pw = group ? NULL : getpwnam(name);
	const struct group *gr = group ? getgrnam(name) : NULL;
	unsigned long v;
	char *end;

	if (pw || gr) {
		*id = pw ? pw->pw_uid : gr->gr_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(name, &end, 10);
	if (!isdigit((unsigned char)name[0]) || *end || errno || v >= (unsigned int)-1)
		return -ENOENT;
	*id = (unsigned int)v;
	return 0;
}

/* The vhost-user socket's owner, group and mode of guest s's config line
 * (bf_sock_perm); 0, or -ENOENT with err for an unknown user or group. */
static int sock_perm(const struct served *s, struct bf_sock_perm *p, char *err, size_t errlen)
{
	const struct bf_backend_cfg *be = &s->opt.c.be;
	unsigned int id;

	*p = (struct bf_sock_perm){ .uid = (uid_t)-1, .gid = (gid_t)-1,
				    .mode = be->sock_mode_set ? be->sock_mode : -1 };
	if (be->sock_owner[0]) {
		if (account_id(be->sock_owner, false, &id)) {
			snprintf(err, errlen, "guest '%s': socket-owner '%s': no such user",
				 s->rt.name, be->sock_owner);
			return -ENOENT;
		}
		p->uid = id;
	}
	if (be->sock_group[0]) {
		if (account_id(be->sock_group, true, &id)) {
			snprintf(err, errlen, "guest '%s': socket-group '%s': no such group",
				 s->rt.name, be->sock_group);
			return -ENOENT;
		}
		p->gid = id;
	}
	return 0;
}

/* Opens s's port (a tap, or a vhost-user socket); 0 or -EIO with err. */
static int served_open(struct served *s, char *err, size_t errlen)
{
	const struct bf_backend_cfg *be = &s->opt.c.be;
	struct vq_shared sh = { .cvm = be->cvm, .n = be->nranges };
	struct bf_sock_perm perm;
	unsigned int i;

	if (be->tap[0]) {
		s->rt.port = bf_tap_port_open(be->tap, s->rt.nqueues, s->rt.mac, err, errlen);
		return s->rt.port ? 0 : -EIO;
	}
	for (i = 0; i < be->nranges && i < VQ_MAX_SHARED; i++) {
		sh.r[i].start = be->ranges[i].start;
		sh.r[i].end = be->ranges[i].end;
	}
	if (sock_perm(s, &perm, err, errlen))
		return -EIO;
	s->rt.port = bf_vhost_port_open(be->vhost_user, be->cvm ? &sh : NULL, &perm,
					err, errlen);
#ifdef BF_ADVERSARY
	if (s->rt.port && s->opt.adversary.points) {
		bf_warn("ADVERSARY MODE for guest %s: tampering "
			"with its shared memory - for tests only", s->rt.name);
		bf_vhost_port_set_adversary(s->rt.port, &s->opt.adversary);
	}
#endif
	return s->rt.port ? 0 : -EIO;
}

static void served_free(struct served *s)
{
	if (s->rt.port)
		s->rt.port->ops->destroy(s->rt.port);
	free(s);
}

/* Opens every guest of h->o; 0 or -errno with err (nothing left open). */
static int open_all(struct host *h, char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i < h->o.nguests; i++) {
		struct served *s = served_new(h->o.iface, &h->o.g[i], err, errlen);

		if (!s || served_open(s, err, errlen)) {
			if (s)
				served_free(s);
			while (h->n)
				served_free(h->s[--h->n]);
			return -EIO;
		}
		h->rt[h->n] = &s->rt;
		h->s[h->n++] = s;
	}
	return 0;
}

/* The running guest named name, or NULL. */
static struct served *find_served(const struct host *h, const char *name)
{
	unsigned int i;

	for (i = 0; i < h->n; i++)
		if (!strcmp(h->s[i]->opt.c.name, name))
			return h->s[i];
	return NULL;
}

/*
 * Reads the new guest list into no and looks up in the policy each guest
 * that is new or changed (fresh[i], others NULL). Touches nothing running;
 * 0, or -errno with err.
 */
static int reload_plan(const struct host *h, struct host_opts *no,
		       struct served **fresh, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	*no = h->o;
	ret = host_opts_load(no, err, errlen);
	if (ret)
		return ret;
	if (!no->nguests) {
		snprintf(err, errlen, "%s: no guest of %s has a port", no->config, no->iface);
		return -ENOENT;
	}
	for (i = 0; i < no->nguests; i++) {
		const struct served *old = find_served(h, no->g[i].c.name);

		fresh[i] = NULL;
		if (old && !host_guest_changed(&old->opt, &no->g[i]))
			continue;
		fresh[i] = served_new(no->iface, &no->g[i], err, errlen);
		if (!fresh[i]) {
			while (i--)
				free(fresh[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* Whether guest s stays as it is under the new list no. */
static bool kept(const struct served *s, const struct host_opts *no,
		 struct served *const *fresh)
{
	unsigned int i;

	for (i = 0; i < no->nguests; i++)
		if (!strcmp(no->g[i].c.name, s->opt.c.name))
			return !fresh[i];
	return false;
}

/* With the worker paused: stops the guests that go or change. */
static void reload_remove(struct host *h, const struct host_opts *no,
			  struct served *const *fresh)
{
	unsigned int i, n = 0;

	for (i = 0; i < h->n; i++) {
		struct served *s = h->s[i];

		if (kept(s, no, fresh)) {
			h->s[n++] = s;
			continue;
		}
		char name[BF_NAME_LEN];

		/* said once its port is closed (a tap is gone by then) */
		snprintf(name, sizeof(name), "%s", s->opt.c.name);
		bf_worker_remove_guest(&h->w, &s->rt);
		served_free(s);
		bf_info("guest %s stopped", name);
	}
	h->n = n;
}

/* With the worker paused: starts the new and changed guests; returns how
 * many could not be (each logged; the first one's reason in first). */
static unsigned int reload_add(struct host *h, const struct host_opts *no,
			       struct served **fresh, char *first, size_t firstlen)
{
	unsigned int i, failed = 0;
	char err[512];

	for (i = 0; i < no->nguests; i++) {
		if (!fresh[i])
			continue;
		if (served_open(fresh[i], err, sizeof(err)) ||
		    bf_worker_add_guest(&h->w, &fresh[i]->rt, err, sizeof(err))) {
			bf_err("reload %llu: guest %s not served: %s",
			       (unsigned long long)h->w.reloads, no->g[i].c.name, err);
			if (!failed)
				snprintf(first, firstlen, "guest %s not served: %.400s",
					 no->g[i].c.name, err);
			served_free(fresh[i]);
			failed++;
			continue;
		}
		bf_info("guest %s served", no->g[i].c.name);
		h->s[h->n++] = fresh[i];
	}
	return failed;
}

/* The answer `bifrostctl reload` waits for (reload_status.h). */
static void reload_answer(const struct host *h, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reload_answer(const struct host *h, bool ok, const char *fmt, ...)
{
	struct bf_reload_status st = { .seq = h->w.reloads, .ok = ok };
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(st.msg, sizeof(st.msg), fmt, ap);
	va_end(ap);
	ret = bf_reload_status_write(h->o.iface, &st);
	if (ret)
		bf_warn("cannot write the reload status of %s: %s", h->o.iface, strerror(-ret));
}

/* SIGHUP: the guests of the config file as it is now (see the top). */
static void host_reload(struct host *h)
{
	static struct host_opts no;
	static struct served *fresh[BF_MAX_GUESTS];
	unsigned int failed;
	char err[512], first[512] = "";

	count(&h->w.reloads);
	if (reload_plan(h, &no, fresh, err, sizeof(err))) {
		count(&h->w.reload_failures);
		bf_err("reload %llu failed, still serving %u guest(s) (%llu failed reloads): %s",
		       (unsigned long long)h->w.reloads, h->n,
		       (unsigned long long)h->w.reload_failures, err);
		reload_answer(h, false, "%s; still serving %u guest(s)", err, h->n);
		return;
	}
	bf_worker_pause(&h->w);
	reload_remove(h, &no, fresh);
	failed = reload_add(h, &no, fresh, first, sizeof(first));
	h->o = no;
	bf_worker_resume(&h->w);
	if (failed) {
		count(&h->w.reload_failures);
		bf_err("reload %llu failed: %u guest(s) not served, serving %u guest(s) on %s "
		       "(%llu failed reloads; the next reload retries them)",
		       (unsigned long long)h->w.reloads, failed, h->n, h->o.iface,
		       (unsigned long long)h->w.reload_failures);
		reload_answer(h, false, "%u guest(s) not served (%s), serving %u guest(s)",
			      failed, first, h->n);
		return;
	}
	bf_info("reload %llu done: serving %u guest(s) on %s",
		(unsigned long long)h->w.reloads, h->n, h->o.iface);
	reload_answer(h, true, "serving %u guest(s)", h->n);
}

/* Writes our pid where `bifrostctl reload` finds it (config mode only). */
static void write_pidfile(const struct host *h)
{
	char path[256];
	FILE *f;

	/* reload 0, the start, first: a stale status of an earlier backend
	 * must not be what a reload sent to this pid reads */
	reload_answer(h, true, "serving %u guest(s)", h->n);
	snprintf(path, sizeof(path), BF_PIDFILE_FMT, h->o.iface);
	mkdir(BF_RUN_DIR, 0755);
	f = fopen(path, "w");
	if (!f) {
		bf_warn("cannot write %s: %s (reload by SIGHUP only)", path, strerror(errno));
		return;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

static void remove_pidfile(const struct host *h)
{
	char path[256];

	snprintf(path, sizeof(path), BF_PIDFILE_FMT, h->o.iface);
	unlink(path);
	bf_reload_status_remove(h->o.iface);
}

/* Tells systemd how the service is (sd_notify.h): the state, and for READY=1
 * what is served; not started by systemd, nothing. Logged on failure only. */
static void notify(const struct host *h, const char *state)
{
	char msg[256];
	int ret;

	if (!strcmp(state, "READY=1"))
		snprintf(msg, sizeof(msg), "READY=1\nSTATUS=serving %u guest(s) on %s",
			 h->n, h->o.iface);
	else if (!strcmp(state, "RELOADING=1"))
		snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
			 (unsigned long long)(bf_now_ns() / 1000));
	else
		snprintf(msg, sizeof(msg), "%s", state);
	ret = bf_sd_notify(msg);
	if (ret < 0)
		bf_warn("cannot tell systemd %s ($NOTIFY_SOCKET): %s", state, strerror(-ret));
}

/* Until SIGTERM/SIGINT: SIGHUP reloads the config file (and in the test
 * build, SIGUSR2 stops the hostile host). */
static void serve(struct host *h, const sigset_t *sigs)
{
	int sig;

	while (!sigwait(sigs, &sig) && (sig == SIGHUP || sig == SIGUSR2)) {
#ifdef BF_ADVERSARY
		if (sig == SIGUSR2) {	/* the test build's hostile host turns honest */
			adversary_stop();
			bf_warn("adversary: campaign stopped (SIGUSR2)");
			continue;
		}
#endif
		if (!h->o.config) {
			bf_warn("SIGHUP ignored: no --config to re-read");
			continue;
		}
		notify(h, "RELOADING=1");
		host_reload(h);
		notify(h, "READY=1");
	}
	notify(h, "STOPPING=1");
}

/*
 * Logs once, one line each, the kernel features the XDP program of the
 * interface was loaded with (its ABI record, written by bifrostctl) and
 * this backend's own, AF_XDP multi-buffer at its UMEM frame size, which it
 * records there for `bifrostctl status`.
 */
static void log_features(const struct host *h)
{
	struct bf_features ft;
	struct bf_info info;
	char line[256];
	__u32 zero = 0;
	int fd, f, ret;

	fd = bf_pin_open(h->o.iface, BF_PIN_INFO);
	ret = fd < 0 ? fd : bf_info_read(fd, &info);
	if (ret) {
		bf_warn("%s: cannot read the features of the XDP program: %s", h->o.iface,
			strerror(-ret));
		if (fd >= 0)
			close(fd);
		return;
	}
	bf_features_from_info(&ft, &info);
	ret = bf_feature_probe(BF_FEAT_XSK_SG);
	ft.state[BF_FEAT_XSK_SG] = ret < 0 ? BF_FEAT_PROBE_FAILED :
				   !ret ? BF_FEAT_UNSUPPORTED :
				   h->w.o.xsk.sg ? BF_FEAT_ON : BF_FEAT_NOT_NEEDED;
	ft.err[BF_FEAT_XSK_SG] = ret < 0 ? -ret : 0;
	ft.mtu = h->w.wire_mtu;
	info.feature_state[BF_FEAT_XSK_SG] = ft.state[BF_FEAT_XSK_SG];
	info.feature_err[BF_FEAT_XSK_SG] = ft.err[BF_FEAT_XSK_SG];
	if (bpf_map_update_elem(fd, &zero, &info, BPF_EXIST))
		bf_warn("%s: cannot record af_xdp multi-buffer: %s", h->o.iface, strerror(errno));
	close(fd);
	for (f = 0; f < BF_FEAT_COUNT; f++) {
		bf_feature_describe(&ft, f, line, sizeof(line));
		bf_info("%s", line);
	}
}

static int run(struct host *h)
{
	char err[512];
	sigset_t sigs;
	int ret;

	if (h->o.config && host_opts_load(&h->o, err, sizeof(err)))
		return bf_fail(1, "%s", err);
	if (!h->o.nguests)
		return bf_fail(1, "no guest of %s in %s has a port (vhost-user or tap)",
			   h->o.iface, h->o.config);
	if (open_all(h, err, sizeof(err)))
		return bf_fail(1, "%s", err);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	ret = bf_worker_init(&h->w, h->o.iface, &h->o.wo, h->rt, h->n, &stop, err, sizeof(err));
	if (ret) {
		bf_worker_destroy(&h->w);
		return bf_fail(1, "%s", err[0] ? err : strerror(-ret));
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
#ifdef BF_ADVERSARY
	sigaddset(&sigs, SIGUSR2);	/* adversary_stop() */
#endif
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);	/* the worker inherits it */
	ret = bf_worker_start(&h->w);
	if (ret)
		return bf_fail(1, "cannot start worker: %s", strerror(-ret));
	if (h->o.config)
		write_pidfile(h);
	log_features(h);
	bf_info("serving %u guest(s) on %s queue %u", h->n, h->o.iface, h->o.wo.nic_queue);
	notify(h, "READY=1");	/* every port open (open_all), the worker running */
	if (!stop)
		serve(h, &sigs);
	else
		notify(h, "STOPPING=1");
	stop = 1;
	bf_worker_join(&h->w);
	bf_info("worker 0 cpu_ns %llu loops %llu",
		(unsigned long long)h->w.cpu_ns, (unsigned long long)h->w.loops);
	bf_worker_destroy(&h->w);
	if (h->o.config)
		remove_pidfile(h);
	while (h->n)
		served_free(h->s[--h->n]);
	return 0;
}

int main(int argc, char **argv)
{
	static struct host h;
	char err[512];
	int ret;

	bf_log_init("bifrost-host");
	bf_log_libbpf();
	ret = host_opts_parse(argc, argv, &h.o, err, sizeof(err));
	if (h.o.help && !ret) {
		host_usage(stdout);
		return 0;
	}
	if (ret == 2 && !err[0])
		host_usage(stderr);
	else if (ret)
		bf_err("%s", err);
	return ret ? ret : run(&h);
}
