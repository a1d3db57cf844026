/**
 * jest globalSetup (see jest.config.js): starts one moto server for the whole run and points the real AWS SDK
 * clients of every test worker at it through the environment (workers are forked after this and inherit it).
 * Fake credentials, fixed region: nothing here can reach AWS.
 */
import { startMoto, MotoServer } from './moto';

declare global {
  // The handle lives in jest's parent process; global-teardown.ts reads it there.
  var __MOTO__: MotoServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const moto = await startMoto();
  globalThis.__MOTO__ = moto;
  // Safety net on top of the one in startMoto: the server never outlives jest, even if teardown is skipped.
  process.on('exit', () => {
    if (globalThis.__MOTO__ !== moto) return; // teardown stopped it (its pid may be reused by now)
    try {
      process.kill(moto.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  });

  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_DEFAULT_REGION = 'us-east-1';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.MOTO_PORT = String(moto.port);
  // @aws-sdk/* is pinned exactly (package.json), so its "Node >= 22 after January 2027" notice is noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
