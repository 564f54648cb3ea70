// `npm start`: the service with the built dashboard, configured by the environment.
import { readConfig } from './config.ts';
import { startServer } from './start-server.ts';

try {
  const config = readConfig();
  const server = await startServer({ ...config, staticDir: 'dist' });
  console.log(
    `Dealdeck is running at ${server.origin}/ (API: ${server.serviceRoot}, database: ${config.databaseUrl})`,
  );
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  console.error(`Dealdeck could not start: ${(error as Error).message}`);
  process.exit(1);
}
