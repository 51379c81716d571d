/**
 * How big a household list one import may be. A commune's list is a few thousand rows and well
 * under 1 MB; the bounds are far above that, and keep a wrong or hostile file (millions of rows,
 * a zip that inflates to gigabytes) from exhausting the memory of the process reading it.
 * Configured by HOUSEHOLD_IMPORT_MAX_MB and HOUSEHOLD_IMPORT_MAX_ROWS (bot/config.ts) or the
 * import's --max-mb and --max-rows options.
 */
export interface HouseholdImportLimits {
  /** A larger file is refused before it is parsed. */
  maxBytes: number;
  /** Household rows (data rows below the header); reading stops at the first one past it. */
  maxRows: number;
}

export const DEFAULT_HOUSEHOLD_IMPORT_LIMITS: Readonly<HouseholdImportLimits> = {
  maxBytes: 20 * 1024 * 1024,
  maxRows: 200_000,
};
