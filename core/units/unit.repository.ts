import { UNIT_KINDS, type UnitKind } from './kinds.ts';
export interface UnitView {
  id: number;
  code: string;
  name: string;
  kind: string;
  parentId: number | null;
}

/** A unit with its validity: first and last valid day (ISO, campaign calendar); `validTo` null = still valid. */
export interface DatedUnit extends UnitView {
  validFrom: string;
  validTo: string | null;
}

/** One link of a merge or split: from `effectiveOn` the predecessor's area belongs to the successor. */
export interface UnitSuccessionView {
  predecessorId: number;
  successorId: number;
  effectiveOn: string;
}

/** The administrative tree a view rolls figures up over: every kind but member organisations. */
export const AREA_KINDS = UNIT_KINDS.filter((k): k is Exclude<UnitKind, 'member_org'> => k !== 'member_org');

/** Units that hold a "Vì người nghèo" fund (each level receives, allocates and pays its own money): every area. */
export const FUND_LEVEL_KINDS = AREA_KINDS;

/**
 * The units that report, hold households and are merged and split: the lowest level (a special
 * zone, "đặc khu", is a commune-level unit since 01/07/2025).
 */
export const LOCAL_KINDS = ['ward', 'commune', 'special_zone'] as const;

export function isAreaKind(kind: string): boolean {
  return (AREA_KINDS as readonly string[]).includes(kind);
}

export function isLocalKind(kind: string): boolean {
  return (LOCAL_KINDS as readonly string[]).includes(kind);
}

export interface UnitRepository {
  /** The wards and communes (and other children) of the given units, by code. */
  listChildren(parentIds: number[]): Promise<UnitView[]>;
  /** Like `listChildren`, every one (ended and not yet valid included), with its validity. */
  listChildrenDated(parentIds: number[]): Promise<DatedUnit[]>;
  /** Every unit below the given ones, at any depth and of any kind, with its validity. */
  listDescendantsDated(rootIds: number[]): Promise<DatedUnit[]>;
  /** Every merge and split link recorded. */
  successions(): Promise<UnitSuccessionView[]>;
  findById(id: number): Promise<UnitView | undefined>;
  /**
   * The unit with this code valid on `asOf` (ISO day), with its validity; without `asOf`, the
   * latest record of the code (codes are reused: 01849 named Dương Quang, then Phong Quang).
   */
  findByCode(code: string, asOf?: string): Promise<DatedUnit | undefined>;
  /** Units of the given kinds, by code. */
  listByKinds(kinds: readonly string[]): Promise<UnitView[]>;
  /** Every unit with its validity (a reorganisation plans against all of them). */
  listAllDated(): Promise<DatedUnit[]>;
  /** A new unit, valid from `validFrom`; its id. */
  create(
    unit: { code: string; name: string; kind: string; parentId: number | null; validFrom: string },
    at: Date,
  ): Promise<number>;
  /**
   * New units, each valid from `validFrom` to `validTo` (null = still valid); their ids in the
   * order given. A few statements for thousands of units (a national list): no parent among them.
   */
  createMany(
    units: readonly {
      code: string;
      name: string;
      kind: string;
      parentId: number | null;
      validFrom: string;
      validTo: string | null;
    }[],
    at: Date,
  ): Promise<number[]>;
  /** Ends the units still valid (validTo null) with `validTo` as their last day; how many it ended. */
  end(unitIds: readonly number[], validTo: string): Promise<number>;
  addSuccession(link: UnitSuccessionView): Promise<void>;
  /**
   * Sets the units' last valid day (an official list corrects or adds it); null = still valid. A
   * few statements for thousands of units.
   */
  setValidTo(unitIds: readonly number[], validTo: string | null): Promise<void>;
}
