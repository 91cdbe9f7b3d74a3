/** @module Ordered schema updates; the database's user_version is the count applied. */

/**
 * Each entry moves the schema one version up and runs in one transaction with the bump.
 * Config maps and device maps are JSON columns: an entity is one row, so every change to it
 * is one atomic write, and reads need no joins.
 */
export const schemaUpdates: readonly string[] = [
  `
  CREATE TABLE config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL DEFAULT '{}',
    devices TEXT NOT NULL DEFAULT '{}',
    UNIQUE (project_id, name)
  );
  INSERT INTO projects (name, description, config) VALUES
    ('default', 'Default LXD project',
     '{"features.images":"true","features.networks":"true","features.profiles":"true","features.storage.volumes":"true"}');
  INSERT INTO profiles (project_id, name, description) VALUES (1, 'default', 'Default LXD profile');
  `,
]
