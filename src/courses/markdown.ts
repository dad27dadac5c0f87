import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, breaks: false, async: false });

// Images uploaded in the authoring area carry their size in their name (…-800x600.png): the
// <img> gets width and height, so the page does not jump while a lesson's images load.
const SIZED_IMAGE = /^\/files\/lessons\/[0-9a-f]{32}-(\d{1,5})x(\d{1,5})\.(?:png|jpg|webp)$/;

// Only what lessons need. Raw HTML in Markdown, scripts, styles, event handlers and
// javascript: URLs are all dropped by the allow-list.
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'ul', 'ol', 'li', 'strong', 'em', 'del', 'code', 'pre',
    'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'sup', 'sub',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height', 'loading'],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // A lesson's own `#` heading would compete with the page title: shift it down a level.
    h1: 'h2',
    a: (tagName, attribs) => ({
      tagName,
      attribs: /^https?:/i.test(attribs.href ?? '') ? { ...attribs, rel: 'noopener noreferrer' } : attribs,
    }),
    img: (tagName, attribs) => {
      const size = SIZED_IMAGE.exec(attribs.src ?? '');
      return { tagName, attribs: { ...attribs, ...(size ? { width: size[1], height: size[2] } : {}), loading: 'lazy' } };
    },
  },
};
SANITIZE_OPTIONS.allowedAttributes = { ...SANITIZE_OPTIONS.allowedAttributes, a: ['href', 'title', 'rel'] };

const ARABIC_SCRIPT = /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/;
// A run of Latin text as it appears inside Urdu: starts and ends with a letter or digit and may
// hold spaces, hyphens and trade punctuation ("40-foot containers", "USD 2.61 (PKR 730)").
const LATIN_RUN = /[A-Za-z0-9][A-Za-z0-9 .,:;/&%+'’()-]*[A-Za-z0-9%)]|[A-Za-z]/g;

/**
 * In right-to-left text the bidi algorithm splits a Latin phrase that starts with digits
 * ("40-foot containers" shows as "foot containers-40"). Wrapping each Latin run of an Urdu text
 * node in <bdi> keeps it in its own left-to-right order. English text is left untouched.
 */
export function isolateLatinRuns(html: string): string {
  return html.replace(/>([^<]+)</g, (match, text: string) =>
    ARABIC_SCRIPT.test(text) ? `>${text.replace(LATIN_RUN, (run) => (/[A-Za-z]/.test(run) && /\d/.test(run) ? `<bdi>${run}</bdi>` : run))}<` : match,
  );
}

/** Bumped when the rendering changes, so stored lesson HTML is rebuilt on the next import. */
export const MARKDOWN_RENDERER_VERSION = 2;

/** Markdown → safe HTML. The one renderer for lessons everywhere (learner page, previews). */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown) as string;
  return isolateLatinRuns(sanitizeHtml(html, SANITIZE_OPTIONS));
}

/** Sanitizes plain user text for inline display inside HTML built outside Handlebars. */
export function plainText(text: string): string {
  return sanitizeHtml(text, { allowedTags: [], allowedAttributes: {} });
}
