export interface UnitView {
  id: number;
  code: string;
  name: string;
  kind: string;
}

export interface UnitRepository {
  /** The wards and communes (and other children) of the given units, by code. */
  listChildren(parentIds: number[]): Promise<UnitView[]>;
}
