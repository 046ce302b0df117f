import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { SYSTEM_IDS } from '../drm/system-ids.js';
import type { RequestFacts } from '../speke/answer.js';

const SYSTEM_NAMES = new Map<string, string>(Object.entries(SYSTEM_IDS).map(([name, id]) => [id, name]));

export type Outcome = 'success' | 'client-error' | 'server-error';

export function outcomeOf(status: number): Outcome {
  return status < 400 ? 'success' : status < 500 ? 'client-error' : 'server-error';
}

/**
 * CloudWatch metrics (EMF) for one request: Requests by SPEKE version and outcome, KeysIssued,
 * Duration, ClientErrors / ServerErrors by reason, and one DrmSystemRequests per DRM system asked
 * for. Dimensions take only fixed, low-cardinality values (never a content ID or KID).
 */
export function recordRequestMetrics(metrics: Metrics, entry: { facts: RequestFacts; status: number; durationMs: number; reason?: string }): void {
  const { facts, status, durationMs, reason } = entry;
  const outcome = outcomeOf(status);
  metrics.addDimensions({ SpekeVersion: facts.spekeVersion ?? 'unknown', Outcome: outcome });
  metrics.addMetric('Requests', MetricUnit.Count, 1);
  metrics.addMetric('Duration', MetricUnit.Milliseconds, durationMs);
  if (outcome === 'success') {
    metrics.addMetric('KeysIssued', MetricUnit.Count, facts.keyCount ?? 0);
    for (const systemId of facts.systemIds ?? []) {
      const single = metrics.singleMetric();
      single.addDimension('DrmSystem', SYSTEM_NAMES.get(systemId) ?? 'other');
      single.addMetric('DrmSystemRequests', MetricUnit.Count, 1);
    }
  } else {
    const single = metrics.singleMetric();
    single.addDimension('Reason', reason ?? 'unknown');
    single.addMetric(outcome === 'client-error' ? 'ClientErrors' : 'ServerErrors', MetricUnit.Count, 1);
  }
}
