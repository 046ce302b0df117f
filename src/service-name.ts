/** The service name in every log line, trace and metric (POWERTOOLS_SERVICE_NAME in template.yaml). */
export const SERVICE_NAME = 'speke-key-server';
