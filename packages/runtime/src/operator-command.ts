/**
 * A command of `npm run operator`, contributed by the service that owns the data it acts on:
 * its usage line, and what it does on the database at `databaseUrl` (the exit code).
 */
export interface OperatorCommand {
  usage: string;
  run: (databaseUrl: string, args: string[]) => Promise<number>;
}
