/**
 * Small, strict readers for the export formats, so tests check what a consumer would actually parse
 * rather than matching substrings.
 */

/** Parses RFC 4180 CSV (CRLF rows, double-quoted fields with "" escapes); throws on anything malformed. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (char === '"') {
        quoted = false;
        i += 1;
        const next = text[i];
        if (next !== ',' && next !== '\r' && next !== undefined)
          throw new Error(`text after a closing quote at ${i}`);
      } else {
        field += char;
        i += 1;
      }
    } else if (char === '"') {
      if (field !== '') throw new Error(`a quote inside an unquoted field at ${i}`);
      quoted = true;
      i += 1;
    } else if (char === ',') {
      row.push(field);
      field = '';
      i += 1;
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (char === '\r' || char === '\n') {
      throw new Error(`a bare line break outside quotes at ${i}`);
    } else {
      field += char;
      i += 1;
    }
  }
  if (quoted) throw new Error('an unterminated quoted field');
  if (field !== '' || row.length > 0) throw new Error('the last row does not end with CRLF');
  return rows;
}

/** CSV rows as objects keyed by the header row; `skip` drops rows after the header (e.g. the HXL row). */
export function csvRecords(text: string, skip = 0): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new Error('no header row');
  return rows.slice(skip).map((row) => {
    if (row.length !== header.length)
      throw new Error(`a row has ${row.length} fields, the header ${header.length}`);
    return Object.fromEntries(header.map((name, index) => [name, row[index] ?? '']));
  });
}

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const nameStart = '[A-Za-z_:]';
const nameChar = '[A-Za-z0-9_:.-]';
const namePattern = new RegExp(`^${nameStart}${nameChar}*$`);
const attributePattern = new RegExp(`\\s+(${nameStart}${nameChar}*)\\s*=\\s*("[^"<]*"|'[^'<]*')`, 'y');

function checkText(text: string, at: number): string {
  // Only the five predefined entities and character references; no raw < or stray &.
  const entity = /&(#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);/y;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '<') throw new Error(`a raw < in text near ${at + i}`);
    if (char === '&') {
      entity.lastIndex = i;
      if (!entity.test(text)) throw new Error(`an & that starts no entity near ${at + i}`);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these characters
    if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(char ?? '')) {
      throw new Error(`a control character XML forbids near ${at + i}`);
    }
  }
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');
}

/**
 * Checks an XML document is well-formed (one root, every tag closed in order, attributes quoted and
 * unique, text escaped) and returns its element tree. Enough for the documents Tally writes: no DTDs,
 * CDATA or processing instructions other than the declaration.
 */
export function parseXml(text: string): XmlElement {
  let rest = text;
  const declaration = /^<\?xml[^?]*\?>\s*/.exec(rest);
  if (declaration) rest = rest.slice(declaration[0].length);
  const offset = text.length - rest.length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const tag = /<(\/?)([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<!--[\s\S]*?-->/g;
  let last = 0;
  for (let match = tag.exec(rest); match; match = tag.exec(rest)) {
    const between = rest.slice(last, match.index);
    const current = stack.at(-1);
    if (current) current.text += checkText(between, offset + last);
    else if (between.trim() !== '') throw new Error(`text outside the root element near ${offset + last}`);
    last = match.index + match[0].length;
    if (match[0].startsWith('<!--')) continue;
    const [, closing, name = '', attributeText = '', selfClosing] = match;
    if (!namePattern.test(name)) throw new Error(`a bad element name "${name}"`);
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    attributePattern.lastIndex = 0;
    while (attributePattern.lastIndex < attributeText.length) {
      const start = attributePattern.lastIndex;
      const attribute = attributePattern.exec(attributeText);
      if (!attribute) throw new Error(`bad attributes on <${name}> near "${attributeText.slice(start)}"`);
      const [, attributeName = '', quotedValue = ''] = attribute;
      if (attributeName in attributes) throw new Error(`attribute ${attributeName} twice on <${name}>`);
      attributes[attributeName] = checkText(quotedValue.slice(1, -1), offset + match.index);
    }
    const element: XmlElement = { name, attributes, children: [], text: '' };
    if (current) current.children.push(element);
    else if (root) throw new Error('more than one root element');
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (rest.slice(last).trim() !== '') throw new Error('text after the root element');
  if (stack.length > 0) throw new Error(`<${stack.at(-1)?.name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every element named `name` anywhere under `element`, in document order. */
export function descendants(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [
    ...(child.name === name ? [child] : []),
    ...descendants(child, name),
  ]);
}
