/** @module Worker thread: renders a batch of image templates away from the daemon's own heap and event loop. */
import { parentPort } from 'node:worker_threads'
import { renderTemplate, type TemplateContext } from './template-engine.js'

/** One template to render. */
export interface RenderJob {
  source: string
  ctx: TemplateContext
}

/** The outcome of one job. */
export type RenderResult = { ok: true; text: string } | { ok: false; error: string }

// Batches arrive as messages, one at a time (templates.ts keeps the worker between them).
parentPort?.on('message', (jobs: RenderJob[]) =>
  parentPort?.postMessage(
    jobs.map((job): RenderResult => {
      try {
        return { ok: true, text: renderTemplate(job.source, job.ctx) }
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) }
      }
    }),
  ),
)
