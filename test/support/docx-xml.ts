import JSZip from 'jszip';

/** One paragraph of a .docx as a reader sees it: its text and how it is set. */
export interface DocxParagraph {
  text: string;
  bold: boolean;
  italic: boolean;
  centred: boolean;
  justified: boolean;
  /** Points, from its first run's size (0 when the style's). */
  size: number;
  xml: string;
}

/**
 * A .docx unzipped (jszip, what docx and exceljs use) and read back: word/document.xml, its
 * paragraphs in order (table cells' included), and `find(text)`, which throws naming the texts
 * present when no paragraph reads `text`.
 */
export async function readDocx(data: Buffer): Promise<{
  xml: string;
  styles: string;
  paragraphs: DocxParagraph[];
  texts: string[];
  find: (text: string) => DocxParagraph;
}> {
  const zip = await JSZip.loadAsync(data);
  const xml = (await zip.file('word/document.xml')?.async('string')) ?? '';
  const styles = (await zip.file('word/styles.xml')?.async('string')) ?? '';
  const paragraphs = [...xml.matchAll(/<w:p>.*?<\/w:p>|<w:p [^>]*>.*?<\/w:p>/gs)].map((m) => {
    const p = m[0];
    const text = [...p.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('');
    return {
      text: text
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
      bold: /<w:b\/>|<w:b w:val="true"\/>/.test(p),
      italic: /<w:i\/>|<w:i w:val="true"\/>/.test(p),
      centred: /<w:jc w:val="center"\/>/.test(p),
      justified: /<w:jc w:val="both"\/>/.test(p),
      size: Number(/<w:sz w:val="(\d+)"\/>/.exec(p)?.[1] ?? 0) / 2,
      xml: p,
    };
  });
  const texts = paragraphs.map((p) => p.text);
  const find = (text: string) => {
    const found = paragraphs.find((p) => p.text === text);
    if (!found) {
      throw new Error(`no paragraph "${text}" in ${JSON.stringify(texts)}`);
    }
    return found;
  };
  return { xml, styles, paragraphs, texts, find };
}
