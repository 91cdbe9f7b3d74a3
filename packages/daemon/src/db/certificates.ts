/** @module Trust store rows. */
import { conflict, notFound } from '@corral/api'
import type { Db } from './db.js'

/** A trusted client certificate as stored. */
export interface CertificateRecord {
  fingerprint: string
  type: string
  name: string
  certificate: string
  restricted: boolean
  projects: string[]
}

interface Row {
  fingerprint: string
  type: string
  name: string
  certificate: string
  restricted: number
  projects: string
}

const toRecord = (r: Row): CertificateRecord => ({
  ...r,
  restricted: r.restricted === 1,
  projects: JSON.parse(r.projects) as string[],
})

/** Every trusted certificate, by name. */
export function listCertificates(db: Db): CertificateRecord[] {
  return (db.prepare('SELECT * FROM certificates ORDER BY name, fingerprint').all() as Row[]).map(toRecord)
}

/** The certificate with exactly this fingerprint, if trusted. */
export function findCertificate(db: Db, fingerprint: string): CertificateRecord | undefined {
  const row = db.prepare('SELECT * FROM certificates WHERE fingerprint = ?').get(fingerprint) as
    Row | undefined
  return row && toRecord(row)
}

/** Resolves a fingerprint or unique prefix; 404 otherwise. */
export function getCertificate(db: Db, prefix: string): CertificateRecord {
  // A plain prefix comparison: LIKE would treat `%` and `_` in the request as wildcards.
  const rows = db
    .prepare('SELECT * FROM certificates WHERE substr(fingerprint, 1, length(@prefix)) = @prefix')
    .all({ prefix }) as Row[]
  if (rows.length !== 1 || prefix === '') throw notFound('Certificate not found')
  return toRecord(rows[0]!)
}

/** Adds a certificate; 409 when its fingerprint is already trusted. */
export function addCertificate(db: Db, c: CertificateRecord): void {
  db.transaction(() => {
    if (findCertificate(db, c.fingerprint)) throw conflict('Certificate already in trust store')
    db.prepare(
      'INSERT INTO certificates (fingerprint, type, name, certificate, restricted, projects) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(c.fingerprint, c.type, c.name, c.certificate, c.restricted ? 1 : 0, JSON.stringify(c.projects))
  })()
}

/** Replaces a certificate's row (its fingerprint may change with new material); 409 on a clash. */
export function updateCertificate(db: Db, fingerprint: string, c: CertificateRecord): void {
  db.transaction(() => {
    if (c.fingerprint !== fingerprint && findCertificate(db, c.fingerprint))
      throw conflict('Certificate already in trust store')
    db.prepare(
      'UPDATE certificates SET fingerprint = ?, type = ?, name = ?, certificate = ?, restricted = ?, projects = ? WHERE fingerprint = ?',
    ).run(
      c.fingerprint,
      c.type,
      c.name,
      c.certificate,
      c.restricted ? 1 : 0,
      JSON.stringify(c.projects),
      fingerprint,
    )
  })()
}

/** Removes a certificate from the trust store. */
export function deleteCertificate(db: Db, fingerprint: string): void {
  db.prepare('DELETE FROM certificates WHERE fingerprint = ?').run(fingerprint)
}
