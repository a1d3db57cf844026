/** jest globalTeardown (see jest.config.js): stops the moto server started by global-setup.ts. Runs after all
 *  test files, whether they passed or failed. */
export default async function globalTeardown(): Promise<void> {
  const moto = globalThis.__MOTO__;
  globalThis.__MOTO__ = undefined;
  if (moto) await moto.stop();
}
