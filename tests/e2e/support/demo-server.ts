import { demoRoutes } from '../../../demo/demo-routes.js';
import { demoEnvironment } from '../../../demo/demo-settings.js';
import { startLocalServer, type RunningServer } from '../../support/local-server.js';

/** The local server as `npm run demo` serves it (the demo's routes in its table), in-process on a free loopback port. */
export function startDemoServer(env: Record<string, string> = {}): Promise<RunningServer> {
  return startLocalServer(env, { routes: (app, config) => demoRoutes({ app, demo: demoEnvironment(config), clearKeyLicense: app.clearKeyLicense }) });
}
