import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';

function describe(errors: ValidationError[]): string[] {
  return errors.flatMap((error) =>
    error.constraints
      ? Object.values(error.constraints).map((m) =>
          m.startsWith(error.property) ? m : `${error.property}: ${m}`,
        )
      : [`${error.property} is invalid`],
  );
}

export class ConfigError extends Error {}

/** Validates the environment once at start; a missing or bad variable stops the process by name. */
export function loadConfig<T extends object>(
  configClass: new () => T,
  env: Record<string, string | undefined> = process.env,
): T {
  const config = plainToInstance(configClass, env, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${describe(errors).join('\n  - ')}`);
  }
  return config;
}
