/**
 * The register of documents issued ("sổ đăng ký văn bản đi"): numbers run per issuing unit, type
 * and year from 1, are given once to the document they number and are never reused. A document
 * issued again (a letter re-sent, a report re-built) keeps its number.
 */

/** What a number is asked for. */
export interface DocumentNumberRequest {
  campaignId: number;
  issuerUnitId: number;
  /** The type's code in the number: BC, GXN, TTr (official-document.ts DOCUMENT_TYPES). */
  docType: string;
  /** The year of `issuedOn`. */
  year: number;
  entity: string;
  entityId: string;
  /** ISO day on the document. */
  issuedOn: string;
  personId?: number | null;
}

export interface IssuedNumber {
  number: number;
  docType: string;
  year: number;
  issuedOn: string;
  issuerUnitId: number;
}

export interface DocumentRegister {
  /** The number already given to this entity's document, if any. */
  find(entity: string, entityId: string): Promise<IssuedNumber | undefined>;
  /**
   * The next number of the issuer's register for the type and year, given to the entity (or the
   * number it already has). Serialised per register, so two instances never give the same number.
   */
  issue(request: DocumentNumberRequest, now: Date): Promise<IssuedNumber>;
}
