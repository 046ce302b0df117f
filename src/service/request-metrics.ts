import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { SYSTEM_IDS } from '../drm/system-ids.js';
import type { RequestFacts } from '../speke/answer.js';

const SYSTEM_NAMES = new Map<string, string>(Object.entries(SYSTEM_IDS).map(([name, id]) => [id, name]));

export type Outcome = 'success' | 'client-error' | 'server-error';

export function outcomeOf(status: number): Outcome {
  return status < 400 ? 'success' : status < 500 ? 'client-error' : 'server-error';
}

/** The metric counting requests that asked for a DRM system: `DrmSystemRequests.<name>` (`other` for an unknown system ID). */
export function drmSystemMetricName(systemId: string): string {
  return `DrmSystemRequests.${SYSTEM_NAMES.get(systemId) ?? 'other'}`;
}

/**
 * CloudWatch metrics (EMF) for one request, all in the one record the Metrics object flushes after
 * the invocation (no single-metric records, no Metrics object built per request):
 * - Requests, Duration and, on success, KeysIssued and one `DrmSystemRequests.<name>` per DRM
 *   system asked for, by SpekeVersion and Outcome;
 * - on a refusal or a fault, ClientErrors / ServerErrors, also by Reason (a second dimension set).
 * An EMF record holds one value per dimension, so the DRM system is in the metric's name rather
 * than a DrmSystem dimension. Dimensions take only fixed, low-cardinality values (never a content
 * ID or KID).
 */
export function recordRequestMetrics(metrics: Metrics, entry: { facts: RequestFacts; status: number; durationMs: number; reason?: string }): void {
  const { facts, status, durationMs, reason } = entry;
  const outcome = outcomeOf(status);
  metrics.addDimensions({ SpekeVersion: facts.spekeVersion ?? 'unknown', Outcome: outcome });
  metrics.addMetric('Requests', MetricUnit.Count, 1);
  metrics.addMetric('Duration', MetricUnit.Milliseconds, durationMs);
  if (outcome === 'success') {
    metrics.addMetric('KeysIssued', MetricUnit.Count, facts.keyCount ?? 0);
    for (const systemId of facts.systemIds ?? []) metrics.addMetric(drmSystemMetricName(systemId), MetricUnit.Count, 1);
  } else {
    metrics.addDimensions({ Reason: reason ?? 'unknown' });
    metrics.addMetric(outcome === 'client-error' ? 'ClientErrors' : 'ServerErrors', MetricUnit.Count, 1);
  }
}
