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
  `
  CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    filename TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL DEFAULT 0,
    public INTEGER NOT NULL DEFAULT 0,
    auto_update INTEGER NOT NULL DEFAULT 0,
    architecture TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL DEFAULT 'container',
    created_at TEXT NOT NULL DEFAULT '',
    expires_at TEXT NOT NULL DEFAULT '',
    uploaded_at TEXT NOT NULL,
    last_used_at TEXT NOT NULL DEFAULT '',
    properties TEXT NOT NULL DEFAULT '{}',
    profiles TEXT NOT NULL DEFAULT '["default"]',
    UNIQUE (project_id, fingerprint)
  );
  CREATE TABLE images_aliases (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (project_id, name)
  );
  CREATE TABLE storage_pools (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    driver TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'created'
  );
  CREATE TABLE instances (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'container',
    architecture TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    ephemeral INTEGER NOT NULL DEFAULT 0,
    stateful INTEGER NOT NULL DEFAULT 0,
    config TEXT NOT NULL DEFAULT '{}',
    devices TEXT NOT NULL DEFAULT '{}',
    profiles TEXT NOT NULL DEFAULT '[]',
    pool TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    last_used_at TEXT NOT NULL DEFAULT '',
    UNIQUE (project_id, name)
  );
  CREATE TABLE instances_snapshots (
    id INTEGER PRIMARY KEY,
    instance_id INTEGER NOT NULL REFERENCES instances(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    stateful INTEGER NOT NULL DEFAULT 0,
    config TEXT NOT NULL DEFAULT '{}',
    devices TEXT NOT NULL DEFAULT '{}',
    profiles TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL DEFAULT '',
    UNIQUE (instance_id, name)
  );
  `,
  `
  CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL DEFAULT 'client',
    name TEXT NOT NULL,
    certificate TEXT NOT NULL,
    restricted INTEGER NOT NULL DEFAULT 0,
    projects TEXT NOT NULL DEFAULT '[]'
  );
  `,
  `
  CREATE TABLE networks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL DEFAULT '{}'
  );
  `,
  // LXD's warnings: one row per (type, project, entity); project '' and entity_url '' are server-wide.
  `
  CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    project TEXT NOT NULL DEFAULT '',
    entity_url TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_message TEXT NOT NULL DEFAULT '',
    count INTEGER NOT NULL DEFAULT 1,
    UNIQUE (type, project, entity_url)
  );
  `,
  // Custom storage volumes and their snapshots: one row each, config as JSON.
  `
  CREATE TABLE storage_volumes (
    id INTEGER PRIMARY KEY,
    pool_id INTEGER NOT NULL REFERENCES storage_pools(id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    type TEXT NOT NULL DEFAULT 'custom',
    content_type TEXT NOT NULL DEFAULT 'filesystem',
    description TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    UNIQUE (pool_id, project_id, type, name)
  );
  CREATE TABLE storage_volumes_snapshots (
    id INTEGER PRIMARY KEY,
    volume_id INTEGER NOT NULL REFERENCES storage_volumes(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL DEFAULT '',
    UNIQUE (volume_id, name)
  );
  `,
]
