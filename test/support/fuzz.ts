/** The seed of every fuzz run, fixed so that a failure found in CI is found again locally; FUZZ_SEED overrides. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);

/** How many cases a fuzz test runs: `fallback` in `npm test`, more from the named variable (`npm run fuzz`). */
export function fuzzRuns(variable: string, fallback: number): number {
  const value = Number(process.env[variable]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}
