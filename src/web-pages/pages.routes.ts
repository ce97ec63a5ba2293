import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { Config } from '../config.js';
import { TallyError } from '../errors.js';
import { registerFormParser } from '../http/body-parsers.js';
import { sendProblem } from '../http/errors-handler.js';
import type { TypedApp } from '../http/typed-app.js';
import { reportSubmissionLimit } from '../reports/reports.routes.js';
import type { Services } from '../services.js';
import { categoryOptions, escapeHtml, type FormFields, fillValues, submitReportForm } from './report-form.js';

function messagesHtml(kind: 'error' | 'success', lines: string[]): string {
  if (lines.length === 0) return '';
  const items = lines.map((line) => `<li>${line}</li>`).join('');
  return `<div class="notice notice-${kind}" role="${kind === 'error' ? 'alert' : 'status'}"><ul>${items}</ul></div>`;
}

/** The web app's pages; the report page is filled in on the server so that it works without JavaScript. */
export async function pagesRoutes(app: TypedApp, services: Services, config: Config): Promise<void> {
  const webDir = config.webDir;
  if (!webDir || !existsSync(path.join(webDir, 'report.html'))) {
    app.log.warn({ webDir }, 'the web app is not built; run `npm run build:web` to serve the pages');
    return;
  }
  // The pages are read once and carry the deployment's name, so even a phone without JavaScript sees it.
  const page = (file: string) =>
    readFileSync(path.join(webDir, file), 'utf8')
      .replace(
        '<a class="brand" href="/">Tally</a>',
        () => `<a class="brand" href="/">${escapeHtml(config.name)}</a>`,
      )
      .replace(/ · Tally<\/title>/, () => ` · ${escapeHtml(config.name)}</title>`);
  const reportTemplate = page('report.html');
  const sendPage = (reply: FastifyReply, body: string) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(body);

  await app.register(fastifyStatic, {
    root: webDir,
    prefix: '/',
    index: false,
    wildcard: true,
    // A page is answered by its route, never as the built file: `/volunteer.html` would skip what the route
    // fills in.
    allowedPath: (pathName: string) => !pathName.toLowerCase().endsWith('.html'),
    setHeaders(res: { header(name: string, value: string): unknown }, filePath: string) {
      // Vite puts a content hash in every asset name, so they never change; pages must be re-fetched.
      const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
      res.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  const renderReportPage = async (form: FormFields, messages: string) => {
    const selected = Array.isArray(form.category) ? form.category : form.category ? [form.category] : [];
    const options = categoryOptions(await services.categories.list(), selected);
    // Replacer functions, so a `$&` or `$'` in a category name or a message is inserted as written.
    const html = reportTemplate
      .replace('<!--tally:category-options-->', () => options)
      .replace('<!--tally:messages-->', () => messages);
    return fillValues(html, form);
  };

  // A report's page reads the report's id from its own address, so one file serves every `/reports/:id`.
  for (const [route, file] of [
    ['/', 'index.html'],
    ['/volunteer', 'volunteer.html'],
    ['/about', 'about.html'],
    ['/sensors', 'sensors.html'],
    ['/account', 'account.html'],
    ['/reports/:id', 'report-page.html'],
  ] as const) {
    if (!existsSync(path.join(webDir, file))) continue;
    const body = page(file);
    // Which sites may frame a page is decided with the other browser headers (src/http/security-headers.ts).
    app.get(route, { schema: { hide: true } }, (_request, reply) => sendPage(reply, body));
  }
  app.get('/report', { schema: { hide: true } }, async (_request, reply) =>
    sendPage(reply, await renderReportPage({}, '')),
  );

  // Only this route takes form posts (see registerFormParser).
  await app.register(async (formScope) => {
    registerFormParser(formScope);
    formScope.post(
      '/report',
      { schema: { hide: true }, config: { rateLimit: reportSubmissionLimit(config) } },
      async (request, reply) => {
        if (
          request.headers['content-type']?.split(';')[0]?.trim() !== 'application/x-www-form-urlencoded' ||
          !request.body
        ) {
          return sendProblem(
            request,
            reply,
            new TallyError('unsupported_media_type', 'Post the report form'),
          );
        }
        const form = request.body as FormFields;
        const outcome = await submitReportForm(services, request.actor, form, config.timeZone);
        if (!outcome.ok) {
          const errors = messagesHtml('error', outcome.messages.map(escapeHtml));
          return sendPage(reply.code(422), await renderReportPage(form, errors));
        }
        const thanks = [
          'Thank you — your report was received.',
          'It will appear on the map once a volunteer has checked it.',
          `Reference: <code>${escapeHtml(outcome.reportId ?? '')}</code>`,
        ];
        return sendPage(reply.code(201), await renderReportPage({}, messagesHtml('success', thanks)));
      },
    );
  });
}
