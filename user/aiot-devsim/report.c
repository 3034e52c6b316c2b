// SPDX-License-Identifier: GPL-2.0
/*
 * aiot-devsim: per-device outcome lines and the totals, as text or JSON.
 */
#include <stdio.h>
#include <string.h>

#include "devsim.h"

static const char *mode_name(const struct dsim_dev *d)
{
	if (!d->authenticated)
		return "-";
	return d->mode == AKA_MODE_MUTUAL ? "mutual" : "one-way";
}

static const char *cause_name(uint8_t cause)
{
	const char *n = cause ? aka_cause_name(cause) : NULL;

	return n ? n : "-";
}

static void tid_hex(const struct dsim_dev *d, char *out)
{
	int i;

	if (!d->has_tid) {
		strcpy(out, "-");
		return;
	}
	for (i = 0; i < AKA_TID_LEN; i++)
		sprintf(out + 2 * i, "%02x", d->tid[i]);
}

void report_device_line(const struct dsim *s, const struct dsim_dev *d,
			bool strict_tid)
{
	char tid[2 * AKA_TID_LEN + 1];

	tid_hex(d, tid);
	printf("device %s outcome %s cause %s mode %s sid 0x%08x suite %s "
	       "attempts %u resyncs %u retransmissions %u tid %s%s "
	       "frames-tx %u frames-rx %u frames-bad %u replayed %u "
	       "commands %u rekeys %u state %s auth-ms %llu %s\n",
	       d->pid, dsim_outcome_name(d->outcome), cause_name(d->cause),
	       mode_name(d), d->key_ok ? d->sid : 0,
	       d->key_ok ? dsim_suite_name(d->suite) : "-", d->attempts,
	       d->resyncs, d->retransmissions, tid,
	       d->tid_rotated ? " (rotated)" :
	       d->authenticated && !d->tid_assigned ? " (not assigned)" : "",
	       d->frames_tx, d->frames_rx, d->frames_bad, d->frames_replayed,
	       d->commands, d->rekeys, dsim_state_name(d->state),
	       d->authenticated ? (unsigned long long)(d->t_auth - d->t_start)
				: 0ULL,
	       dsim_dev_expected(s, d, strict_tid) ? "ok" : "UNEXPECTED");
}

