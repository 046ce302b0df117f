/**
 * The core alone, bundled by esbuild with the Lambda bundle's settings (bench/lambda-warm.ts), so
 * that the warm Lambda figure has its own core next to it in the same process: request bytes in,
 * CPIX answer out (readCpixRequest → HKDF keys → answerCpix), no Powertools, no edge, no I/O.
 */
import { hkdfDeriver } from '../src/keys/content-key-deriver.js';
import { answerCpix, readCpixRequest } from '../src/speke/answer.js';
import { BENCH_MASTER_SECRET_BYTES, benchContext } from './context.js';

const context = benchContext();

export function answerCore(body: Buffer, spekeVersionHeader: string | undefined): string {
  const prepared = readCpixRequest({ body, spekeVersionHeader }, context);
  return answerCpix(prepared, context, hkdfDeriver(BENCH_MASTER_SECRET_BYTES, prepared.contentId), spekeVersionHeader).body;
}
