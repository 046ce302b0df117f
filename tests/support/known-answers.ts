import { createHash } from 'node:crypto';
import { benchContext, BENCH_MASTER_SECRET_BYTES } from '../../bench/context.js';
import { benchCases, fixedIv, fixedKid, v2Document, type BenchKey } from '../../bench/fixtures.js';
import { createDrmRegistry } from '../../src/composition.js';
import { hkdfDeriver } from '../../src/keys/content-key-deriver.js';
import { answerCpix, readCpixRequest } from '../../src/speke/answer.js';

/** A document with the core's answer to it: its name, body and X-Speke-Version header. */
export interface KnownAnswerCase {
  name: string;
  body: Buffer;
  header: string | undefined;
  settings?: Parameters<typeof createDrmRegistry>[0];
}

/**
 * The documents of the known-answer test: the bench's (a)–(f), and (b)-shaped requests whose
 * content ID, Widevine provider, PlayReady LA_URL and FairPlay key URI template hold non-ASCII
 * text and XML specials, with and without explicitIV.
 */
export function knownAnswerCases(): KnownAnswerCase[] {
  const cases: KnownAnswerCase[] = benchCases().map((c) => ({ name: `bench (${c.id})`, body: c.body, header: c.spekeVersionHeader }));
  const keys = (withIv: boolean): BenchKey[] =>
    ['VIDEO', 'AUDIO'].map((t) => ({
      kid: fixedKid(`known/${t}`),
      trackType: t,
      filter: t === 'VIDEO' ? '<cpix:VideoFilter/>' : '<cpix:AudioFilter/>',
      ...(withIv ? { explicitIV: fixedIv(`known/${t}`) } : {}),
    }));
  const settings = {
    widevineProvider: 'prövider & «co»',
    playReadyLaUrl: 'https://lä.example.com/rightsmanager.asmx?a=1&b=ü',
    fairPlayKeyUriTemplate: 'skd://ключ/{contentId}/{kidHex}?iv={iv}&h={ivHex}&k={kid}',
  };
  for (const live of [true, false]) {
    const contentId = `Ünïcødé &amp; &lt;&quot;quoted&quot;&gt; ${live ? 'live' : 'vod'} 😀`;
    const body = Buffer.from(v2Document({ contentId, keys: keys(live), live }), 'utf8');
    cases.push({ name: `non-ASCII settings, ${live ? 'live, explicitIV' : 'VOD, derived IVs'}`, body, header: '2.0', settings });
    cases.push({ name: `non-ASCII content ID, default settings, ${live ? 'live' : 'VOD'}`, body, header: '2.0' });
  }
  const v1 = benchCases().find((c) => c.id === 'a')!;
  const v1Body = v1.body.toString('utf8').replace('id="live-hls-channel-1"', 'id="chaîne/1 &amp; ü?x=1#y 😀"');
  cases.push({ name: 'v1, non-ASCII content ID', body: Buffer.from(v1Body, 'utf8'), header: undefined, settings });
  return cases;
}

/**
 * The DeliveryDataList of an encrypted answer holds RSA-OAEP output, randomized by OpenSSL itself
 * whatever the entropy port gives (and what is computed over it); the content keys' encrypted
 * values, under the document key from the fixed entropy, are repeatable.
 */
const DELIVERY_DATA_LIST = /<cpix:DeliveryDataList>[^]*<\/cpix:DeliveryDataList>/;

/**
 * SHA-256 of the answer's headers and body, each case in a fresh context (fixed entropy and clock);
 * an encrypted answer's DeliveryDataList is left out (masked), being random.
 */
export function answerDigest(c: KnownAnswerCase): string {
  const context = { ...benchContext(), ...(c.settings ? { registry: createDrmRegistry(c.settings) } : {}) };
  const prepared = readCpixRequest({ body: c.body, spekeVersionHeader: c.header }, context);
  const answer = answerCpix(prepared, context, hkdfDeriver(BENCH_MASTER_SECRET_BYTES, prepared.contentId), c.header);
  return createHash('sha256')
    .update(JSON.stringify(answer.headers))
    .update('\n')
    .update(answer.body.replace(DELIVERY_DATA_LIST, '(DeliveryDataList)'))
    .digest('hex');
}
