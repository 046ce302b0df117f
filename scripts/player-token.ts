// npm run player-token -- <content ID> [--ttl <seconds>] [--data-dir <dir>] [--secret-id <id or ARN>]
//
// Prints a player token (src/keys/player-token.ts) for one content ID: a JWT (HS256) the player
// sends as `Authorization: Bearer <token>` to /clearkey/license (and, locally, /keys) when player
// tokens are on. The key is the local server's `<data dir>/player-token-key` (SPEKE_DATA_DIR,
// default .speke), or with --secret-id the stack's PlayerTokenSecret in Secrets Manager (read with
// the caller's AWS credentials). Run it in the operator's backend after its own checks of the
// viewer; a Node backend can call issuePlayerToken() directly.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseArgs } from 'node:util';
import { SecretsManagerSecret } from '../src/adapters/secrets-manager-secret.js';
import { localPlayerTokenKey } from '../src/composition.js';
import { DEFAULT_PLAYER_TOKEN_TTL_SECONDS, issuePlayerToken } from '../src/keys/player-token.js';

const USAGE = 'usage: npm run player-token -- <content ID> [--ttl <seconds, default 300>] [--data-dir <dir>] [--secret-id <id or ARN>]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { ttl: { type: 'string' }, 'data-dir': { type: 'string' }, 'secret-id': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [contentId, ...rest] = positionals;
  if (values.help || contentId === undefined || rest.length > 0 || (values['data-dir'] && values['secret-id'])) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const ttl = Number(values.ttl ?? DEFAULT_PLAYER_TOKEN_TTL_SECONDS);
  const source = values['secret-id']
    ? new SecretsManagerSecret(new SecretsManagerClient({}), values['secret-id'], 0)
    : await localPlayerTokenKey(values['data-dir'] ?? process.env.SPEKE_DATA_DIR ?? '.speke', { create: false }).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        throw new Error(
          `No player-token key at ${(error as NodeJS.ErrnoException).path ?? 'the data folder'}: start the server with SPEKE_PLAYER_TOKENS=true first, or pass its --data-dir`,
        );
      });
  console.log(await issuePlayerToken(await source.masterSecret(), contentId, ttl));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
