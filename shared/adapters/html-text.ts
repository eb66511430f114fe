/*
 * An HTML email body as plain text, for a message that has no text part. What staff read: the words and the
 * paragraph breaks, a link's address beside its words. Not a renderer: scripts, styles, the head and
 * comments are dropped, every other tag is removed, and the result is only ever shown escaped.
 */

/** HTML 4's Latin-1 entities, which name U+00A0 to U+00FF in order. */
const LATIN1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute ' +
  'micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring ' +
  'AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml ' +
  'times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil ' +
  'egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ' +
  'ugrave uacute ucirc uuml yacute thorn yuml';

/*
 * The named entities mail clients write: markup's own, Latin-1 and typography. A name not here is left as
 * written (the full table is 2,000 names and 45 KB minified, for characters mail spells as numbers or UTF-8).
 */
const ENTITIES = new Map<string, string>([
  ...LATIN1.split(' ').map((name, index) => [name, String.fromCharCode(0xa0 + index)] as const),
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['OElig', 'Œ'],
  ['oelig', 'œ'],
  ['Scaron', 'Š'],
  ['scaron', 'š'],
  ['Yuml', 'Ÿ'],
  ['fnof', 'ƒ'],
  ['circ', 'ˆ'],
  ['tilde', '˜'],
  ['ensp', '\u2002'],
  ['emsp', '\u2003'],
  ['thinsp', '\u2009'],
  ['zwnj', '\u200c'],
  ['zwj', '\u200d'],
  ['ndash', '–'],
  ['mdash', '—'],
  ['lsquo', '‘'],
  ['rsquo', '’'],
  ['sbquo', '‚'],
  ['ldquo', '“'],
  ['rdquo', '”'],
  ['bdquo', '„'],
  ['dagger', '†'],
  ['Dagger', '‡'],
  ['bull', '•'],
  ['hellip', '…'],
  ['permil', '‰'],
  ['prime', '′'],
  ['Prime', '″'],
  ['lsaquo', '‹'],
  ['rsaquo', '›'],
  ['euro', '€'],
  ['trade', '™'],
  ['larr', '←'],
  ['rarr', '→'],
  ['uarr', '↑'],
  ['darr', '↓'],
  ['minus', '−'],
]);

function codePoint(value: number): string {
  return value > 0 && value <= 0x10ffff && (value < 0xd800 || value > 0xdfff)
    ? String.fromCodePoint(value)
    : '\ufffd';
}

export function decodeEntities(text: string): string {
  return text.replace(
    /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z][a-z0-9]{1,31}));/gi,
    (entity, dec, hex, name) => {
      if (dec) return codePoint(Number.parseInt(dec, 10));
      if (hex) return codePoint(Number.parseInt(hex, 16));
      return ENTITIES.get(name) ?? entity;
    },
  );
}

/** Elements whose content is not text a person wrote. */
const HIDDEN = /<(script|style|head|title|template|noscript)\b[^<>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi;
/** Elements that begin and end a paragraph. */
const BLOCK =
  /<\/?(?:p|div|table|tr|h[1-6]|blockquote|pre|ul|ol|dl|dd|dt|section|article|header|footer)\b[^<>]*>/gi;

export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
      .replace(HIDDEN, '')
      .replace(/\s+/g, ' ')
      .replace(/<br\b[^<>]*>/gi, '\n')
      .replace(/<\/(?:td|th)\s*>/gi, ' ')
      .replace(/<li\b[^<>]*>/gi, '\n* ')
      .replace(BLOCK, '\n\n')
      .replace(
        /<a\b[^<>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^<>]*>([\s\S]*?)(?:<\/a\s*>|$)/gi,
        (_, double, single, bare, label: string) => {
          const href = decodeEntities(double ?? single ?? bare ?? '');
          const words = label.replace(/<[^<>]*>/g, '').trim();
          return /^(?:https?|mailto):/i.test(href) && decodeEntities(words) !== href.replace(/^mailto:/i, '')
            ? `${words} [${href}]`
            : words;
        },
      )
      .replace(/<[^<>]*>/g, ''),
  )
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
