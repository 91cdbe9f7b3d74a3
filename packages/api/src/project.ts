/** @module Project wire types (shared/api/project.go). */

/** Body of PUT/PATCH /1.0/projects/{name}. */
export interface ProjectPut {
  config: Record<string, string>
  description: string
}

/** Body of POST /1.0/projects. */
export interface ProjectsPost extends ProjectPut {
  name: string
}

/** Body of POST /1.0/projects/{name} (rename). */
export interface ProjectPost {
  name: string
}

/** A project as GET returns it. */
export interface Project extends ProjectPut {
  name: string
  used_by: string[]
}