void report_text(const struct dsim *s, const struct dsim_totals *t,
		 const struct report_info *ri, bool verbose)
{
	unsigned int c;
	size_t i;

	if (verbose)
		for (i = 0; i < s->ndevs; i++)
			report_device_line(s, &s->devs[i], ri->strict_tid);
	printf("devices %lu attack %s expected %lu unexpected %lu\n",
	       t->devices, ri->attack, t->expected, t->devices - t->expected);
	printf("authenticated %lu (one-way %lu, mutual %lu) suci-hellos %lu "
	       "resyncs %lu attempts %lu retransmissions %lu\n",
	       t->authenticated, t->one_way, t->mutual, t->suci, t->resyncs,
	       t->attempts, t->retransmissions);
	printf("rejected");
	for (c = 1; c <= AKA_CAUSE_MAX; c++)
		if (t->rejected[c])
			printf(" %s %lu", aka_cause_name((uint8_t)c),
			       t->rejected[c]);
	printf(" (by the device: %lu)\n", t->refused);
	printf("timeouts %lu errors %lu\n", t->timeouts, t->errors);
	printf("tid assigned %lu rotated %lu missing %lu\n", t->tid_assigned,
	       t->tid_rotated, t->tid_missing);
	printf("frames sent %lu received %lu (data %lu) bad %lu replayed %lu "
	       "commands %lu\n", t->frames_tx, t->frames_rx, t->frames_rx_data,
	       t->frames_bad, t->frames_replayed, t->commands);
	printf("rekeys %lu failed %lu\n", t->rekeys, t->rekeys_failed);
	printf("auth messages sent %lu received %lu unknown %lu malformed %lu "
	       "unexpected %lu\n", t->auth_tx, t->auth_rx, t->rx_unknown,
	       t->rx_malformed, t->rx_unexpected);
	if (ri->io)
		printf("air tx %lu tx-errors %lu tx-lost %lu tx-delayed %lu "
		       "rx %lu rx-lost %lu rx-otherhost %lu\n", ri->io->tx,
		       ri->io->tx_err, ri->io->tx_lost, ri->io->tx_delayed,
		       ri->io->rx, ri->io->rx_lost, ri->io->rx_otherhost);
	printf("elapsed %.3f s cpu %.3f s seed %llu\n", ri->elapsed, ri->cpu,
	       (unsigned long long)ri->seed);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

void report_json(const struct dsim *s, const struct dsim_totals *t,
		 const struct report_info *ri, bool verbose)
{
	char tid[2 * AKA_TID_LEN + 1];
	unsigned int c;
	bool first = true;
	size_t i;

	printf("{\"dev\":");
	json_str(ri->dev);
	printf(",\"attack\":\"%s\",\"seed\":%llu,\"loss\":%g,\"reorder\":%g,"
	       "\"devices\":%lu,\"expected\":%lu,\"unexpected\":%lu,"
	       "\"authenticated\":%lu,\"one_way\":%lu,\"mutual\":%lu,"
	       "\"suci_hellos\":%lu,\"resyncs\":%lu,\"attempts\":%lu,"
	       "\"retransmissions\":%lu,\"rejected\":{",
	       ri->attack, (unsigned long long)ri->seed, ri->loss, ri->reorder,
	       t->devices, t->expected, t->devices - t->expected,
	       t->authenticated, t->one_way, t->mutual, t->suci, t->resyncs,
	       t->attempts, t->retransmissions);
	for (c = 1; c <= AKA_CAUSE_MAX; c++) {
		if (!t->rejected[c])
			continue;
		printf("%s\"%s\":%lu", first ? "" : ",",
		       aka_cause_name((uint8_t)c), t->rejected[c]);
		first = false;
	}
	printf("},\"rejected_by_device\":%lu,\"timeouts\":%lu,\"errors\":%lu,"
	       "\"tid_assigned\":%lu,\"tid_rotated\":%lu,\"tid_missing\":%lu,"
	       "\"frames_tx\":%lu,\"frames_rx\":%lu,\"frames_bad\":%lu,"
	       "\"frames_replayed\":%lu,\"commands\":%lu,\"auth_tx\":%lu,"
	       "\"auth_rx\":%lu,\"rx_unknown\":%lu,\"rx_malformed\":%lu,"
	       "\"rx_unexpected\":%lu,\"frames_rx_data\":%lu,\"rekeys\":%lu,"
	       "\"rekeys_failed\":%lu,",
	       t->refused, t->timeouts, t->errors, t->tid_assigned,
	       t->tid_rotated, t->tid_missing, t->frames_tx, t->frames_rx,
	       t->frames_bad, t->frames_replayed, t->commands, t->auth_tx,
	       t->auth_rx, t->rx_unknown, t->rx_malformed, t->rx_unexpected,
	       t->frames_rx_data, t->rekeys, t->rekeys_failed);
	if (ri->io)
		printf("\"air\":{\"tx\":%lu,\"tx_errors\":%lu,\"tx_lost\":%lu,"
		       "\"tx_delayed\":%lu,\"rx\":%lu,\"rx_lost\":%lu,"
		       "\"rx_otherhost\":%lu},",
		       ri->io->tx, ri->io->tx_err, ri->io->tx_lost,
		       ri->io->tx_delayed, ri->io->rx, ri->io->rx_lost,
		       ri->io->rx_otherhost);
	printf("\"elapsed_s\":%.3f,\"cpu_s\":%.3f", ri->elapsed, ri->cpu);
	if (verbose) {
		printf(",\"device_results\":[");
		for (i = 0; i < s->ndevs; i++) {
			const struct dsim_dev *d = &s->devs[i];

			tid_hex(d, tid);
			printf("%s{\"pid\":", i ? "," : "");
			json_str(d->pid);
			printf(",\"outcome\":\"%s\",\"cause\":\"%s\","
			       "\"mode\":\"%s\",\"sid\":%u,\"suite\":\"%s\","
			       "\"attempts\":%u,\"resyncs\":%u,"
			       "\"retransmissions\":%u,\"tid\":\"%s\","
			       "\"tid_rotated\":%s,\"frames_tx\":%u,"
			       "\"frames_rx\":%u,\"frames_bad\":%u,"
			       "\"frames_replayed\":%u,\"commands\":%u,"
			       "\"rekeys\":%u,\"expected\":%s}",
			       dsim_outcome_name(d->outcome),
			       cause_name(d->cause), mode_name(d),
			       d->key_ok ? d->sid : 0,
			       d->key_ok ? dsim_suite_name(d->suite) : "-",
			       d->attempts, d->resyncs, d->retransmissions,
			       tid, d->tid_rotated ? "true" : "false",
			       d->frames_tx, d->frames_rx, d->frames_bad,
			       d->frames_replayed, d->commands, d->rekeys,
			       dsim_dev_expected(s, d, ri->strict_tid) ?
			       "true" : "false");
		}
		printf("]");
	}
	printf("}\n");
}
