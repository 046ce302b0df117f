/**
 * How the template refers to the master secret everywhere (function environment, IAM grants,
 * output): the generated secret, or ExistingMasterSecretArn when the stack uses another region's
 * replica (see cross-region-secret.test.ts).
 */
export const MASTER_SECRET_REFERENCE = { 'Fn::If': ['CreateMasterSecret', { Ref: 'MasterSecret' }, { Ref: 'ExistingMasterSecretArn' }] };
