import type { MigrationInterface, QueryRunner } from 'typeorm';
import { serviceRoles } from '@compliance-graph/db';

export class ThrottleReservation1764921600001 implements MigrationInterface {
  name = 'ThrottleReservation1764921600001';

  async up(runner: QueryRunner): Promise<void> {
    // One attempt reserved on every counter in one statement, before a password or code is
    // checked: each row is locked while it is read and counted, so parallel attempts are counted
    // one after another (checked first and counted after a verification, 40 parallel guesses got
    // 16 password checks past a limit of 5). Nothing is counted when any counter is blocked.
    // Callers pass the keys sorted, so two attempts lock shared rows in the same order.
    await runner.query(`
      CREATE FUNCTION identity.reserve_attempt(p_keys text[], p_limits int[], p_window_seconds int, p_base_seconds int)
      RETURNS int LANGUAGE plpgsql AS $$
      DECLARE
        counter identity.login_throttle;
        wait int := 0;
        attempts int;
      BEGIN
        FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
          INSERT INTO identity.login_throttle (key, failures, window_started_at) VALUES (p_keys[i], 0, now())
            ON CONFLICT (key) DO NOTHING;
          SELECT * INTO counter FROM identity.login_throttle WHERE key = p_keys[i] FOR UPDATE;
          IF counter.blocked_until > now() THEN
            wait := greatest(wait, ceil(extract(epoch FROM counter.blocked_until - now()))::int);
          END IF;
        END LOOP;
        IF wait > 0 THEN RETURN wait; END IF;
        FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
          UPDATE identity.login_throttle t SET
            failures = CASE WHEN t.window_started_at < now() - make_interval(secs => p_window_seconds) THEN 1 ELSE t.failures + 1 END,
            window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => p_window_seconds) THEN now() ELSE t.window_started_at END
          WHERE t.key = p_keys[i]
          RETURNING t.failures INTO attempts;
          IF attempts >= p_limits[i] THEN
            UPDATE identity.login_throttle
               SET blocked_until = now() + make_interval(secs => least(p_window_seconds, p_base_seconds * power(2, attempts - p_limits[i])))
             WHERE key = p_keys[i];
          END IF;
        END LOOP;
        RETURN 0;
      END $$`);
    await runner.query(`REVOKE ALL ON FUNCTION identity.reserve_attempt(text[], int[], int, int) FROM PUBLIC`);
    await runner.query(`GRANT EXECUTE ON FUNCTION identity.reserve_attempt(text[], int[], int, int) TO ${serviceRoles('identity').app}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION identity.reserve_attempt(text[], int[], int, int)`);
  }
}
