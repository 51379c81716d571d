export interface UnitView {
  id: number;
  code: string;
  name: string;
  kind: string;
  parentId: number | null;
}

/** Units that hold a "Vì người nghèo" fund: each level receives, allocates and pays its own money. */
export const FUND_LEVEL_KINDS = ['province', 'city', 'district', 'ward', 'commune'] as const;

export interface UnitRepository {
  /** The wards and communes (and other children) of the given units, by code. */
  listChildren(parentIds: number[]): Promise<UnitView[]>;
  findById(id: number): Promise<UnitView | undefined>;
  /** Units of the given kinds, by code. */
  listByKinds(kinds: readonly string[]): Promise<UnitView[]>;
}
