import { ConfigError, LAMBDA_ENV, loadLambdaConfig, loadLocalConfig } from '../../../src/config.js';

const LAMBDA = { SPEKE_KEY_BUCKET: 'keys', SPEKE_KEY_URL_PREFIX: 'https://cdn.example.com/k', SPEKE_MASTER_SECRET_ID: 'speke/master' };

describe('SPEKE_ALLOW_EXPIRED_CERTIFICATES', () => {
  it('defaults to refusing expired certificates', () => {
    expect(loadLocalConfig({}).allowExpiredCertificates).toBe(false);
    expect(loadLambdaConfig(LAMBDA).allowExpiredCertificates).toBe(false);
  });

  it('reads true and false', () => {
    expect(loadLocalConfig({ SPEKE_ALLOW_EXPIRED_CERTIFICATES: 'true' }).allowExpiredCertificates).toBe(true);
    expect(loadLambdaConfig({ ...LAMBDA, SPEKE_ALLOW_EXPIRED_CERTIFICATES: 'true' }).allowExpiredCertificates).toBe(true);
    expect(loadLocalConfig({ SPEKE_ALLOW_EXPIRED_CERTIFICATES: 'false' }).allowExpiredCertificates).toBe(false);
  });

  it('refuses any other value, naming the variable', () => {
    expect(() => loadLocalConfig({ SPEKE_ALLOW_EXPIRED_CERTIFICATES: 'yes' })).toThrow(ConfigError);
    expect(() => loadLambdaConfig({ ...LAMBDA, SPEKE_ALLOW_EXPIRED_CERTIFICATES: '1' })).toThrow(
      'SPEKE_ALLOW_EXPIRED_CERTIFICATES must be true or false (got "1")',
    );
  });

  it('is one of the Lambda environment variables', () => {
    expect(LAMBDA_ENV).toContain('SPEKE_ALLOW_EXPIRED_CERTIFICATES');
  });
});
