import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalDependencies } from '../../src/composition.js';
import { loadLocalConfig } from '../../src/config.js';
import { createLocalServer } from '../../src/local/server.js';
import type { KeyStore } from '../../src/ports.js';
import { DependencyError } from '../../src/errors.js';
import { capturingLineLogger, removeDir } from '../support/local-server.js';
import { CPIX, one, parse, PSKC } from '../support/xml.js';
import { KID_A, KID_B, SYSTEM } from '../support/requests.js';

/** A key store that fails while `failing` is set, the way S3 does when throttled or unreachable. */
class FlakyStore implements KeyStore {
  failing: DependencyError | undefined;
  readonly puts: string[] = [];
  constructor(private readonly inner: KeyStore) {}
  async put(contentId: string, kid: string, key: Buffer): Promise<void> {
    if (this.failing) throw this.failing;
    this.puts.push(`${contentId}/${kid}`);
    return this.inner.put(contentId, kid, key);
  }
  get(contentId: string, kid: string): Promise<Buffer | undefined> {
    return this.inner.get(contentId, kid);
  }
}

const REQUEST = `<cpix:CPIX id="faulty" xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList><cpix:ContentKey kid="${KID_A}"/><cpix:ContentKey kid="${KID_B}"/></cpix:ContentKeyList><cpix:DRMSystemList><cpix:DRMSystem kid="${KID_A}" systemId="${SYSTEM.hlsAes128}"><cpix:URIExtXKey/></cpix:DRMSystem><cpix:DRMSystem kid="${KID_B}" systemId="${SYSTEM.hlsAes128}"><cpix:URIExtXKey/></cpix:DRMSystem></cpix:DRMSystemList></cpix:CPIX>`;

describe('local server with a failing key store', () => {
  it('answers 503 (no partial document) while the store fails, then the same keys once it recovers', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'speke-faults-'));
    const config = loadLocalConfig({ SPEKE_DATA_DIR: dataDir, PORT: '0' });
    const app = await createLocalDependencies(config);
    const store = new FlakyStore(app.keyStore);
    app.keyStore = store;
    const server = createLocalServer({ app, keyStore: store, logger: capturingLineLogger([]) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app.core.keyUrlPrefix = `${url}/keys`;
    try {
      store.failing = new DependencyError('key-store', true);
      const failed = await fetch(`${url}/copyProtection`, { method: 'POST', body: REQUEST });
      expect(failed.status).toBe(503);
      expect(await failed.text()).toBe('Key store unavailable');

      store.failing = new DependencyError('key-store', false);
      expect((await fetch(`${url}/copyProtection`, { method: 'POST', body: REQUEST })).status).toBe(500);

      store.failing = undefined;
      const ok = await fetch(`${url}/copyProtection`, { method: 'POST', body: REQUEST });
      expect(ok.status).toBe(200);
      const doc = parse(await ok.text());
      // both keys published, and each key URL serves the key of the answer
      expect(store.puts.sort()).toEqual([`faulty/${KID_A}`, `faulty/${KID_B}`].sort());
      for (const contentKey of doc.children.find((c) => c.name === 'ContentKeyList')!.children) {
        const kid = contentKey.attrs.kid!;
        const key = Buffer.from(one(contentKey, PSKC, 'PlainValue').text, 'base64');
        const drm = doc.children.find((c) => c.name === 'DRMSystemList')!.children.find((d) => d.attrs.kid === kid)!;
        const keyUrl = Buffer.from(one(drm, CPIX, 'URIExtXKey').text, 'base64').toString();
        expect(Buffer.from(await (await fetch(keyUrl)).arrayBuffer())).toEqual(key);
      }
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await removeDir(dataDir);
    }
  });
});
