import { renderMarkdown } from './markdown';

describe(renderMarkdown.name, () => {
  it('renders ordinary lesson Markdown', () => {
    const html = renderMarkdown('## Steps\n\n1. List **ten** products\n2. Answer in [24 hours](https://example.org)\n');
    expect(html).toContain('<h2>Steps</h2>');
    expect(html).toContain('<strong>ten</strong>');
    expect(html).toContain('<a href="https://example.org" rel="noopener noreferrer">24 hours</a>');
  });

  it('drops script tags, event handlers, javascript: links and raw HTML', () => {
    const html = renderMarkdown(
      'Hi <script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n<img src="x.png" onerror="alert(1)">\n\n<div style="color:red" onclick="x()">box</div>\n\n<iframe src="https://evil.example"></iframe>',
    );
    expect(html).not.toMatch(/<script|onerror|onclick|javascript:|<iframe|<div|style=/i);
    expect(html).toContain('box');
  });

  it('keeps a Latin phrase with digits in its own order inside Urdu text, and leaves English alone', () => {
    const urdu = renderMarkdown('آپ کی شیٹس 40-foot containers میں جاتی ہیں، FOB پر۔');
    expect(urdu).toContain('<bdi>40-foot containers</bdi>');
    expect(urdu).toContain(' FOB ');
    expect(renderMarkdown('Ship 40-foot containers.')).not.toContain('<bdi>');
  });

  it('keeps images lazy and shifts a top-level heading below the page title', () => {
    const html = renderMarkdown('# Title\n\n![Towels](/files/towels.jpg)');
    expect(html).toContain('<h2>Title</h2>');
    expect(html).toContain('loading="lazy"');
  });
});
