/**
 * @module The CSP nonce for styles: corrald writes a fresh nonce into the page's meta tag and
 * its Content-Security-Policy; every <style> element created from here on carries it, so
 * xterm.js's own style elements apply while injected inline styles do not.
 */

/** Stamps every <style> element created through document.createElement with the page's nonce. */
export function stampStyleNonces(): void {
  const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content
  if (!nonce || nonce.startsWith('__')) return
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its document below
  const create = Document.prototype.createElement
  Document.prototype.createElement = function (
    this: Document,
    tag: string,
    options?: ElementCreationOptions,
  ) {
    const el = create.call(this, tag, options)
    if (tag.toLowerCase() === 'style') el.setAttribute('nonce', nonce)
    return el
  }
}
