/**
 * In-process benchmarks of the pure core: bytes in, CPIX answer out, exactly as the entry points
 * run it (readCpixRequest → hkdfDeriver → answerCpix), without HTTP, I/O or the key store.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readXml, XML_PARSER_OPTIONS, XML_VALIDATOR_OPTIONS } from '../src/cpix/read.js';
import { writeXml } from '../src/cpix/write.js';
import { writeXmlWithXmlbuilder2 } from '../src/cpix/write-xmlbuilder2.js';
import { hkdfDeriver } from '../src/keys/content-key-deriver.js';
import {
  answerCpix,
  deriveKeys,
  parseCpixRequest,
  readCpixRequest,
  renderAnswer,
  signalDrmSystems,
  validateCpixRequest,
  writeKeyData,
  type CoreContext,
} from '../src/speke/answer.js';
import { BENCH_MASTER_SECRET_BYTES } from './context.js';
import type { BenchCase } from './fixtures.js';
import { sample, stats, warmUp, type Stats } from './harness.js';

export function answerOnce(c: BenchCase, context: CoreContext): string {
  const prepared = readCpixRequest({ body: c.body, spekeVersionHeader: c.spekeVersionHeader }, context);
  return answerCpix(prepared, context, hkdfDeriver(BENCH_MASTER_SECRET_BYTES, prepared.contentId), c.spekeVersionHeader).body;
}

export interface CaseResult {
  id: string;
  title: string;
  keys: number;
  requestBytes: number;
  answerBytes: number;
  stats: Stats;
  /** Each round's median: how stable the figure is across rounds. */
  roundMediansUs: number[];
  keysPerSecond: number;
  usPerKey: number;
  targetMedianUs?: number;
  targetMet?: boolean;
}

export interface SamplingPlan {
  rounds: number;
  /** Per case and round. */
  roundMs: number;
  warmUpMs: number;
  minSamples: number;
}

/** Samples every case in `rounds` interleaved rounds, so that background load spreads over all cases alike. */
export function benchCases(cases: BenchCase[], context: CoreContext, plan: SamplingPlan): CaseResult[] {
  for (const c of cases) warmUp(() => answerOnce(c, context), plan.warmUpMs, 5);
  const samples = new Map<string, number[]>(cases.map((c) => [c.id, []]));
  const rounds = new Map<string, number[]>(cases.map((c) => [c.id, []]));
  for (let r = 0; r < plan.rounds; r++) {
    for (const c of cases) {
      const s = sample(() => answerOnce(c, context), { minMs: plan.roundMs, minSamples: plan.minSamples });
      samples.get(c.id)!.push(...s);
      rounds.get(c.id)!.push(stats(s).medianUs);
    }
  }
  return cases.map((c) => {
    const st = stats(samples.get(c.id)!);
    return {
      id: c.id,
      title: c.title,
      keys: c.keys,
      requestBytes: c.body.length,
      answerBytes: Buffer.byteLength(answerOnce(c, context)),
      stats: st,
      roundMediansUs: rounds.get(c.id)!,
      keysPerSecond: c.keys / (st.medianUs / 1e6),
      usPerKey: st.medianUs / c.keys,
      ...(c.targetMedianUs === undefined ? {} : { targetMedianUs: c.targetMedianUs, targetMet: st.medianUs <= c.targetMedianUs }),
    };
  });
}

export const PHASES = ['read XML', 'validate', 'derive', 'signal/fill', 'key data', 'render'] as const;
export type Phase = (typeof PHASES)[number];

export interface PhaseResult {
  caseId: string;
  /** What the key-data stage does for this case. */
  keyData: 'PlainValue' | 'encrypt';
  phases: Record<Phase, { medianUs: number; meanUs: number; share: number }>;
  totalMeanUs: number;
}

/**
 * The pipeline stage by stage, each timed on its own (the same functions answerCpix and
 * readCpixRequest are made of): read XML = version, size, UTF-8, XML, CPIX view; validate = SPEKE
 * rules and DeliveryData certificates; derive = keys and IVs; signal/fill = DRM signalling into the
 * DRMSystems; key data = PlainValue or encryption; render = headers and XML text.
 * Shares are of the sum of the stages' mean times.
 */
