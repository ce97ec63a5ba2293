import type { Plugin } from 'vite';

/** The site's main navigation, the same on every page. */
export const siteNav: readonly { href: string; label: string }[] = [
  { href: '/', label: 'Map' },
  { href: '/report', label: 'Send a report' },
  { href: '/volunteer', label: 'Volunteers' },
  { href: '/sensors', label: 'My sensors' },
  { href: '/account', label: 'My account' },
  { href: '/about', label: 'About' },
];

/** Where a page wants the header: `<!-- site-header -->`, or `<!-- site-header current="/about" -->`. */
const placeholder = /<!--\s*site-header(?:\s+current="([^"]*)")?\s*-->/;

/** The header as static HTML, so that the navigation works before, and without, any script. */
export function siteHeaderHtml(current: string | null): string {
  const items = siteNav
    .map(({ href, label }) => {
      const marked = href === current ? ' aria-current="page"' : '';
      return `          <li><a href="${href}"${marked}>${label}</a></li>`;
    })
    .join('\n');
  return [
    '<header class="site-header">',
    '      <a class="brand" href="/">Tally</a>',
    '      <nav aria-label="Main">',
    '        <ul>',
    items,
    '        </ul>',
    '      </nav>',
    '    </header>',
  ].join('\n');
}

/** The page with its placeholder replaced by the header; a page without one is an error, not a page without a way around. */
export function withSiteHeader(html: string, page: string): string {
  const match = placeholder.exec(html);
  if (!match) throw new Error(`${page} has no <!-- site-header --> placeholder`);
  const current = match[1] ?? null;
  if (current !== null && !siteNav.some(({ href }) => href === current)) {
    throw new Error(`${page} marks "${current}" as current, which is not in the site navigation`);
  }
  return html.replace(placeholder, siteHeaderHtml(current));
}

/** Writes the site header into every page, at build and while developing. */
export function siteHeader(): Plugin {
  return {
    name: 'tally-site-header',
    transformIndexHtml: {
      order: 'pre',
      handler: (html, context) => withSiteHeader(html, context.filename),
    },
  };
}
