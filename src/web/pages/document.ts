import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

/** A full HTML document: the doctype (JSX cannot write one) before the page's <html> element. */
export function documentOf(page: HtmlEscapedString | Promise<HtmlEscapedString>) {
  return html`<!doctype html>${page}`;
}