export function benchPhases(c: BenchCase, context: CoreContext, options: { ms: number; minSamples: number }): PhaseResult {
  const times: Record<Phase, number[]> = Object.fromEntries(PHASES.map((p) => [p, []])) as unknown as Record<Phase, number[]>;
  const now = () => process.hrtime.bigint();
  const once = (record: boolean) => {
    const t0 = now();
    const parsed = parseCpixRequest({ body: c.body, spekeVersionHeader: c.spekeVersionHeader }, context);
    const t1 = now();
    const prepared = validateCpixRequest(parsed, context);
    const t2 = now();
    const derived = deriveKeys(prepared, hkdfDeriver(BENCH_MASTER_SECRET_BYTES, prepared.contentId));
    const t3 = now();
    signalDrmSystems(prepared, context, derived);
    const t4 = now();
    writeKeyData(prepared, derived);
    const t5 = now();
    renderAnswer(prepared, context, c.spekeVersionHeader);
    const t6 = now();
    if (!record) return;
    const marks = [t0, t1, t2, t3, t4, t5, t6];
    PHASES.forEach((p, i) => times[p].push(Number(marks[i + 1]! - marks[i]!) / 1e3));
  };
  warmUp(() => once(false), options.ms / 2, 5);
  sample(() => once(true), { minMs: options.ms, minSamples: options.minSamples });
  const perPhase = PHASES.map((p) => [p, stats(times[p])] as const);
  const total = perPhase.reduce((s, [, st]) => s + st.meanUs, 0);
  return {
    caseId: c.id,
    keyData: c.body.includes('DeliveryDataList') ? 'encrypt' : 'PlainValue',
    phases: Object.fromEntries(perPhase.map(([p, st]) => [p, { medianUs: st.medianUs, meanUs: st.meanUs, share: st.meanUs / total }])) as PhaseResult['phases'],
    totalMeanUs: total,
  };
}

export interface LibraryCost {
  caseId: string;
  /** XMLValidator.validate + XMLParser.parse on the request, with the reader's options (the reference reader's library part). */
  fastXmlParserUs: number;
  /** readXml, as requests are read: the one-pass reader, namespaces resolved. */
  readUs: number;
  /** The reference renderer on the finished answer tree: xmlbuilder2's DOM and serializer, plus our name bookkeeping. */
  xmlbuilder2RenderUs: number;
  /** writeXml, the renderer answers use: the same bytes written directly from the tree. */
  renderUs: number;
}

/**
 * What the two XML libraries the project mandates cost on a document, measured on their own:
 * the floor under the request time that no change to our code can lower.
 */
export function libraryCost(c: BenchCase, context: CoreContext, options: { ms: number }): LibraryCost {
  const xml = c.body.toString('utf8');
  const parser = new XMLParser(XML_PARSER_OPTIONS);
  const read = () => {
    // The validator src/cpix/read.ts runs (deprecated upstream; see the reason there).
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    XMLValidator.validate(xml, XML_VALIDATOR_OPTIONS);
    parser.parse(xml);
  };
  const prepared = readCpixRequest({ body: c.body, spekeVersionHeader: c.spekeVersionHeader }, context);
  answerCpix(prepared, context, hkdfDeriver(BENCH_MASTER_SECRET_BYTES, prepared.contentId), c.spekeVersionHeader);
  const render = () => writeXml(prepared.document.root);
  const reference = () => writeXmlWithXmlbuilder2(prepared.document.root);
  const plain = () => readXml(xml);
  warmUp(plain, options.ms / 6, 5);
  warmUp(read, options.ms / 6, 5);
  warmUp(render, options.ms / 6, 5);
  warmUp(reference, options.ms / 6, 5);
  return {
    caseId: c.id,
    fastXmlParserUs: stats(sample(read, { minMs: options.ms / 4, minSamples: 20 })).medianUs,
    readUs: stats(sample(plain, { minMs: options.ms / 4, minSamples: 20 })).medianUs,
    xmlbuilder2RenderUs: stats(sample(reference, { minMs: options.ms / 4, minSamples: 20 })).medianUs,
    renderUs: stats(sample(render, { minMs: options.ms / 4, minSamples: 20 })).medianUs,
  };
}
