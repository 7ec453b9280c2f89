import { describe, expect, it } from 'vitest';
import { createTemplateCatalog, renderMessage, sampleContext, SHIPPED_TEMPLATES } from '../../../src/templates/index.js';

// Every email is valid HTML5: no presentational attributes or elements HTML5 dropped
// (`cellspacing`, `cellpadding`, `bgcolor`, `align`, …, `<center>`, `<font>`); CSS inline styles
// carry the look instead, so mail clients show the same thing they did.
const DEPRECATED_ATTRIBUTES = [
  'cellspacing',
  'cellpadding',
  'bgcolor',
  'align',
  'valign',
  'border',
  'width',
  'height',
  'background',
  'hspace',
  'vspace',
  'nowrap',
  'frame',
  'rules',
  'char',
  'charoff',
  'axis',
  'abbr',
  'scope',
  'clear',
  'compact',
  'link',
  'vlink',
  'alink',
  'text',
];
const DEPRECATED_ELEMENTS = [
  'center',
  'font',
  'big',
  'strike',
  'tt',
  'marquee',
  'blink',
  'basefont',
  'frame',
  'frameset',
  'acronym',
  'applet',
];

const catalog = createTemplateCatalog();
const emails = SHIPPED_TEMPLATES.filter(({ channels }) => channels.includes('email')).flatMap(({ id, locales }) =>
  locales.map((locale) => [id, locale] as const),
);

describe('email HTML is HTML5', () => {
  it.each(emails)('%s in %s', (templateId, locale) => {
    const message = renderMessage(catalog, { templateId, channel: 'email', locale, context: sampleContext(templateId, { locale }) });
    if (message.channel !== 'email') throw new Error('not an email');
    const tags = [...message.html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g)];
    expect(tags.length).toBeGreaterThan(0);
    for (const [tag, name, attributes] of tags) {
      expect(DEPRECATED_ELEMENTS, tag).not.toContain(name!.toLowerCase());
      const names = [...attributes!.matchAll(/\s([a-zA-Z-]+)(?==)/g)].map((m) => m[1]!.toLowerCase());
      for (const attribute of names) expect(DEPRECATED_ATTRIBUTES, `${attribute} in ${tag}`).not.toContain(attribute);
      // What cellspacing="0" and cellpadding="0" did, in CSS: collapsed borders, explicit padding.
      if (name === 'table') expect(tag).toMatch(/style="[^"]*border-collapse:\s*collapse/);
      if (name === 'td' || name === 'th') expect(tag).toMatch(/style="[^"]*padding:/);
    }
  });
});
